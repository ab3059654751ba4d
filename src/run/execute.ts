import { createWriteStream } from "node:fs";
import type { OutputSetup } from "../commands/output-options.js";
import type { Context } from "../context.js";
import { ConnectionError, EXIT, errorMessage } from "../errors.js";
import { colorLevel, loadChalk } from "../format/color.js";
import { resolveProjection } from "../format/columns.js";
import type { Renderer } from "../format/registry.js";
import { sanitize } from "../format/sanitize.js";
import { Sink } from "../util/sink.js";
import { createClassifier } from "./classify.js";
import { RunStats } from "./stats.js";
import { StatusReporter } from "./status.js";
import { runStream, type SourceChunk } from "./stream.js";

export interface ExecuteOptions {
  ctx: Context;
  setup: OutputSetup;
  renderer: Renderer;
  verbose: boolean;
  live: boolean;
  dedupe: boolean;
  /** Builds the source once the stop signal exists (it ends the source). */
  source: (stop: AbortSignal, status: StatusReporter) => AsyncIterable<SourceChunk>;
}

/**
 * Runs a source through the pipeline with the run controls of the contract: --count,
 * --timeout (124 when --count was not reached), --tee, signals (130/143 after a clean
 * shutdown), EPIPE (quiet 0), the closing summary on stderr. Returns the exit code.
 */
export async function executeStream(options: ExecuteOptions): Promise<number> {
  const { ctx, setup, renderer } = options;
  const chalk = await loadChalk(colorLevel(setup.colorMode, ctx.env, ctx.stderr.isTTY === true));
  const stats = new RunStats(ctx.now());
  const status = new StatusReporter({
    ctx,
    chalk,
    verbose: options.verbose,
    live: options.live,
    quietTerminal: setup.format === "devices" && ctx.stdout.isTTY === true,
    quietAfterMs: Number(ctx.env.SCANTAIL_QUIET_AFTER_MS) || undefined,
  });
  const stdout = new Sink(ctx.stdout);
  const teeStream = setup.teePath ? createWriteStream(setup.teePath, { flags: "a" }) : undefined;
  const tee = teeStream ? new Sink(teeStream) : undefined;
  const stop = new AbortController();
  let timedOut = false;
  const onSignal = () => stop.abort();
  ctx.signal.addEventListener("abort", onSignal, { once: true });
  const timer =
    setup.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          stop.abort();
        }, setup.timeoutMs)
      : undefined;
  const stopResize = ctx.onResize?.(() => {
    const columns = ctx.stdout.columns ?? 80;
    const rows = ctx.stdout.rows ?? 24;
    renderer.resize?.(columns, rows);
  });

  const ndjson = setup.format === "ndjson";
  const classify = createClassifier({
    filterOptions: setup.filterOptions,
    recording: !options.live,
    wholeLines: (ndjson && !setup.fields) || tee !== undefined,
    projection: ndjson && setup.fields ? resolveProjection(setup.fields) : undefined,
    keepEvents: !ndjson,
  });
  let exitCode: number = EXIT.ok;
  let failure: unknown;
  try {
    const end = await runStream(options.source(stop.signal, status), {
      classify,
      ndjson,
      renderer,
      stdout,
      tee,
      count: setup.count,
      dedupe: options.dedupe,
      stats,
      status,
      stop,
    });
    if (end === "closed-stdout") exitCode = EXIT.ok;
    else if (ctx.signal.aborted)
      exitCode = ctx.signalName() === "SIGTERM" ? EXIT.sigterm : EXIT.sigint;
    else if (timedOut) exitCode = setup.count !== undefined ? EXIT.timeout : EXIT.ok;
    else if (end === "end" && options.live) {
      failure = new ConnectionError("the live feed ended");
    }
  } catch (error) {
    if (ctx.signal.aborted) exitCode = ctx.signalName() === "SIGTERM" ? EXIT.sigterm : EXIT.sigint;
    else failure = error;
  } finally {
    if (timer) clearTimeout(timer);
    ctx.signal.removeEventListener("abort", onSignal);
    stopResize?.();
    status.close();
  }
  // The final picture of views that redraw (or print once at the end on a pipe).
  if (renderer.finish && !stdout.closed) {
    try {
      await stdout.write(renderer.finish());
    } catch (error) {
      status.warn(`could not draw the final view: ${errorMessage(error)}`);
    }
  }
  if (teeStream) await new Promise<void>((resolve) => teeStream.end(resolve));
  if (tee?.failure) status.warn(`could not write the --tee file: ${tee.failure.message}`);
  stdout.dispose();
  if (stdout.failure) {
    status.warn(`could not write to stdout: ${stdout.failure.message}`);
    if (exitCode === EXIT.ok) exitCode = EXIT.failure;
  }
  const wantSummary = setup.summary || ctx.stderr.isTTY === true || options.verbose;
  // A closed pipe (`scantail | head`) ends quietly unless a person is watching stderr.
  if (wantSummary && !(stdout.closed && !ctx.stderr.isTTY)) {
    const width = ctx.stderr.isTTY ? (ctx.stderr.columns ?? 80) - 1 : Number.POSITIVE_INFINITY;
    for (const line of stats.summary(ctx.now(), chalk, sanitize, width)) {
      ctx.stderr.write(`${line}\n`);
    }
  }
  if (failure) throw failure;
  return exitCode;
}
