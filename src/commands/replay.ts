import { createReadStream, statSync } from "node:fs";
import type { Readable } from "node:stream";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { executeStream } from "../run/execute.js";
import { openRecording, scanNeedle } from "../sources/recording.js";
import { parsePositiveNumber } from "../util/duration.js";
import { sleepLong } from "../util/timers.js";
import type { CommandFlags } from "./options.js";
import { profileForOutput, resolveOutput } from "./output-options.js";

export type ReplayFlags = CommandFlags<"replay">;

/** Checks the file without opening it: opening a FIFO would take its only writer's data. */
function checkReplayable(file: string): void {
  try {
    if (statSync(file).isDirectory())
      throw new UsageError(`cannot replay ${file}: it is a directory`);
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

export async function runReplay(ctx: Context, file: string, flags: ReplayFlags): Promise<number> {
  let speed: number | undefined;
  if (flags.realtime && flags.speed !== undefined)
    throw new UsageError("use either --realtime or --speed, not both");
  if (flags.realtime) speed = 1;
  if (flags.speed !== undefined) speed = parsePositiveNumber(flags.speed, "--speed");
  const plan = resolveOutput(flags, ctx, await profileForOutput(flags, ctx));
  if (file !== "-") checkReplayable(file);
  const strict = plan.strict;
  // A filter with a literal value lets most lines be skipped without decoding them.
  const needle =
    speed === undefined && !strict && ctx.env.SCANTAIL_FAST_PATH !== "0"
      ? scanNeedle(plan.filterOptions)
      : undefined;
  if (file === "-" && (ctx.stdin as { isTTY?: boolean }).isTTY && !plan.quiet) {
    ctx.stderr.write("scantail: reading NDJSON events from stdin (Ctrl-D ends, Ctrl-C stops)\n");
  }
  // 64 KiB reads (measured): 1 MiB chunks kept peak RSS of a 100k-event pretty replay at
  // 145 MB — decoded lines pin nothing, but bigger chunks mean bigger spikes — 64 KiB is
  // near 75 MB, and faster. The pre-scan reads bigger chunks: it decodes few lines.
  const input: Readable =
    file === "-"
      ? (ctx.stdin as unknown as Readable)
      : createReadStream(file, { highWaterMark: needle ? 1 << 20 : 1 << 16 });
  try {
    return await executeStream({
      ctx,
      plan,
      verbose: flags.verbose === true,
      strict,
      stdinIsData: file === "-",
      recording: true,
      source: () =>
        openRecording({
          input,
          speed,
          needle,
          textPrecheck: !strict && ctx.env.SCANTAIL_FAST_PATH !== "0",
          now: ctx.now,
          sleep: (ms, signal) => sleepLong(ms, signal),
        }),
    });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e?.syscall === "read" || e?.syscall === "open") {
      throw new UsageError(`cannot read ${file}: ${e.message}`);
    }
    throw error;
  } finally {
    if (file !== "-") input.destroy();
  }
}
