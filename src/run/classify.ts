import type { ScanEvent } from "../events/event.js";
import { compileFilter, compileRawPrecheck, type FilterOptions } from "../events/filter.js";
import { binaryFrameReason, eventKey, parseFrame } from "../events/parse.js";
import { BinaryFrame, type Frame, frameText } from "../feed/frame.js";

/** What became of one frame: one tagged result, so readers need no casts. */
export type Verdict =
  | {
      kind: "event";
      event: ScanEvent;
      /** De-duplication key (event_id), when the event has one. */
      key: string | undefined;
      /** The frame's text, decoded once. */
      text: string;
      /** The frame as received (bytes of a live frame, a recording's line). */
      frame: string | Uint8Array;
    }
  | { kind: "filtered"; key: string | undefined }
  | { kind: "invalid"; reason: string }
  /** A blank line of a recording: neither an event nor an error. */
  | { kind: "blank" };

export type Classify = (
  frame: Frame,
  options: { recording: boolean; textPrecheck: boolean },
) => Verdict;

const FILTERED_UNKNOWN: Verdict = { kind: "filtered", key: undefined };
const BLANK: Verdict = { kind: "blank" };

/**
 * A recording's line that looks like a JSON object (first non-blank character `{`, last
 * `}`). Only such a line may be ruled out by the text pre-check: anything else is decoded
 * and reported as the bad line it is.
 */
function looksLikeObject(text: string): boolean {
  const trimmed = text.trim();
  return trimmed.startsWith("{") && trimmed.endsWith("}");
}

/**
 * decode → parse → filter for one frame: a pure function of its input, so it is tested
 * without sockets or terminals. The text pre-check (a cheap "certainly no match" on the
 * raw text) runs only for a recording's lines that look like objects — on a live feed a
 * filter must never hide a frame that is not an event.
 */
export function createClassifier(filterOptions: FilterOptions): Classify {
  const filter = compileFilter(filterOptions);
  const precheck = compileRawPrecheck(filterOptions);
  return (raw, options) => {
    if (raw instanceof BinaryFrame) return { kind: "invalid", reason: binaryFrameReason(raw) };
    const text = frameText(raw);
    if (options.recording && text.trim() === "") return BLANK;
    if (precheck && options.textPrecheck && !precheck(text) && looksLikeObject(text)) {
      return FILTERED_UNKNOWN;
    }
    const parsed = parseFrame(text);
    if (!parsed.ok) return { kind: "invalid", reason: parsed.reason };
    const event = parsed.event;
    const key = eventKey(event);
    let keep: boolean;
    try {
      keep = filter(event);
    } catch {
      keep = false;
    }
    if (!keep) return { kind: "filtered", key };
    return { kind: "event", event, key, text, frame: raw };
  };
}
