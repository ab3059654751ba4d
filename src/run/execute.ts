import { type Context, terminalSize } from "../context.js";
import {
  ConnectionError,
  EXIT,
  type ExitCode,
  exitCodeForSignal,
  OutputError,
  ScantailError,
} from "../errors.js";
import { compileCodeRegExp } from "../events/filter.js";
import { colorLevel, loadChalk } from "../format/color.js";
import { createRenderer, formatDefinition } from "../format/registry.js";
import type { Output } from "../outputs/output.js";
import { renderedOutput } from "../outputs/rendered.js";
import { openTee } from "../outputs/tee.js";
import type { Source } from "../sources/source.js";
import { sanitize } from "../util/sanitize.js";
import { Sink } from "../util/sink.js";
import { setLongTimeout } from "../util/timers.js";
import { createClassifier } from "./classify.js";
import { liveDedupe } from "./dedupe.js";
import type { OutputPlan } from "./plan.js";
import { RunStats } from "./stats.js";
import { StatusReporter } from "./status.js";
import { runStream } from "./stream.js";

export interface ExecuteOptions {
  ctx: Context;
  plan: OutputPlan;
  verbose: boolean;
  /** Builds the source once the status reporter exists (demo announces itself). */
  source: (status: StatusReporter) => Source;
  /** The source reads stdin (`replay -`): keypresses must not be taken from it. */
  stdinIsData?: boolean;
  /** A recording: views tell time by its newest event ("last seen"), not the wall clock. */
  recording?: boolean;
  /** Decode every line of a recording (--strict). */
  strict?: boolean;
  /**
   * Outputs besides stdout (forwarding destinations), opened before the source. With
   * `stdout: false` nothing at all is written to stdout.
   */
  outputs?: (status: StatusReporter, signal: AbortSignal) => Promise<Output[]>;
  stdout?: boolean;
}

/**
 * Runs a source through the pipeline with the run controls: --count, --timeout (124 when
 * --count was not reached), --tee, signals (130/143 after a clean shutdown), a closed
 * stdout pipe (quiet 0), an output that fails (1), the closing summary on stderr.
 */
