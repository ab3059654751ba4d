import { errorMessage } from "../errors.js";
import { isCompactJson } from "../events/parse.js";
import { type Frame, frameText } from "../feed/frame.js";
import type { FeedStatus } from "../feed/open-feed.js";
import type { Renderer } from "../format/registry.js";
import type { Sink } from "../util/sink.js";
import type { Classifier } from "./classifier.js";
import { BLANK, type Classified, FILTERED, INVALID } from "./classify.js";
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
  classifier: Classifier;
  /** Output is NDJSON: lines come from the classifier, the renderer is not needed. */
  ndjson: boolean;
  /** -o ndjson --fields: lines are projections, --tee still gets whole events. */
  fields?: string[];
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
  const { classifier, ndjson, renderer, stdout, tee, count, stats, status } = options;
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
      const verdict = classifier.classify(frames);
      // Output pieces: strings (rendered lines, recordings) or the received bytes of a
      // live frame, passed through without ever being decoded on this thread.
      const parts: Array<string | Uint8Array> = [];
      let allStrings = true;
      let teeOut = "";
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
        if (ndjson) {
          const line = verdict.lines[i];
          if (line !== undefined || typeof frame === "string") parts.push(`${line ?? frame}\n`);
          else {
            parts.push(frame, NEWLINE);
            allStrings = false;
          }
        } else {
          try {
            parts.push(renderer.render(verdict.events![i]!, frameText(frame)));
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
        if (tee) teeOut += `${teeLine(frameText(frame), verdict, i, ndjson && !options.fields)}\n`;
        if (count !== undefined && stats.shown >= count) {
          reached = true;
          break;
        }
      }
      const out = allStrings
        ? parts.join("")
        : Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
      if (sawEvent) status.sawEvent();
      if (out.length) await stdout.write(out);
      if (teeOut) await tee!.write(teeOut);
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

/** The event as one compact NDJSON line for --tee, whatever the display format. */
function teeLine(frame: string, verdict: Classified, i: number, linesAreWhole: boolean): string {
  if (linesAreWhole && verdict.lines[i] !== undefined) return verdict.lines[i]!;
  if (isCompactJson(frame)) return frame;
  const event = verdict.events?.[i];
  return event ? JSON.stringify(event) : JSON.stringify(JSON.parse(frame));
}
