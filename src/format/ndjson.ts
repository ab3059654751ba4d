import type { ScanEvent } from "../events/event.js";
import { resolveProjection } from "./columns.js";
import type { OutputBuffer } from "./output-buffer.js";
import type { FormatOptions, Renderer, Shown } from "./registry.js";

/*
 * Exactly one line per event: the object as received, every field, compact JSON. When the
 * received text is already compact it is passed through untouched — the received bytes
 * of a live frame go out as they came (cheaper, and it keeps the server's own spelling of
 * every value); otherwise whitespace outside strings is removed by a linear scan, never
 * by re-serialising: JSON.stringify recurses, and a hostile frame nested a few thousand
 * levels deep would overflow the stack (JSON.parse does not).
 */

/**
 * True when `text` is already compact JSON (no whitespace outside strings). The pattern
 * is the "unrolled loop": runs outside strings and strings strictly alternate, so it
 * never backtracks (linear on hostile input) and runs of plain characters are consumed
 * in one step.
 */
const COMPACT_JSON = /^[^"\s]*(?:"[^"\\]*(?:\\.[^"\\]*)*"[^"\s]*)*$/s;
export function isCompactJson(text: string): boolean {
  return COMPACT_JSON.test(text);
}

const WHITESPACE = /[ \t\n\r]/;

/** Valid JSON text without the whitespace between tokens; strings kept byte for byte. */
export function compactJson(text: string): string {
  let out = "";
  let runStart = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      // Skip the string, honouring escapes.
      i++;
      while (i < n) {
        const c = text.charCodeAt(i);
        if (c === 92 /* \ */) i += 2;
        else if (c === 34) break;
        else i++;
      }
      i++;
      continue;
    }
    if (WHITESPACE.test(text[i]!)) {
      out += text.slice(runStart, i);
      while (i < n && WHITESPACE.test(text[i]!)) i++;
      runStart = i;
      continue;
    }
    i++;
  }
  return out + text.slice(runStart);
}

/** The whole-event line for a frame (without its newline). */
export function wholeLine(shown: Shown): string | Uint8Array {
  return isCompactJson(shown.text) ? shown.frame : compactJson(shown.text);
}

/**
 * The event cut down to `fields` (already resolved), in that order, own fields only (a
 * field set to undefined is left out by JSON.stringify, like a missing one).
 */
export function projectedLine(event: ScanEvent, fields: readonly string[]): string {
  const out: Record<string, unknown> = Object.create(null);
  for (const field of fields) {
    if (Object.hasOwn(event, field)) out[field] = event[field];
  }
  return JSON.stringify(out);
}

function lineRenderer(fields: readonly string[] | undefined): Renderer {
  return {
    render: (event, text) =>
      `${fields ? projectedLine(event, fields) : isCompactJson(text) ? text : compactJson(text)}\n`,
    write(shown: Shown, out: OutputBuffer) {
      out.line(fields ? projectedLine(shown.event, fields) : wholeLine(shown));
    },
  };
}

export function createRenderer(options: Pick<FormatOptions, "fields">): Renderer {
  return lineRenderer(options.fields?.length ? resolveProjection(options.fields) : undefined);
}

/** Whole events as received: what `--tee` and every recording get. */
export function createRecordingRenderer(): Renderer {
  return lineRenderer(undefined);
}
