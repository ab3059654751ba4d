import { closeSync, openSync, readSync } from "node:fs";
import type { Readable } from "node:stream";
import { type FilterOptions, splitList } from "../events/filter.js";
import { hasGlob } from "../util/glob.js";

export interface CandidateChunk {
  kind: "frames";
  frames: string[];
  lineNumbers: number[];
  /** Lines passed over without decoding: they cannot match the filters. */
  skipped: number;
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
  return Buffer.from(best.slice(-7), "latin1");
}

const NL = 10;
const BACKSLASH = 92;

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

/**
 * The next backslash at or after `from` whose escape decodes to one of the needle's
 * characters (only such an escape can spell a matching value differently), or -1.
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
  return -1;
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(NL, from); i !== -1 && i < to; i = buf.indexOf(NL, i + 1)) n++;
  return n;
}

/**
 * Reads a recording as bytes and decodes only the lines that contain `needle` — or an
 * escape that decodes to one of its characters, since JSON escapes could spell the value
 * differently — like grep does. The
 * pipeline then applies the real filters to those lines, so the result is the same as
 * parsing every line (pinned by test/integration/replay-fast.test.ts).
 */
export async function* scanCandidates(
  /** A file path, or a stream of bytes (stdin). */
  input: string | AsyncIterable<Buffer> | Readable,
  needle: Buffer,
  signal: AbortSignal,
): AsyncGenerator<CandidateChunk> {
  const needleChars = new Set<number>(needle);
  let carry: Buffer | undefined;
  let lineNo = 1;
  /** Lines in buf[0, limit): complete lines, plus an unterminated last one when `final`. */
  const region = function* (buf: Buffer, limit: number, final: boolean): Generator<CandidateChunk> {
    const frames: string[] = [];
    const lineNumbers: number[] = [];
    let skipped = 0;
    let pos = 0;
    let nextNeedle = buf.indexOf(needle, 0);
    let nextSlash = nextRelevantEscape(buf, 0, needleChars);
    while (pos < limit) {
      const a = nextNeedle !== -1 && nextNeedle < limit ? nextNeedle : limit;
      const b = nextSlash !== -1 && nextSlash < limit ? nextSlash : limit;
      const hit = Math.min(a, b);
      if (hit === limit) {
        const rest = countNewlines(buf, pos, limit) + (final ? 1 : 0);
        skipped += rest;
        lineNo += rest;
        break;
      }
      const start = buf.lastIndexOf(NL, hit) + 1;
      const nl = buf.indexOf(NL, hit);
      const stop = nl === -1 || nl >= limit ? limit : nl;
      const before = countNewlines(buf, pos, start);
      skipped += before;
      lineNo += before;
      let text = buf.toString("utf8", start, stop);
      if (text.endsWith("\r")) text = text.slice(0, -1);
      frames.push(text);
      lineNumbers.push(lineNo);
      lineNo++;
      pos = stop + 1;
      if (nextNeedle !== -1 && nextNeedle < pos) nextNeedle = buf.indexOf(needle, pos);
      if (nextSlash !== -1 && nextSlash < pos)
        nextSlash = nextRelevantEscape(buf, pos, needleChars);
    }
    if (frames.length || skipped) yield { kind: "frames", frames, lineNumbers, skipped };
  };

  if (typeof input === "string") {
    // A file: read into one buffer, the unfinished last line moved to its front each
    // time, so no byte is copied twice (decoded lines are copies; the buffer is reused).
    const fd = openSync(input, "r");
    try {
      let buf = Buffer.allocUnsafe(4 << 20);
      let kept = 0;
      for (;;) {
        if (signal.aborted) return;
        if (kept === buf.length) {
          // One line longer than the buffer: grow it.
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger, 0, 0, kept);
          buf = bigger;
        }
        const n = readSync(fd, buf, kept, buf.length - kept, null);
        const filled = kept + n;
        if (n === 0) {
          if (filled > 0) yield* region(buf.subarray(0, filled), filled, true);
          return;
        }
        const last = buf.lastIndexOf(NL, filled - 1);
        if (last === -1) {
          kept = filled;
          continue;
        }
        yield* region(buf.subarray(0, filled), last + 1, false);
        kept = filled - (last + 1);
        buf.copy(buf, 0, last + 1, filled);
      }
    } finally {
      closeSync(fd);
    }
  }
  for await (const chunk of input as AsyncIterable<Buffer>) {
    if (signal.aborted) return;
    const buf = carry?.length ? Buffer.concat([carry, chunk]) : chunk;
    const last = buf.lastIndexOf(NL);
    if (last === -1) {
      carry = Buffer.from(buf);
      continue;
    }
    yield* region(buf, last + 1, false);
    carry = Buffer.from(buf.subarray(last + 1));
  }
  if (carry?.length && !signal.aborted) yield* region(carry, carry.length, true);
}
