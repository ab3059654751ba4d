import type { ScanEvent } from "../events/event.js";
import { sanitize } from "../util/sanitize.js";
import type { FormatOptions, Renderer } from "./registry.js";
import { valueGetter } from "./values.js";

/*
 * `--template '{{serial}} scanned {{code}} at {{station}}'`: one line per event.
 * `{{name}}` is an event field (dotted paths reach into objects and arrays:
 * `{{metrics.0.values.0}}`) or a column name (time, serial, code, symbology, station,
 * gateway, battery, latency); a missing field is empty. `\t`, `\n` and `\\` in the
 * template stand for a tab, a newline and a backslash, since shells pass them literally.
 */

type Part = string | ((event: ScanEvent) => string);

export function compileTemplate(template: string, options: Pick<FormatOptions, "time">): Part[] {
  const parts: Part[] = [];
  const unescapeText = (text: string) =>
    text.replace(/\\([tn\\])/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : "\\"));
  let last = 0;
  for (const match of template.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
    // Literal text between placeholders, "" included: one rule, no special cases.
    parts.push(unescapeText(template.slice(last, match.index)));
    const get = valueGetter(match[1]!, options.time);
    // Values are untrusted feed text: escaped like every other format's.
    parts.push((event) => sanitize(get(event)));
    last = match.index + match[0].length;
  }
  parts.push(unescapeText(template.slice(last)));
  return parts;
}

export function createRenderer(options: FormatOptions): Renderer {
  const parts = compileTemplate(options.template ?? "", options);
  return {
    render(event) {
      let line = "";
      for (const part of parts) line += typeof part === "string" ? part : part(event);
      return `${line}\n`;
    },
  };
}
