import { errorMessage } from "../errors.js";
import { type Frame, frameText } from "../feed/frame.js";
import type { FeedStatus } from "../feed/open-feed.js";
import type { Renderer } from "../format/registry.js";
import type { Sink } from "../util/sink.js";
import { BLANK, type ClassifyBatch, FILTERED, INVALID } from "./classify.js";
import { RecentIds } from "./dedupe.js";
import type { RunStats } from "./stats.js";
import type { StatusReporter } from "./status.js";

export type SourceChunk =
  | {
      kind: "frames";
      frames: Frame[];
      /** Line number of frames[0] (replay); `lineNumbers` when they are not consecutive. */
      firstLine?: number;
      lineNumbers?: number[];
      /** Lines a pre-scan passed over: received, and filtered out. */
      skipped?: number;
    }
  | { kind: "status"; status: FeedStatus };

export interface StreamOptions {
  classify: ClassifyBatch;
  /**
   * Output is NDJSON: the classifier already made each line (or the received bytes are
   * the line), so the renderer is not called and live frames are never re-encoded.
   */
  ndjson: boolean;
  renderer: Renderer;
  stdout: Sink;
  tee?: Sink;
  count?: number;
  dedupe: boolean;
  stats: RunStats;
  status: StatusReporter;
  /** Aborted to stop reading (count reached, timeout, signal). */
  stop: AbortController;
}

export type StreamEnd = "count" | "end" | "stopped" | "closed-stdout";

/**
 * source → parse → dedupe → filter → format → sink, one batch at a time: each batch of
 * frames becomes one write, and the next batch is not read until stdout has taken it
 * (the feed pauses the socket meanwhile, so a slow reader never grows memory).
 */
export async function runStream(
  source: AsyncIterable<SourceChunk>,
  options: StreamOptions,
): Promise<StreamEnd> {
  const { classify, ndjson, renderer, stdout, tee, count, stats, status } = options;
  const recent = options.dedupe ? new RecentIds(10_000) : undefined;
  let tickTimer: NodeJS.Timeout | undefined;
  let ticking = false;
  if (renderer.tick) {
    tickTimer = setInterval(() => {
      if (ticking) return;
      ticking = true;
      void stdout.write(renderer.tick!()).finally(() => {
        ticking = false;
      });
    }, renderer.tickInterval ?? 250);
  }
  let renderFailures = 0;
  try {
    for await (const chunk of source) {
      if (chunk.kind === "status") {
        if (chunk.status.type === "reconnecting") stats.reconnects++;
        status.feed(chunk.status);
        continue;
      }
      const frames = chunk.frames;
      if (chunk.skipped) {
        stats.received += chunk.skipped;
        stats.filtered += chunk.skipped;
      }
      const verdict = classify(frames);
      const out = new Output();
      const teeOut = new Output();
      let reached = false;
      let sawEvent = false;
      for (let i = 0; i < frames.length; i++) {
        const code = verdict.codes[i];
        if (code === BLANK) continue;
        stats.received++;
        if (code === INVALID) {
          stats.invalid++;
          status.invalid(
            verdict.reasons[i]!,
            chunk.lineNumbers?.[i] ??
              (chunk.firstLine !== undefined ? chunk.firstLine + i : undefined),
          );
          continue;
        }
        const id = verdict.ids[i];
        if (recent && id !== undefined && recent.seen(id)) {
          stats.duplicates++;
          continue;
        }
        if (code === FILTERED) {
          stats.filtered++;
          continue;
        }
        const frame = frames[i] as string | Uint8Array;
        const whole = verdict.lines[i] ?? frame;
        if (ndjson) {
          out.line(verdict.projected ? verdict.projected[i]! : whole);
        } else {
          try {
            out.text(renderer.render(verdict.events![i]!, frameText(frame)));
          } catch (error) {
            // One odd event must never end a long tail.
            renderFailures++;
            if (renderFailures <= 3)
              status.warn(`could not display an event: ${errorMessage(error)}`);
            continue;
          }
        }
        sawEvent = true;
        stats.shown++;
        stats.countKeys(verdict.serials[i], verdict.symbologies[i]);
        if (tee) teeOut.line(whole);
        if (count !== undefined && stats.shown >= count) {
          reached = true;
          break;
        }
      }
      if (sawEvent) status.sawEvent();
      if (!out.empty) await stdout.write(out.take());
      if (!teeOut.empty) await tee!.write(teeOut.take());
      if (stdout.closed) return "closed-stdout";
      if (reached) return "count";
      if (options.stop.signal.aborted) return "stopped";
    }
    return options.stop.signal.aborted ? "stopped" : "end";
  } finally {
    if (tickTimer) clearInterval(tickTimer);
  }
}

const NEWLINE = new Uint8Array([10]);

/**
 * One batch's output: text, or the bytes of live frames as received, so a frame that is
 * already its own NDJSON line is never decoded and encoded again on its way to stdout.
 */
class Output {
  private readonly parts: Array<string | Uint8Array> = [];
  private bytes = false;

  /** A line without its newline: a string, or the received bytes. */
  line(line: string | Uint8Array): void {
    if (typeof line === "string") this.parts.push(`${line}\n`);
    else {
      this.parts.push(line, NEWLINE);
      this.bytes = true;
    }
  }

  /** Text that brings its own newlines (a rendered event). */
  text(text: string): void {
    this.parts.push(text);
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  take(): string | Buffer {
    if (!this.bytes) return this.parts.join("");
    return Buffer.concat(this.parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
  }
}
