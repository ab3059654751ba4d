import { sanitize } from "../util/sanitize.js";
import {
  type Column,
  type ColumnContext,
  DEFAULT_PRETTY_COLUMNS,
  resolveColumns,
  timeWidth,
} from "./columns.js";
import type { FormatOptions, Renderer } from "./registry.js";
import { highlightMatches } from "./table.js";

/** Room the code keeps on a terminal line before lower-priority fields drop out. */
const CODE_ROOM = 16;
/** Dropped first when a terminal is narrow. */
const DROP_ORDER = ["latency", "battery", "device_battery", "where", "scan_decode_symbology"];

/**
 * One human line per event. Columns are padded to the widest value seen so far, so
 * lines settle into alignment; the code comes last and is never cut. On a terminal no
 * line is wider than the terminal: low-priority fields drop out on narrow ones, other
 * fields are shortened, and a code longer than the room left continues on the next
 * line, indented under the code column. Off a terminal (or with --wide) nothing is cut.
 */
export function createRenderer(options: FormatOptions): Renderer {
  const all: Column[] = resolveColumns(options.fields, DEFAULT_PRETTY_COLUMNS);
  const ctx: ColumnContext = { chalk: options.chalk, time: options.time };
  const fitting = options.isTTY && !options.wide;
  const { text: measure, chalk } = options;
  // The time starts as wide as its --time mode needs: a cut time shows only the date.
  const startWidth = (c: Column) =>
    c.name === "time" ? timeWidth(options.time) : Math.min(c.width, 20);
  let columns: Column[];
  let widths: number[];

  const fixedWidth = (cols: Column[], ws: number[]) =>
    cols.reduce((sum, _c, i) => sum + (i === cols.length - 1 ? 0 : ws[i]! + 2), 0);
  const layout = () => {
    columns = [...all];
    widths = columns.map(startWidth);
    if (!fitting) return;
    const avail = options.columns - 1;
    for (const name of DROP_ORDER) {
      if (avail - fixedWidth(columns, widths) >= CODE_ROOM) break;
      const at = columns.findIndex((c) => c.name === name);
      if (at !== -1 && at !== columns.length - 1) {
        columns.splice(at, 1);
        widths.splice(at, 1);
      }
    }
    // Still too narrow: shorten the fields nearest the code first, down to their minimum.
    for (
      let i = columns.length - 2;
      i >= 0 && avail - fixedWidth(columns, widths) < CODE_ROOM;
      i--
    ) {
      const deficit = CODE_ROOM - (avail - fixedWidth(columns, widths));
      widths[i] = Math.max(columns[i]!.minWidth ?? 4, widths[i]! - deficit);
    }
  };
  layout();

  return {
    resize(cols, rows) {
      options.columns = cols;
      options.rows = rows;
      layout();
    },
    render(event) {
      const last = columns.length - 1;
      const avail = options.columns - 1;
      let line = "";
      for (let i = 0; i < last; i++) {
        const column = columns[i]!;
        const cell = column.cell(event, ctx);
        let text = sanitize(cell.text);
        let w = measure.width(text);
        // Widths grow to fit, but a single huge value does not push every later line
        // right, and on a terminal the code keeps its room.
        if (w > widths[i]! && w <= 40) {
          const grown = [...widths];
          grown[i] = w;
          if (!fitting || avail - fixedWidth(columns, grown) >= CODE_ROOM) widths[i] = w;
        }
        if (fitting && w > widths[i]!) {
          text = measure.truncate(text, widths[i]!);
          w = measure.width(text);
        }
        const pad = " ".repeat(Math.max(0, widths[i]! - w));
        // Styles are chalk's, which leave an empty text empty.
        const styled = cell.style ? cell.style(text) : text;
        line += `${column.align === "right" ? pad + styled : styled + pad}  `;
      }
      const codeColumn = columns[last]!;
      const codeCell = codeColumn.cell(event, ctx);
      const code = sanitize(codeCell.text);
      const offset = measure.width(line);
      const style = (s: string) => {
        const marked =
          codeColumn.name === "scan_code" ? highlightMatches(s, options.highlight, chalk) : s;
        return codeCell.style ? codeCell.style(marked) : marked;
      };
      const room = avail - offset;
      if (!fitting || room < 1 || measure.width(code) <= room) {
        return `${(line + style(code)).trimEnd()}\n`;
      }
      // Continue a long code on the next lines, under the code column.
      const pieces: string[] = [];
      let piece = "";
      let used = 0;
      for (const ch of code) {
        const cw = measure.width(ch);
        if (used + cw > room) {
          pieces.push(piece);
          piece = "";
          used = 0;
        }
        piece += ch;
        used += cw;
      }
      // The code is wider than the room, so the last piece is never empty.
      pieces.push(piece);
      const indent = " ".repeat(offset);
      return `${line}${pieces.map(style).join(`\n${indent}`)}\n`;
    },
  };
}
