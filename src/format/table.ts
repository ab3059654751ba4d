import type { ChalkInstance } from "chalk";
import { sanitize } from "../util/sanitize.js";
import { type Column, type ColumnContext, resolveColumns, timeWidth } from "./columns.js";
import type { FormatOptions, Renderer } from "./registry.js";
import type { TextWidth } from "./text-width.js";

/** What the scan code gets before other columns give up room: an SSCC (18) and more. */
const CODE_TARGET = 20;
const CODE_MIN = 6;
/** Least important first: the order in which columns shrink, then drop, to make room. */
const DROP_ORDER = ["latency", "battery", "device_battery", "where", "scan_decode_symbology"];

export interface Layout {
  columns: Column[];
  widths: number[];
}

/**
 * Fits columns into `total` cells on a terminal, cutting the scan code last: columns
 * first shrink to their minimum, least important first, then drop, until the code has
 * its target width; only then does the code itself shrink. The code takes what is left.
 */
export function fitColumns(columns: Column[], total: number): Layout {
  const kept = [...columns];
  const widths = kept.map((c) => c.width);
  const flex = () => kept.findIndex((c) => c.flex);
  const used = () =>
    widths.reduce((sum, w, i) => sum + (kept[i]!.flex ? 0 : w), 0) + Math.max(0, kept.length - 1);
  const codeRoom = () => total - used();
  const target = flex() >= 0 ? CODE_TARGET : 0;
  // Least important first: shrink to the minimum, and drop when that is not enough (a
  // column named twice in --fields is listed twice, and may drop twice)...
  const droppable = DROP_ORDER.flatMap((name) => columns.filter((c) => c.name === name));
  for (const column of droppable) {
    if (codeRoom() >= target) break;
    const at = kept.indexOf(column);
    widths[at] = Math.max(column.minWidth ?? column.width, widths[at]! - (target - codeRoom()));
    if (codeRoom() < target && kept.length > 1) {
      kept.splice(at, 1);
      widths.splice(at, 1);
    }
  }
  // ...then the essentials (time, serial, fields asked for) only shrink, right-most first.
  for (let i = kept.length - 1; i >= 0 && codeRoom() < target; i--) {
    const c = kept[i]!;
    if (c.flex) continue;
    widths[i] = Math.max(c.minWidth ?? Math.min(c.width, 8), widths[i]! - (target - codeRoom()));
  }
  const f = flex();
  if (f >= 0) widths[f] = Math.max(CODE_MIN, codeRoom());
  return { columns: kept, widths };
}

/**
 * Off a terminal (or with --wide) every column keeps its preferred width and no value is
 * cut; a header longer than that (a long field name in --fields) widens its column, so
 * the rows stay under their headers.
 */
function naturalLayout(columns: Column[], measure: TextWidth): Layout {
  return {
    columns,
    widths: columns.map((c) => Math.max(c.width, measure.width(c.header))),
  };
}

/** The cell's text, cut to `width` cells when cutting is on (never padded: see `row`). */
function cutToFit(text: string, width: number, cut: boolean, measure: TextWidth): string {
  if (!cut || measure.width(text) <= width) return text;
  // truncate pads a half-filled wide character's cell; padding is added after styling.
  return measure.truncate(text, width).trimEnd();
}

/** Marks matches of --highlight (on text already made safe and cut to fit). */
export function highlightMatches(
  text: string,
  re: RegExp | undefined,
  chalk: ChalkInstance,
): string {
  if (!re) return text;
  // The regex is global (src/run/execute.ts), so replace starts at 0 and marks every
  // match; chalk leaves an empty match empty, and plainChalk leaves every match as is.
  return text.replace(re, (match) => chalk.inverse(match));
}

/**
 * Rows aligned under a header, each printed as its event arrives (never buffered). Cells
 * are cut to fit before they are styled, so a cut never leaves a colour open.
 */
export function createRenderer(options: FormatOptions): Renderer {
  const all = resolveColumns(options.fields).map((c) =>
    c.name === "time" ? { ...c, width: timeWidth(options.time) } : c,
  );
  const ctx: ColumnContext = { chalk: options.chalk, time: options.time };
  const fitting = options.isTTY && !options.wide;
  const layoutFor = (columns: number) =>
    fitting ? fitColumns(all, Math.max(20, columns - 1)) : naturalLayout(all, options.text);
  let layout = layoutFor(options.columns);
  let rowsSinceHeader = 0;
  let headerShown = false;
  // A screenful: the header and rows - 2 rows under it (one line stays for the cursor).
  const screenful = () => Math.max(3, options.rows - 2);
  const { chalk } = options;

  const row = (cells: Array<{ text: string; style?: (s: string) => string; mark?: boolean }>) =>
    `${cells
      .map((cell, i) => {
        const column = layout.columns[i]!;
        const width = layout.widths[i]!;
        const fitted = cutToFit(cell.text, width, fitting, options.text);
        const marked = cell.mark ? highlightMatches(fitted, options.highlight, chalk) : fitted;
        const styled = cell.style && fitted.trim() ? cell.style(marked) : marked;
        // Padding stays outside the styling: no underline or colour runs into the gap.
        const pad = " ".repeat(Math.max(0, width - options.text.width(fitted)));
        return column.align === "right" ? pad + styled : styled + pad;
      })
      .join(" ")
      .trimEnd()}\n`;
  const header = () =>
    row(
      layout.columns.map((c) => ({
        text: c.header,
        // Without colour, chalk is plainChalk: the header stays plain text.
        style: (s: string) => chalk.bold.underline(s),
      })),
    );

  return {
    resize(columns, rows) {
      options.columns = columns;
      options.rows = rows;
      layout = layoutFor(columns);
      rowsSinceHeader = 0;
      headerShown = false;
    },
    render(event) {
      let out = "";
      // The header once on a pipe; on a terminal again every screenful.
      if (options.header && (!headerShown || (options.isTTY && rowsSinceHeader >= screenful()))) {
        out += header();
        headerShown = true;
        rowsSinceHeader = 0;
      }
      rowsSinceHeader++;
      const cells = layout.columns.map((column) => {
        const cell = column.cell(event, ctx);
        return { text: sanitize(cell.text), style: cell.style, mark: column.name === "scan_code" };
      });
      return out + row(cells);
    },
  };
}
