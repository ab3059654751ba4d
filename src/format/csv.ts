import { delimitedRenderer, safeCell } from "./delimited.js";
import type { FormatOptions, Renderer } from "./registry.js";

/*
 * CSV as RFC 4180 writes it: fields with a comma, a quote or a line break are quoted,
 * quotes doubled, rows end in CRLF. A cell a spreadsheet would evaluate as a formula —
 * one starting with =, +, -, @, a tab or a carriage return — gets a leading apostrophe,
 * as OWASP's advice on CSV injection says (a barcode is attacker-controlled text);
 * plain numbers such as -5 are left alone, since they evaluate to themselves.
 */

const FORMULA_START = /^[=+\-@\t\r]/;
/** Of the cells FORMULA_START catches, only a leading minus can start a plain number. */
const NEGATIVE_NUMBER = /^-\d+(\.\d+)?$/;

export function csvCell(text: string): string {
  let cell = safeCell(text);
  if (FORMULA_START.test(cell) && !NEGATIVE_NUMBER.test(cell)) cell = `'${cell}`;
  return /[",\r\n]/.test(cell) || cell !== cell.trim() ? `"${cell.replace(/"/g, '""')}"` : cell;
}

export function createRenderer(options: FormatOptions): Renderer {
  return delimitedRenderer(options, { separator: ",", newline: "\r\n", cell: csvCell });
}