export async function executeStream(options: ExecuteOptions): Promise<ExitCode> {
  const { ctx, plan } = options;
  const definition = formatDefinition(plan.format);
  const chalk = await loadChalk(colorLevel(plan.colorMode, ctx.env, ctx.stderr.isTTY === true));
  const stats = new RunStats(ctx.now());
  const status = new StatusReporter({
    ctx,
    chalk,
    verbose: options.verbose,
    live: true,
    quiet: plan.quiet,
    // A full-screen view owns the terminal: status lines would scribble over it.
    quietTerminal: definition.fullScreen && ctx.stdout.isTTY === true,
    quietAfterMs: Number(ctx.env.SCANTAIL_QUIET_AFTER_MS) || undefined,
  });
  const stop = new AbortController();
  let timedOut = false;
  const onSignal = () => stop.abort();
  ctx.signal.addEventListener("abort", onSignal, { once: true });
  // --timeout 30d is longer than one Node timer can wait (2^31 ms): chained timers.
  const timer =
    plan.timeoutMs !== undefined
      ? setLongTimeout(() => {
          timedOut = true;
          stop.abort();
        }, plan.timeoutMs)
      : undefined;

  const outputs: Output[] = [];
  let stopResize: (() => void) | undefined;
  let stopKeys: (() => void) | undefined;
  /** Ctrl-C read as a key (raw mode): an interrupt like SIGINT. */
  let interrupted = false;
  let exitCode: ExitCode = EXIT.ok;
  let failure: unknown;
  try {
    if (options.stdout !== false) {
      const outputChalk = await loadChalk(
        colorLevel(plan.colorMode, ctx.env, ctx.stdout.isTTY === true),
      );
      const { columns, rows } = terminalSize(ctx.stdout);
      const readsKeys = definition.fullScreen && !options.stdinIsData && keysAvailable(ctx);
      const renderer = await createRenderer(plan.format, {
        chalk: outputChalk,
        isTTY: ctx.stdout.isTTY === true,
        columns,
        rows,
        fields: plan.fields,
        time: plan.time,
        now: ctx.now,
        template: plan.template,
        header: plan.header,
        wide: plan.wide,
        sort: plan.sort,
        highlight:
          plan.highlight !== undefined
            ? compileCodeRegExp(plan.highlight, {
                ignoreCase: plan.ignoreCase,
                global: true,
                flag: "--highlight",
              })
            : undefined,
        live: options.recording !== true,
        quitKey: readsKeys,
        setTerminalRestore: ctx.setTerminalRestore,
      });
      stopResize = ctx.onResize?.(() => {
        const size = terminalSize(ctx.stdout);
        renderer.resize?.(size.columns, size.rows);
      });
      if (readsKeys)
        stopKeys = readKeys(ctx, (key) => {
          interrupted = key === "interrupt";
          stop.abort();
        });
      outputs.push(
        renderedOutput({
          label: "stdout",
          renderer,
          sink: new Sink(ctx.stdout, { signal: stop.signal }),
          onRenderError: (message) => status.warn(message),
          closeIsQuiet: true,
        }),
      );
    }
    if (plan.teePath !== undefined) {
      const tee = await openTee(plan.teePath, {
        signal: stop.signal,
        onWaiting: (message) => status.info(message),
        onRenderError: (message) => status.warn(message),
      });
      if (tee) outputs.push(tee);
    }
    if (options.outputs) outputs.push(...(await options.outputs(status, stop.signal)));
    const feed = options.source(status);
    status.setLive(feed.live);
    const end = stop.signal.aborted
      ? "stopped"
      : await runStream(feed.items(stop.signal), {
          classify: createClassifier(plan.filterOptions),
          outputs,
          count: plan.count,
          recent: feed.live ? liveDedupe(ctx.now) : undefined,
          strict: options.strict,
          stats,
          status,
          stop,
        });
    if (end === "output-failed") {
      const failed = outputs.find((o) => o.failure)!;
      failure = new OutputError(`could not write to ${failed.label}: ${failed.failure!.message}`);
    } else if (end === "closed-stdout") exitCode = EXIT.ok;
    else if (ctx.signal.aborted || interrupted) exitCode = exitCodeForSignal(ctx.signalName());
    else if (timedOut) exitCode = plan.count !== undefined ? EXIT.timeout : EXIT.ok;
    else if (end === "end" && feed.live) failure = new ConnectionError("the live feed ended");
  } catch (error) {
    if (
      (ctx.signal.aborted || interrupted) &&
      !(error instanceof ScantailError && error.exitCode === EXIT.usage)
    )
      exitCode = exitCodeForSignal(ctx.signalName());
    else failure = error;
  } finally {
    timer?.cancel();
    ctx.signal.removeEventListener("abort", onSignal);
    stopResize?.();
    stopKeys?.();
    status.close();
  }
  // The final picture of views that redraw (or print once at the end on a pipe); files closed.
  for (const output of outputs) await output.finish();
  for (const output of outputs.slice(1)) {
    if (output.failure && !failure) {
      failure = new OutputError(`could not write to ${output.label}: ${output.failure.message}`);
    }
  }
  const stdoutFailure = options.stdout !== false ? outputs[0]?.failure : undefined;
  if (stdoutFailure && !failure) {
    status.warn(`could not write to stdout: ${stdoutFailure.message}`);
    if (exitCode === EXIT.ok) exitCode = EXIT.failure;
  }
  const stdoutClosed = outputs[0]?.closed === true && options.stdout !== false;
  const wantSummary = !plan.quiet && (plan.summary || ctx.stderr.isTTY === true || options.verbose);
  // A closed pipe (`scantail | head`) ends quietly unless a person is watching stderr.
  if (wantSummary && !(stdoutClosed && !ctx.stderr.isTTY)) {
    const width = ctx.stderr.isTTY ? (ctx.stderr.columns ?? 80) - 1 : Number.POSITIVE_INFINITY;
    for (const line of stats.summary(ctx.now(), chalk, sanitize, width)) {
      ctx.stderr.write(`${line}\n`);
    }
  }
  if (failure) throw failure;
  return exitCode;
}

function keysAvailable(ctx: Context): boolean {
  return ctx.stdin.isTTY === true && ctx.stdout.isTTY === true && !!ctx.stdin.setRawMode;
}

/**
 * `q` ends a full-screen view normally (exit 0, final table). Keys are read in raw mode
 * only when stdin and stdout are terminals; raw mode delivers Ctrl-C as a byte instead
 * of SIGINT, so it is an interrupt (exit 130) here. Returns what restores the terminal.
 */
function readKeys(
  ctx: Context,
  onKey: (key: "quit" | "interrupt") => void,
): (() => void) | undefined {
  const { stdin } = ctx;
  if (!keysAvailable(ctx) || !stdin.setRawMode) return undefined;
  const onData = (chunk: string | Buffer) => {
    const keys = chunk.toString();
    if (keys.includes("\u0003")) onKey("interrupt");
    else if (keys.includes("q") || keys.includes("Q")) onKey("quit");
  };
  stdin.setRawMode(true);
  stdin.on("data", onData);
  stdin.resume();
  return () => {
    stdin.removeListener("data", onData);
    stdin.setRawMode?.(false);
    // A paused stdin no longer keeps the process alive.
    stdin.pause();
  };
}
