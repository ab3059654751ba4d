import { sanitize } from "../format/sanitize.js";
import type { ScanEvent } from "./event.js";

export type ParsedFrame = { ok: true; event: ScanEvent } | { ok: false; reason: string };

/**
 * A frame is an event only if it is a JSON object carrying `event_id` or `event_type`
 * (insight-api.md §1). API Gateway itself sends objects such as
 * `{"message":"Forbidden","connectionId":…}` and plain `Internal server error`.
 */
export function parseFrame(data: string | { data: Uint8Array }): ParsedFrame {
  if (typeof data !== "string")
    return { ok: false, reason: `binary frame (${data.data.length} bytes)` };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, reason: `not JSON: ${preview(data)}` };
  }
  return classify(value, data);
}

export function classify(value: unknown, data: string): ParsedFrame {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return { ok: false, reason: `not an event (${kind}): ${preview(data)}` };
  }
  const record = value as Record<string, unknown>;
  if (record.event_id === undefined && record.event_type === undefined) {
    if (typeof record.message === "string") {
      return { ok: false, reason: `message from the server: ${preview(record.message, 120)}` };
    }
    return { ok: false, reason: `object without event_id or event_type: ${preview(data)}` };
  }
  return { ok: true, event: record as ScanEvent };
}

/**
 * A short, single-line, terminal-safe excerpt of untrusted text for diagnostics: the same
 * escaping as pretty and table output (stderr is a terminal too).
 */
export function preview(text: string, max = 80): string {
  const oneLine = sanitize(text);
  return oneLine.length > max ? `${oneLine.slice(0, max)}… (${text.length} chars)` : oneLine;
}

/**
 * True when `text` is already compact JSON (no whitespace outside strings), so ndjson can
 * pass the received text through byte for byte instead of re-serialising it. The pattern
 * is the "unrolled loop": runs outside strings and strings strictly alternate, so it
 * never backtracks (linear on hostile input) and runs of plain characters are consumed
 * in one step.
 */
const COMPACT_JSON = /^[^"\s]*(?:"[^"\\]*(?:\\.[^"\\]*)*"[^"\s]*)*$/s;
export function isCompactJson(text: string): boolean {
  return COMPACT_JSON.test(text);
}
