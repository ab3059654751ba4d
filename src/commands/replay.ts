import { closeSync, createReadStream, openSync, statSync } from "node:fs";
import type { Readable } from "node:stream";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { sleep } from "../feed/backoff.js";
import { executeStream } from "../run/execute.js";
import type { SourceChunk } from "../run/stream.js";
import { parsePositiveNumber } from "../util/duration.js";
import type { CommandFlags } from "./options.js";
import { createRendererFor, profileForOutput, resolveOutput } from "./output-options.js";
import { scanCandidates, scanNeedle } from "./replay-scan.js";

export type ReplayFlags = CommandFlags<"replay">;

const BATCH = 512;

/**
 * Splits a byte stream into lines, yielding batches (one pipeline write per batch). Lines
 * may end in \n or \r\n; blank lines are skipped but still counted for line numbers.
 */
export async function* readLines(
  input: Readable,
  signal: AbortSignal,
): AsyncGenerator<{ lines: string[]; firstLine: number }> {
  let rest = "";
  let lineNo = 1;
  let batch: string[] = [];
  let batchFirst = 1;
  input.setEncoding("utf8");
  const flush = () => {
    const out = { lines: batch, firstLine: batchFirst };
    batch = [];
    return out;
  };
  for await (const chunk of input as AsyncIterable<string>) {
    if (signal.aborted) break;
    const text = rest + chunk;
    let start = 0;
    for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      const line = text.slice(start, end);
      // (Blank lines are passed on as ""; the pipeline skips them without complaint.)
      if (batch.length === 0) batchFirst = lineNo;
      batch.push(line);
      lineNo++;
      start = nl + 1;
      if (batch.length >= BATCH) yield flush();
    }
    rest = text.slice(start);
    if (batch.length) yield flush();
  }
  if (rest.length && !signal.aborted) {
    if (batch.length === 0) batchFirst = lineNo;
    batch.push(rest.endsWith("\r") ? rest.slice(0, -1) : rest);
  }
  if (batch.length) yield flush();
}

const TIME_CREATED = /"time_created"\s*:\s*(\d+(?:\.\d+)?)/;

/** Recorded NDJSON through the same filters and formats, as fast as possible or paced. */
async function* replaySource(
  input: Readable,
  signal: AbortSignal,
  speed: number | undefined,
  now: () => number,
): AsyncGenerator<SourceChunk> {
  let firstEventAt: number | undefined;
  let startedAt = 0;
  for await (const { lines, firstLine } of readLines(input, signal)) {
    if (speed === undefined) {
      yield { kind: "frames", frames: lines, firstLine };
      continue;
    }
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      const match = TIME_CREATED.exec(line);
      if (match) {
        const t = Number(match[1]);
        if (firstEventAt === undefined) {
          firstEventAt = t;
          startedAt = now();
        } else {
          const due = startedAt + (t - firstEventAt) / speed;
          const wait = due - now();
          if (wait > 0) await sleep(wait, signal);
          if (signal.aborted) return;
        }
      }
      yield { kind: "frames", frames: [line], firstLine: firstLine + i };
    }
  }
}

export async function runReplay(ctx: Context, file: string, flags: ReplayFlags): Promise<number> {
  let speed: number | undefined;
  if (flags.realtime && flags.speed !== undefined)
    throw new UsageError("use either --realtime or --speed, not both");
  if (flags.realtime) speed = 1;
  if (flags.speed !== undefined) speed = parsePositiveNumber(flags.speed, "--speed");
  const setup = resolveOutput(flags, ctx, await profileForOutput(flags, ctx));
  if (file !== "-") {
    try {
      if (statSync(file).isDirectory())
        throw new UsageError(`cannot replay ${file}: it is a directory`);
      closeSync(openSync(file, "r"));
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        code === "ENOENT"
          ? `cannot replay ${file}: no such file`
          : code === "EACCES"
            ? `cannot replay ${file}: permission denied`
            : `cannot replay ${file}: ${(error as Error).message}`,
      );
    }
  }
  const renderer = await createRendererFor(setup, ctx, false);
  // A filter with a literal value lets most lines be skipped without decoding them.
  const needle =
    speed === undefined && ctx.env.SCANTAIL_FAST_PATH !== "0"
      ? scanNeedle(setup.filterOptions)
      : undefined;
  const stdin = ctx.stdin as unknown as Readable;
  // 64 KiB reads (measured): 1 MiB chunks kept peak RSS of a 100k-event pretty replay at
  // 145 MB — lines are slices that pin their chunk — 64 KiB keeps it near 75 MB, and faster.
  const stream =
    file === "-" ? stdin : needle ? undefined : createReadStream(file, { highWaterMark: 1 << 16 });
  // A read error surfaces through the iteration below; this only keeps an error that
  // comes before iteration starts from being an unhandled 'error' event.
  stream?.on("error", () => {});
  try {
    return await executeStream({
      ctx,
      setup,
      renderer,
      verbose: flags.verbose === true,
      live: false,
      dedupe: false,
      source: (stop) => {
        if (!needle) return replaySource(stream!, stop, speed, ctx.now);
        return scanCandidates(stream ?? file, needle, stop);
      },
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e?.syscall === "read" || e?.syscall === "open") {
      throw new UsageError(`cannot read ${file}: ${e.message}`);
    }
    throw error;
  } finally {
    if (file !== "-") stream?.destroy();
  }
}
