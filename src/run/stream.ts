import { errorMessage } from "../errors.js";
import type { EventPredicate } from "../events/filter.js";
import { isCompactJson, parseFrame } from "../events/parse.js";
import type { FeedStatus } from "../feed/open-feed.js";
import type { Renderer } from "../format/registry.js";
import type { Sink } from "../util/sink.js";
import { RecentIds } from "./dedupe.js";
import type { RunStats } from "./stats.js";
import type { StatusReporter } from "./status.js";

export type SourceChunk =
  | { kind: "frames"; frames: Array<string | Buffer>; firstLine?: number }
  | { kind: "status"; status: FeedStatus };

export interface StreamOptions {
  filter: EventPredicate;
  /** A raw-text test that can only reject (see compileRawPrecheck). */
  precheck?: (raw: string) => boolean;
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
  const { filter, precheck, renderer, stdout, tee, count, stats, status } = options;
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
      let out = "";
      let teeOut = "";
      let line = chunk.firstLine;
      let reached = false;
      for (const frame of chunk.frames) {
        stats.received++;
        const lineNo = line;
        if (line !== undefined) {
          line++;
          // A blank line in a recording is neither an event nor an error.
          if (typeof frame === "string" && frame.trim() === "") {
            stats.received--;
            continue;
          }
        }
        if (precheck && typeof frame === "string" && !precheck(frame)) {
          stats.filtered++;
          continue;
        }
        const parsed = parseFrame(frame);
        if (!parsed.ok) {
          stats.invalid++;
          status.invalid(parsed.reason, lineNo);
          continue;
        }
        const event = parsed.event;
        if (recent && typeof event.event_id === "string" && recent.seen(event.event_id)) {
          stats.duplicates++;
          continue;
        }
        if (!filter(event)) {
          stats.filtered++;
          continue;
        }
        status.sawEvent();
        let text: string;
        try {
          text = renderer.render(event, frame as string);
        } catch (error) {
          // One odd event must never end a long tail.
          renderFailures++;
          if (renderFailures <= 3)
            status.warn(`could not display an event: ${errorMessage(error)}`);
          continue;
        }
        stats.shown++;
        stats.count(event);
        out += text;
        if (tee) teeOut += `${isCompactJson(frame as string) ? frame : JSON.stringify(event)}\n`;
        if (count !== undefined && stats.shown >= count) {
          reached = true;
          break;
        }
      }
      if (out) await stdout.write(out);
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
