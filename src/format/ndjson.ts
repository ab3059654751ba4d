import type { ScanEvent } from "../events/event.js";
import { isCompactJson } from "../events/parse.js";
import { resolveProjection } from "./columns.js";
import type { FormatOptions, Renderer } from "./registry.js";

/*
 * Exactly one line per event: the object as received, every field, compact JSON. When the
 * received text is already compact it is passed through untouched (cheaper, and it keeps
 * the server's own spelling of every value); otherwise it is re-serialised. The pipeline
 * calls these two functions while classifying (run/classify.ts), so that a live frame's
 * bytes can go to stdout without being re-encoded; the renderer below is the same rule
 * for anyone holding events.
 */

/** The line for `event`, or undefined when the received `frame` already is that line. */
export function wholeLine(event: ScanEvent, frame: string): string | undefined {
  return isCompactJson(frame) ? undefined : JSON.stringify(event);
}

/** The event cut down to `fields` (already resolved), in that order. */
export function projectedLine(event: ScanEvent, fields: readonly string[]): string {
  const out: Record<string, unknown> = {};
  for (const field of fields) if (event[field] !== undefined) out[field] = event[field];
  return JSON.stringify(out);
}

export function createRenderer(options: FormatOptions): Renderer {
  const fields = options.fields?.length ? resolveProjection(options.fields) : undefined;
  return {
    render: (event, raw) =>
      `${fields ? projectedLine(event, fields) : (wholeLine(event, raw) ?? raw)}\n`,
  };
}
