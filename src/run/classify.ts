import type { ScanEvent } from "../events/event.js";
import { compileFilter, compileRawPrecheck, type FilterOptions } from "../events/filter.js";
import { parseFrame } from "../events/parse.js";
import { BinaryFrame, type Frame, frameText } from "../feed/frame.js";
import { projectedLine, wholeLine } from "../format/ndjson.js";

/** What became of one frame. */
export const SHOWN = 0;
export const INVALID = 1;
export const FILTERED = 2;
/** A blank line of a recording: neither an event nor an error. */
export const BLANK = 3;

/**
 * The verdict on a batch of frames, in arrays indexed like the frames. Duplicates are
 * decided by the stream from `ids`, since it sees every connection's batches in order.
 */
export interface Classified {
  codes: Uint8Array;
  /** event_id of SHOWN and FILTERED events (for de-duplication). */
  ids: Array<string | undefined>;
  /** The whole-event NDJSON line of a SHOWN event whose frame is not already that line. */
  lines: Array<string | undefined>;
  /** The projected NDJSON line of each SHOWN event (-o ndjson --fields). */
  projected?: Array<string | undefined>;
  reasons: Array<string | undefined>;
  serials: Array<string | undefined>;
  symbologies: Array<string | undefined>;
  /** Parsed SHOWN events, only when the renderer needs objects. */
  events?: Array<ScanEvent | undefined>;
}

export interface ClassifyOptions {
  filterOptions: FilterOptions;
  /** Frames are lines of a recording (blank lines are skipped). */
  recording: boolean;
  /** Work out whole-event lines (for -o ndjson and --tee; otherwise no one needs them). */
  wholeLines: boolean;
  /** Resolved fields for -o ndjson --fields. */
  projection?: readonly string[];
  /** Keep parsed events for a renderer (pretty, table, devices). */
  keepEvents: boolean;
}

export type ClassifyBatch = (frames: ReadonlyArray<Frame>) => Classified;

/**
 * decode → parse → filter → NDJSON lines, for a batch: a pure function of its input, so
 * it is tested without sockets or terminals.
 */
export function createClassifier(options: ClassifyOptions): ClassifyBatch {
  const filter = compileFilter(options.filterOptions);
  const precheck = compileRawPrecheck(options.filterOptions);
  const { projection } = options;
  return (frames) => {
    const n = frames.length;
    const result: Classified = {
      codes: new Uint8Array(n),
      ids: new Array(n),
      lines: new Array(n),
      projected: projection ? new Array(n) : undefined,
      reasons: new Array(n),
      serials: new Array(n),
      symbologies: new Array(n),
      events: options.keepEvents ? new Array(n) : undefined,
    };
    for (let i = 0; i < n; i++) {
      const raw = frames[i]!;
      const text = raw instanceof BinaryFrame ? undefined : frameText(raw);
      if (text !== undefined) {
        if (options.recording && (text.length === 0 || text.trim() === "")) {
          result.codes[i] = BLANK;
          continue;
        }
        if (precheck && !precheck(text)) {
          result.codes[i] = FILTERED;
          continue;
        }
      }
      const parsed = parseFrame(text ?? (raw as BinaryFrame));
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
      if (options.wholeLines) result.lines[i] = wholeLine(event, text!);
      if (result.projected) result.projected[i] = projectedLine(event, projection!);
      if (result.events) result.events[i] = event;
    }
    return result;
  };
}
