import {
  type Column,
  type ColumnContext,
  DEFAULT_PRETTY_COLUMNS,
  resolveColumns,
  safeCellText,
} from "./columns.js";
import type { FormatOptions, Renderer } from "./registry.js";
import { displayWidth } from "./text-width.js";

/**
 * One human line per event. Columns are padded to the widest value seen so far (never
 * truncated: in pretty the code is the point), so lines settle into alignment.
 */
export function createRenderer(options: FormatOptions): Renderer {
  const columns: Column[] = resolveColumns(options.fields, DEFAULT_PRETTY_COLUMNS);
  const ctx: ColumnContext = { chalk: options.chalk, time: options.time };
  const widths = columns.map((c) => Math.min(c.width, 20));
  const last = columns.length - 1;
  return {
    render(event) {
      let line = "";
      for (let i = 0; i <= last; i++) {
        const column = columns[i]!;
        const cell = column.cell(event, ctx);
        const text = safeCellText(cell, options.chalk);
        const w = displayWidth(text);
        // Widths grow to fit but a single huge value does not push every later line right.
        if (w > widths[i]! && w <= 40) widths[i] = w;
        const pad = i === last ? "" : " ".repeat(Math.max(0, widths[i]! - w));
        const styled = cell.style && text ? cell.style(text) : text;
        line += column.align === "right" ? pad + styled : styled + pad;
        if (i !== last) line += "  ";
      }
      return `${line.trimEnd()}\n`;
    },
  };
}
