import { delimitedRenderer, safeCell } from "./delimited.js";
import type { FormatOptions, Renderer } from "./registry.js";

/*
 * Tab-separated values as `cut -f` and `sort -t$'\t'` read them: one line per row, no
 * quoting; a tab, newline, carriage return or backslash inside a value is written as
 * \t, \n, \r or \\ so every row stays one line and every value one field.
 */
export function tsvCell(text: string): string {
  return safeCell(text.replace(/\\/g, "\\\\"));
}

export function createRenderer(options: FormatOptions): Renderer {
  return delimitedRenderer(options, { separator: "\t", newline: "\n", cell: tsvCell });
}
