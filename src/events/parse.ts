import { sanitize } from "../util/sanitize.js";
import type { ScanEvent } from "./event.js";

export type ParsedFrame = { ok: true; event: ScanEvent } | { ok: false; reason: string };

/**
 * A frame is an event only if it is a JSON object carrying a usable `event_id` (a
 * non-empty string, or a number) or `event_type` (a string) — see "Frames that are not
 * events" in docs/architecture.md. API Gateway itself sends objects such as
 * `{"message":"Forbidden","connectionId":…}` and plain `Internal server error`.
 */
export function parseFrame(data: string | { data: Uint8Array }): ParsedFrame {
  if (typeof data !== "string") return { ok: false, reason: binaryFrameReason(data) };
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { ok: false, reason: `not JSON: ${preview(data)}` };
  }
  return classify(value, data);
}

/** Why a binary frame is not an event (the feed sends events as text). */
export function binaryFrameReason(frame: { data: Uint8Array }): string {
  return `binary frame (${frame.data.length} bytes)`;
}

function usableId(value: unknown): boolean {
  return (typeof value === "string" && value.length > 0) || Number.isFinite(value);
}

export function classify(value: unknown, data: string): ParsedFrame {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
    return { ok: false, reason: `not an event (${kind}): ${preview(data)}` };
  }
  const record = value as Record<string, unknown>;
  const id = Object.hasOwn(record, "event_id") ? record.event_id : undefined;
  const type = Object.hasOwn(record, "event_type") ? record.event_type : undefined;
  if (id === undefined && type === undefined) {
    // JSON.parse gives plain objects: a string `message` can only be the frame's own.
    if (typeof record.message === "string") {
      return { ok: false, reason: `message from the server: ${preview(record.message, 120)}` };
    }
    return { ok: false, reason: `object without event_id or event_type: ${preview(data)}` };
  }
  if (id !== undefined && !usableId(id)) {
    return {
      ok: false,
      reason: `event_id is not a non-empty string or a number: ${preview(data)}`,
    };
  }
  if (type !== undefined && typeof type !== "string") {
    return { ok: false, reason: `event_type is not a string: ${preview(data)}` };
  }
  return { ok: true, event: record as ScanEvent };
}

/** The key that identifies an event for de-duplication, when it has one. */
export function eventKey(event: ScanEvent): string | undefined {
  const id = event.event_id as unknown;
  if (typeof id === "string") return id;
  if (typeof id === "number") return `#${id}`;
  return undefined;
}

/**
 * A short, single-line, terminal-safe excerpt of untrusted text for diagnostics: the same
 * escaping as pretty and table output (stderr is a terminal too).
 */
export function preview(text: string, max = 80): string {
  // Only the start is escaped (a frame may be megabytes long). Escaping never shortens
  // text, so a cut start is always longer than `max` and told as cut below.
  const oneLine = sanitize(text.slice(0, max * 4));
  return oneLine.length > max ? `${oneLine.slice(0, max)}… (${text.length} chars)` : oneLine;
}
