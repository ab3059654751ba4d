import type { ScanEvent } from "../events/event.js";
import { sanitize } from "../util/sanitize.js";
import type { FormatOptions, Renderer } from "./registry.js";
import { DEFAULT_VALUE_COLUMNS, valueGetter } from "./values.js";

/**
 * Rows of whole values, one per event, under an optional header: what csv and tsv share.
 * `cell` turns a value into that format's cell text; `newline` ends each row.
 */
export function delimitedRenderer(
  options: FormatOptions,
  format: { separator: string; newline: string; cell: (text: string) => string },
): Renderer {
  const names = options.fields?.length ? options.fields : [...DEFAULT_VALUE_COLUMNS];
  const getters = names.map((name) => valueGetter(name, options.time));
  const row = (cells: string[]) => cells.map(format.cell).join(format.separator) + format.newline;
  let header = options.header;
  return {
    render(event: ScanEvent) {
      const line = row(getters.map((get) => get(event)));
      if (!header) return line;
      header = false;
      return row(names) + line;
    },
  };
}

/** Feed text is untrusted: control characters become visible escapes in every cell. */
export const safeCell = (text: string) => sanitize(text);
