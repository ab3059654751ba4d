import type { ScanEvent } from "../events/event.js";
import { compileFilter, compileRawPrecheck, type FilterOptions } from "../events/filter.js";
import { isCompactJson, parseFrame } from "../events/parse.js";
import { BinaryFrame, type Frame, frameText } from "../feed/frame.js";
import { resolveProjection } from "../format/columns.js";

/** What became of one frame. */
export const SHOWN = 0;
export const INVALID = 1;
export const FILTERED = 2;
/** A blank line of a recording: neither an event nor an error. */
export const BLANK = 3;

/**
 * The verdict on a batch of frames, in arrays indexed like the frames. Duplicates are
 * decided later, on the main thread, from `ids`: only it sees every batch in order.
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
  /** Parsed SHOWN events, only when the renderer needs objects. */
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

export type ClassifyBatch = (frames: ReadonlyArray<Frame>) => Classified;

/**
 * decode → parse → filter → NDJSON line, for a batch: a pure function of its input, so
 * it is tested without sockets or terminals.
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
      if (raw instanceof BinaryFrame) {
        result.codes[i] = INVALID;
        const parsed = parseFrame(raw);
        result.reasons[i] = parsed.ok ? "binary frame" : parsed.reason;
        continue;
      }
      const frame = frameText(raw);
      if (options.lines && (frame.length === 0 || frame.trim() === "")) {
        result.codes[i] = BLANK;
        continue;
      }
      if (precheck && !precheck(frame)) {
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
      if (typeof event.scan_decode_symbology === "string") {
        result.symbologies[i] = event.scan_decode_symbology;
      }
      if (projection) {
        const out: Record<string, unknown> = {};
        for (const field of projection) if (event[field] !== undefined) out[field] = event[field];
        result.lines[i] = JSON.stringify(out);
      } else if (!isCompactJson(frame)) {
        result.lines[i] = JSON.stringify(event);
      }
      if (result.events) result.events[i] = event;
    }
    return result;
  };
}
