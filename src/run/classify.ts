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
 * decode → parse → filter → NDJSON line, for a batch. Pure: the same function runs
 * in-thread and in the worker (classify-worker.ts), so both give identical results.
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

/** A batch packed into one transferable buffer for the worker (no per-frame cloning). */
export interface PackedBatch {
  id: number;
  bytes: Uint8Array;
  /** Frame i is bytes[offsets[i], offsets[i+1]). */
  offsets: Uint32Array;
  binary: Uint8Array;
}

/** The worker's answer, shaped for cheap cloning: repeated strings as indexes into tables. */
export interface PackedResult {
  id: number;
  codes: Uint8Array;
  ids: Array<string | undefined>;
  lines: Array<[number, string]>;
  reasons: Array<[number, string]>;
  keys: string[];
  serials: Uint32Array;
  symbologies: Uint32Array;
}

export function packBatch(
  id: number,
  frames: ReadonlyArray<Uint8Array | BinaryFrame>,
): PackedBatch {
  const n = frames.length;
  const offsets = new Uint32Array(n + 1);
  const binary = new Uint8Array(n);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const f = frames[i]!;
    const data = f instanceof BinaryFrame ? f.data : f;
    if (f instanceof BinaryFrame) binary[i] = 1;
    offsets[i] = size;
    size += data.byteLength;
  }
  offsets[n] = size;
  const bytes = new Uint8Array(size);
  for (let i = 0; i < n; i++) {
    const f = frames[i]!;
    bytes.set(f instanceof BinaryFrame ? f.data : f, offsets[i]);
  }
  return { id, bytes, offsets, binary };
}

export function unpackBatch(batch: PackedBatch): Frame[] {
  const frames: Frame[] = new Array(batch.offsets.length - 1);
  const buf = Buffer.from(batch.bytes.buffer, batch.bytes.byteOffset, batch.bytes.byteLength);
  for (let i = 0; i < frames.length; i++) {
    const start = batch.offsets[i]!;
    const end = batch.offsets[i + 1]!;
    frames[i] = batch.binary[i]
      ? new BinaryFrame(buf.subarray(start, end))
      : buf.toString("utf8", start, end);
  }
  return frames;
}

export function packResult(id: number, c: Classified): PackedResult {
  const n = c.codes.length;
  const keys: string[] = [];
  const index = new Map<string, number>();
  const keyOf = (k: string | undefined) => {
    if (k === undefined) return 0;
    let at = index.get(k);
    if (at === undefined) {
      at = keys.push(k);
      index.set(k, at);
    }
    return at;
  };
  const serials = new Uint32Array(n);
  const symbologies = new Uint32Array(n);
  const lines: Array<[number, string]> = [];
  const reasons: Array<[number, string]> = [];
  for (let i = 0; i < n; i++) {
    serials[i] = keyOf(c.serials[i]);
    symbologies[i] = keyOf(c.symbologies[i]);
    if (c.lines[i] !== undefined) lines.push([i, c.lines[i]!]);
    if (c.reasons[i] !== undefined) reasons.push([i, c.reasons[i]!]);
  }
  return { id, codes: c.codes, ids: c.ids, lines, reasons, keys, serials, symbologies };
}

export function unpackResult(r: PackedResult): Classified {
  const n = r.codes.length;
  const c: Classified = {
    codes: r.codes,
    ids: r.ids,
    lines: new Array(n),
    reasons: new Array(n),
    serials: new Array(n),
    symbologies: new Array(n),
  };
  for (const [i, line] of r.lines) c.lines[i] = line;
  for (const [i, reason] of r.reasons) c.reasons[i] = reason;
  for (let i = 0; i < n; i++) {
    const s = r.serials[i]!;
    const y = r.symbologies[i]!;
    if (s) c.serials[i] = r.keys[s - 1];
    if (y) c.symbologies[i] = r.keys[y - 1];
  }
  return c;
}
