import Table from "cli-table3";
import { type Column, type ColumnContext, resolveColumns, safeCellText } from "./columns.js";
import type { FormatOptions, Renderer } from "./registry.js";

const NO_BORDERS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: " ",
};

/**
 * Fits columns to the terminal: every column gets its preferred width, the flexible one
 * (the code) takes what is left; when even minimum widths do not fit, columns are dropped
 * from the right-hand, least important end. Exported for tests.
 */
export function fitColumns(
  columns: Column[],
  total: number,
): { columns: Column[]; widths: number[] } {
  const kept = [...columns];
  for (;;) {
    const gaps = kept.length - 1;
    const fixed = kept.reduce((sum, c) => sum + (c.flex ? (c.minWidth ?? 8) : c.width), 0);
    if (fixed + gaps <= total || kept.length === 1) {
      const spare = total - fixed - gaps;
      const flexIndex = kept.findIndex((c) => c.flex);
      const widths = kept.map((c) => (c.flex ? (c.minWidth ?? 8) : c.width));
      if (flexIndex >= 0) widths[flexIndex]! += Math.max(0, spare);
      else if (kept.length) widths[widths.length - 1]! += Math.max(0, Math.min(spare, 40));
      return { columns: kept, widths: widths.map((w) => Math.max(1, w)) };
    }
    // Drop the last non-flex column; the code column stays as long as anything does.
    let drop = kept.length - 1;
    while (drop > 0 && kept[drop]!.flex) drop--;
    kept.splice(drop, 1);
  }
}

/** Rows aligned under a header, each printed as its event arrives (never buffered). */
export function createRenderer(options: FormatOptions): Renderer {
  const all = resolveColumns(options.fields);
  const ctx: ColumnContext = { chalk: options.chalk, time: options.time };
  let layout = fitColumns(all, Math.max(20, options.columns - 1));
  let rowsSinceHeader = 0;
  const screenful = () => Math.max(5, options.rows - 2);
  const { chalk } = options;

  const renderRow = (cells: string[]) => {
    const table = new Table({
      chars: NO_BORDERS,
      colWidths: layout.widths,
      colAligns: layout.columns.map((c) => c.align ?? "left"),
      style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
      wordWrap: false,
      truncate: "…",
    });
    table.push(cells);
    return `${table.toString().replace(/ +$/gm, "")}\n`;
  };
  const header = () =>
    renderRow(layout.columns.map((c) => (chalk.level ? chalk.bold.underline(c.header) : c.header)));

  return {
    resize(columns, rows) {
      options.columns = columns;
      options.rows = rows;
      layout = fitColumns(all, Math.max(20, columns - 1));
      rowsSinceHeader = 0;
    },
    render(event) {
      let out = "";
      // Repeat the header every screenful on a terminal, once on a pipe.
      if (rowsSinceHeader === 0 || (options.isTTY && rowsSinceHeader >= screenful())) {
        out += header();
        rowsSinceHeader = 0;
      }
      rowsSinceHeader++;
      const cells = layout.columns.map((column) => {
        const cell = column.cell(event, ctx);
        const text = safeCellText(cell, chalk);
        return cell.style && text ? cell.style(text) : text;
      });
      return out + renderRow(cells);
    },
  };
}
