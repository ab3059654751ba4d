import type { Readable } from "node:stream";
import { type FilterOptions, splitList } from "../events/filter.js";
import { hasGlob } from "../util/glob.js";
import type { Origin, Source, SourceItem } from "./source.js";

/**
 * A recording (NDJSON file or stdin) as a source. Lines are split as bytes: a line longer
 * than `maxLineBytes` is reported by number and skipped without being held in memory (a
 * recording of API Gateway frames never has lines above 128 KB; /dev/zero has no line
 * end at all), a UTF-8 byte-order mark is dropped, and the reader stops as soon as `stop`
 * aborts, even while the writer of a pipe or FIFO is silent.
 */
export interface RecordingOptions {
  /** The bytes: a file's read stream, or stdin. */
  input: Readable;
  /** Pace lines by their time_created, `speed` times faster than they happened. */
  speed?: number;
  /** A byte pre-scan needle (see scanNeedle); only for unpaced reads. */
  needle?: Buffer;
  /** Allow a cheap text test to rule lines out before decoding (off with --strict). */
  textPrecheck: boolean;
  maxLineBytes?: number;
  now: () => number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** 16 MiB: far above API Gateway's 128 KB message limit, far below trouble. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const BATCH = 512;
const NL = 10;
const CR = 13;
const ORIGIN: Origin = { source: "recording" };

export function openRecording(options: RecordingOptions): Source {
  return {
    origin: ORIGIN,
    live: false,
    items: (stop) => {
      if (options.speed !== undefined) return paced(options, options.speed, stop);
      if (options.needle) return preScanned(options, options.needle, stop);
      return plain(options, stop);
    },
  };
}

/**
 * Stream chunks until the end or `stop`. A read from a pipe or FIFO whose writer is
 * silent never settles, and destroying the stream waits for it: the stop does not wait
 * with it (that read ends once the writer writes or closes).
 */
async function* chunks(input: Readable, stop: AbortSignal): AsyncGenerator<Buffer> {
  const reads: AsyncIterator<Buffer | string> = input[Symbol.asyncIterator]();
  const onAbort = () => input.destroy();
  stop.addEventListener("abort", onAbort);
  try {
    while (!stop.aborted) {
      const next = await nextUnlessStopped(reads, stop);
      if (next.done) return;
      yield typeof next.value === "string" ? Buffer.from(next.value) : next.value;
    }
  } finally {
    stop.removeEventListener("abort", onAbort);
    // A reader that stops early ends the stream. After a stop the stream is destroyed
    // already, and a read may still be waiting: return() would wait with it.
    if (!stop.aborted) await reads.return?.();
  }
}

/**
 * The next read, or the end as soon as `stop` aborts. (Not Promise.race against one
 * promise for the whole stream: each race would leave a reaction on it, and with it the
 * chunk it read.)
 */
function nextUnlessStopped<T>(
  reads: AsyncIterator<T>,
  stop: AbortSignal,
): Promise<IteratorResult<T, undefined>> {
  return new Promise((resolve, reject) => {
    const onStop = () => resolve({ done: true, value: undefined });
    stop.addEventListener("abort", onStop);
    reads.next().then(
      (result) => {
        stop.removeEventListener("abort", onStop);
        resolve(result);
      },
      (error) => {
        stop.removeEventListener("abort", onStop);
        reject(error);
      },
    );
  });
}

interface Line {
  oversized?: undefined;
  /** The bytes of the line, without its end (\n or \r\n). */
  buf: Buffer;
  start: number;
  end: number;
  number: number;
}

interface Oversized {
  oversized: true;
  number: number;
  bytes: number;
}

type LineEvent = Line | Oversized;

/**
 * Splits a byte stream into lines, regions of one chunk where possible (no copies); only
 * a line that spans chunks is assembled. Blank lines are yielded too (line numbers).
 */
async function* lines(
  input: Readable,
  stop: AbortSignal,
  maxLineBytes: number,
): AsyncGenerator<LineEvent[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let skipping = false;
  let lineNo = 1;
  let first = true;
  const endOf = (buf: Buffer, start: number, nl: number) =>
    nl > start && buf[nl - 1] === CR ? nl - 1 : nl;
  for await (let chunk of chunks(input, stop)) {
    if (first && chunk.length > 0) {
      first = false;
      if (chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    }
    const out: LineEvent[] = [];
    let pos = 0;
    for (let nl = chunk.indexOf(NL, pos); nl !== -1; nl = chunk.indexOf(NL, pos)) {
      if (skipping) {
        // Only a chunk's first line end can end a skipped line: pos is 0 here.
        out.push({ oversized: true, number: lineNo, bytes: pendingBytes + nl });
        skipping = false;
        pendingBytes = 0;
      } else if (pendingBytes > 0) {
        pending.push(chunk.subarray(pos, nl));
        const whole = Buffer.concat(pending);
        pending = [];
        pendingBytes = 0;
        if (whole.length > maxLineBytes) {
          out.push({ oversized: true, number: lineNo, bytes: whole.length });
        } else {
          out.push({ buf: whole, start: 0, end: endOf(whole, 0, whole.length), number: lineNo });
        }
      } else if (nl - pos > maxLineBytes) {
        out.push({ oversized: true, number: lineNo, bytes: nl - pos });
      } else {
        out.push({ buf: chunk, start: pos, end: endOf(chunk, pos, nl), number: lineNo });
      }
      lineNo++;
      pos = nl + 1;
      if (out.length >= BATCH) {
        yield out.splice(0);
      }
    }
    if (pos < chunk.length) {
      const rest = chunk.length - pos;
      if (skipping || pendingBytes + rest > maxLineBytes) {
        // Drop what we have: the line is reported once its end arrives (or at the end).
        skipping = true;
        pending = [];
        pendingBytes += rest;
      } else {
        // Copy: the chunk's memory must not be pinned by a partial line.
        pending.push(Buffer.from(chunk.subarray(pos)));
        pendingBytes += rest;
      }
    }
    if (out.length) yield out;
  }
  if (stop.aborted) return;
  if (skipping) yield [{ oversized: true, number: lineNo, bytes: pendingBytes }];
  else if (pendingBytes > 0) {
    const whole = Buffer.concat(pending);
    yield [{ buf: whole, start: 0, end: endOf(whole, 0, whole.length), number: lineNo }];
  }
}

function oversized(event: Oversized, max: number): SourceItem {
  return {
    kind: "problem",
    origin: ORIGIN,
    line: event.number,
    reason: `line longer than ${Math.round(max / 1024 / 1024)} MiB (${event.bytes} bytes so far), skipped`,
  };
}

/** Every line decoded and passed on, in batches. */
async function* plain(options: RecordingOptions, stop: AbortSignal): AsyncGenerator<SourceItem> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  for await (const batch of lines(options.input, stop, max)) {
    let frames: string[] = [];
    let numbers: number[] = [];
    for (const line of batch) {
      if (line.oversized) {
        if (frames.length) {
          yield frameItem(frames, numbers, options.textPrecheck);
          frames = [];
          numbers = [];
        }
        yield oversized(line, max);
        continue;
      }
      frames.push(line.buf.toString("utf8", line.start, line.end));
      numbers.push(line.number);
    }
    if (frames.length) yield frameItem(frames, numbers, options.textPrecheck);
  }
}

type FramesItem = Extract<SourceItem, { kind: "frames" }>;

function frameItem(frames: string[], numbers: number[], textPrecheck: boolean): FramesItem {
  return { kind: "frames", origin: ORIGIN, frames, lineNumbers: numbers, textPrecheck };
}

const TIME_CREATED = /"time_created"\s*:\s*(\d+(?:\.\d+)?)/;

/** One line at a time, each at its time_created (relative to the first), scaled by speed. */
async function* paced(
  options: RecordingOptions,
  speed: number,
  stop: AbortSignal,
): AsyncGenerator<SourceItem> {
  let firstEventAt: number | undefined;
  let startedAt = 0;
  for await (const item of plain({ ...options, needle: undefined }, stop)) {
    if (item.kind !== "frames") {
      yield item;
      continue;
    }
    for (let i = 0; i < item.frames.length; i++) {
      const line = item.frames[i] as string;
      const match = TIME_CREATED.exec(line);
      if (match) {
        const t = Number(match[1]);
        if (firstEventAt === undefined) {
          firstEventAt = t;
          startedAt = options.now();
        } else {
          const wait = startedAt + (t - firstEventAt) / speed - options.now();
          if (wait > 0) await options.sleep(wait, stop);
          if (stop.aborted) return;
        }
      }
      yield frameItem([line], [item.lineNumbers![i]!], item.textPrecheck === true);
    }
  }
}

/**
 * The bytes every matching line must contain, when the filters allow a byte-level
 * pre-scan: a keep-filter with exactly one literal (glob-free) ASCII pattern. Only the
 * longest run of characters that have no case (digits, punctuation) is used, so a plain
 * byte search is exact for a case-insensitive filter. Undefined when no such run of 3+
 * characters exists.
 */
export function scanNeedle(options: FilterOptions): Buffer | undefined {
  let best = "";
  for (const list of [options.serial, options.station, options.gateway, options.eventType]) {
    const patterns = splitList(list);
    if (patterns.length !== 1 || hasGlob(patterns[0]!)) continue;
    for (const run of patterns[0]!.match(/[\u0020-\u0040\u005b-\u0060\u007b-\u007e]+/g) ?? []) {
      // A quote or backslash would be escaped in JSON: not a literal byte run.
      if (!run.includes('"') && !run.includes("\\") && run.length > best.length) best = run;
    }
  }
  if (best.length < 3) return undefined;
  // Measured: Buffer#indexOf is about twice as fast for needles of up to 7 bytes as for
  // longer ones (another search algorithm kicks in); 7 bytes are selective enough.
  return Buffer.from(best.slice(-7)); // ASCII: one byte per character
}

const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

const HEX: Record<number, number> = {};
for (let d = 0; d < 16; d++) {
  HEX["0123456789abcdef".charCodeAt(d)] = d;
  HEX["0123456789ABCDEF".charCodeAt(d)] = d;
}
const SIMPLE_ESCAPES: Record<number, number> = {
  34: 34,
  92: 92,
  47: 47,
  98: 8,
  102: 12,
  110: 10,
  114: 13,
  116: 9,
};

/** Where `needle` next occurs at or after `from`; buf.length (after every line) if nowhere. */
function nextIndex(buf: Buffer, needle: Buffer, from: number): number {
  const at = buf.indexOf(needle, from);
  return at === -1 ? buf.length : at;
}

/**
 * The next backslash at or after `from` whose escape decodes to one of the needle's
 * characters (only such an escape can spell a matching value differently), or buf.length.
 */
function nextRelevantEscape(buf: Buffer, from: number, chars: Set<number>): number {
  for (let k = buf.indexOf(BACKSLASH, from); k !== -1; k = buf.indexOf(BACKSLASH, k + 2)) {
    const kind = buf[k + 1]!;
    if (kind === 117 /* u */) {
      const h1 = HEX[buf[k + 2]!];
      const h2 = HEX[buf[k + 3]!];
      const h3 = HEX[buf[k + 4]!];
      const h4 = HEX[buf[k + 5]!];
      if (h1 === undefined || h2 === undefined || h3 === undefined || h4 === undefined) return k;
      if (chars.has((h1 << 12) | (h2 << 8) | (h3 << 4) | h4)) return k;
      k += 4;
    } else {
      const decoded = SIMPLE_ESCAPES[kind];
      if (decoded === undefined || chars.has(decoded)) return k;
    }
  }
  return buf.length;
}

const isBlank = (b: number) => b === 32 || b === 9 || b === 13;

/**
 * What a line that lacks the needle is: "blank", "object" (first non-blank byte `{`, last
 * `}`: it may be an event, but not a matching one) or "other" — which the pre-scan must
 * not pass over silently: it is decoded, and reported as the bad line it is.
 */
function shapeOf(buf: Buffer, start: number, end: number): "blank" | "object" | "other" {
  let a = start;
  while (a < end && isBlank(buf[a]!)) a++;
  if (a === end) return "blank";
  let b = end - 1;
  // Stops at a at the latest: buf[a] is not blank.
  while (isBlank(buf[b]!)) b--;
  return buf[a] === OPEN_BRACE && buf[b] === CLOSE_BRACE ? "object" : "other";
}

/**
 * Decodes only the lines that contain `needle` — or an escape that decodes to one of its
 * characters, since JSON escapes could spell the value differently — like grep does, and
 * every line that does not even look like a JSON object (so a broken line is reported,
 * whatever the filter). The pipeline applies the real filters to those lines, so the
 * result is the same as decoding every line (pinned by test/integration/replay-fast.test.ts).
 */
async function* preScanned(
  options: RecordingOptions,
  needle: Buffer,
  stop: AbortSignal,
): AsyncGenerator<SourceItem> {
  const max = options.maxLineBytes ?? MAX_LINE_BYTES;
  const needleChars = new Set<number>(needle);
  for await (const batch of lines(options.input, stop, max)) {
    let frames: string[] = [];
    let numbers: number[] = [];
    let skipped = 0;
    // Lines of one batch mostly share one chunk: search it once per chunk, not per line.
    let searched: Buffer | undefined;
    let nextNeedle = 0;
    let nextSlash = 0;
    for (const line of batch) {
      if (line.oversized) {
        if (frames.length || skipped) {
          yield { ...frameItem(frames, numbers, options.textPrecheck), skipped };
          frames = [];
          numbers = [];
          skipped = 0;
        }
        yield oversized(line, max);
        continue;
      }
      const { buf, start, end } = line;
      if (buf !== searched) {
        searched = buf;
        nextNeedle = nextIndex(buf, needle, start);
        nextSlash = nextRelevantEscape(buf, start, needleChars);
      }
      if (nextNeedle < start) nextNeedle = nextIndex(buf, needle, start);
      if (nextSlash < start) nextSlash = nextRelevantEscape(buf, start, needleChars);
      const hit = nextNeedle < end || nextSlash < end;
      if (!hit) {
        const shape = shapeOf(buf, start, end);
        if (shape === "blank") continue;
        if (shape === "object") {
          skipped++;
          continue;
        }
      }
      frames.push(buf.toString("utf8", start, end));
      numbers.push(line.number);
    }
    if (frames.length || skipped)
      yield { ...frameItem(frames, numbers, options.textPrecheck), skipped };
  }
}
