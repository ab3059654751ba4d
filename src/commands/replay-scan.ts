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
  return best.length >= 3 ? Buffer.from(best, "latin1") : undefined;
}

const NL = 10;
const BACKSLASH = 92;

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  for (let i = buf.indexOf(NL, from); i !== -1 && i < to; i = buf.indexOf(NL, i + 1)) n++;
  return n;
}

/**
 * Reads a recording as bytes and decodes only the lines that contain `needle` — or a
 * backslash, since JSON escapes could spell the value differently — like grep does. The
 * pipeline then applies the real filters to those lines, so the result is the same as
 * parsing every line (pinned by test/integration/replay-fast.test.ts).
 */
export async function* scanCandidates(
  input: Readable,
  needle: Buffer,
  signal: AbortSignal,
): AsyncGenerator<CandidateChunk> {
  let carry: Buffer | undefined;
  let lineNo = 1;
  /** Lines in buf[0, limit): complete lines, plus an unterminated last one when `final`. */
  const region = function* (buf: Buffer, limit: number, final: boolean): Generator<CandidateChunk> {
    const frames: string[] = [];
    const lineNumbers: number[] = [];
    let skipped = 0;
    let pos = 0;
    let nextNeedle = buf.indexOf(needle, 0);
    let nextSlash = buf.indexOf(BACKSLASH, 0);
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
      if (nextSlash !== -1 && nextSlash < pos) nextSlash = buf.indexOf(BACKSLASH, pos);
    }
    if (frames.length || skipped) yield { kind: "frames", frames, lineNumbers, skipped };
  };

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
