import type { ScanEvent } from "../events/event.js";
import { compileFilter, compileRawPrecheck, type FilterOptions } from "../events/filter.js";
import { isCompactJson, parseFrame } from "../events/parse.js";
import { resolveProjection } from "../format/columns.js";

/** What became of one frame. */
export const SHOWN = 0;
export const INVALID = 1;
export const FILTERED = 2;
/** A blank line of a recording: neither an event nor an error. */
export const BLANK = 3;

/**
 * The verdict on a batch of frames, in arrays indexed like the frames (plain data, so a
 * worker thread can send it back). Duplicates are decided later, on the main thread, from
 * `ids`, because only the main thread sees every connection's frames in order.
 */
export interface Classified {
  codes: Uint8Array;
  /** event_id of SHOWN and FILTERED events (for de-duplication). */
  ids: Array<string | undefined>;
  /** The NDJSON line (no newline) of a SHOWN event when it differs from the frame. */
  lines: Array<string | undefined>;
  reasons: Array<string | undefined>;
  serials: Array<string | undefined>;
  symbologies: Array<string | undefined>;
  /** Parsed SHOWN events, only when the renderer needs objects (in-thread). */
  events?: Array<ScanEvent | undefined>;
}

export interface ClassifyOptions {
  filterOptions: FilterOptions;
  /** Project NDJSON lines to these fields (-o ndjson --fields). */
  fields?: string[];
  /** Frames are lines of a recording (blank lines are skipped). */
  lines: boolean;
  /** Keep parsed events for a renderer (pretty, table, devices). */
  keepEvents: boolean;
}

export type ClassifyBatch = (frames: ReadonlyArray<string | Uint8Array>) => Classified;

/**
 * parse → filter → NDJSON line, for a batch. Pure: the same function runs in-thread and in
 * the worker (classify-worker.ts), so both paths give identical results.
 */
export function createClassifier(options: ClassifyOptions): ClassifyBatch {
  const filter = compileFilter(options.filterOptions);
  const precheck = compileRawPrecheck(options.filterOptions);
  const projection = options.fields?.length ? resolveProjection(options.fields) : undefined;
  return (frames) => {
    const n = frames.length;
    const result: Classified = {
      codes: new Uint8Array(n),
      ids: new Array(n),
      lines: new Array(n),
      reasons: new Array(n),
      serials: new Array(n),
      symbologies: new Array(n),
      events: options.keepEvents ? new Array(n) : undefined,
    };
    for (let i = 0; i < n; i++) {
      const raw = frames[i]!;
      const frame =
        typeof raw === "string" ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      if (
        options.lines &&
        typeof frame === "string" &&
        (frame.length === 0 || frame.trim() === "")
      ) {
        result.codes[i] = BLANK;
        continue;
      }
      if (precheck && typeof frame === "string" && !precheck(frame)) {
        result.codes[i] = FILTERED;
        continue;
      }
      const parsed = parseFrame(frame);
      if (!parsed.ok) {
        result.codes[i] = INVALID;
        result.reasons[i] = parsed.reason;
        continue;
      }
      const event = parsed.event;
      if (typeof event.event_id === "string") result.ids[i] = event.event_id;
      let keep: boolean;
      try {
        keep = filter(event);
      } catch {
        keep = false;
      }
      if (!keep) {
        result.codes[i] = FILTERED;
        continue;
      }
      result.codes[i] = SHOWN;
      if (typeof event.device_serial === "string") result.serials[i] = event.device_serial;
      if (typeof event.scan_decode_symbology === "string")
        result.symbologies[i] = event.scan_decode_symbology;
      if (projection) {
        const out: Record<string, unknown> = {};
        for (const field of projection) if (event[field] !== undefined) out[field] = event[field];
        result.lines[i] = JSON.stringify(out);
      } else if (!isCompactJson(frame as string)) {
        result.lines[i] = JSON.stringify(event);
      }
      if (result.events) result.events[i] = event;
    }
    return result;
  };
}
