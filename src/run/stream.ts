import { num } from "../events/event.js";
import type { Shown } from "../format/registry.js";
import type { Output } from "../outputs/output.js";
import type { SourceItem } from "../sources/source.js";
import type { Classify } from "./classify.js";
import type { Dedupe } from "./dedupe.js";
import type { RunStats } from "./stats.js";
import type { StatusReporter } from "./status.js";

export interface StreamOptions {
  classify: Classify;
  /** Every output gets every shown event; the first is the one whose reader may go away. */
  outputs: Output[];
  count?: number;
  /**
   * Drops events whose id was written recently (live feeds: reconnects and renewals
   * overlap, and stored events fill gaps and the --since seam).
   */
  recent?: Dedupe;
  /** Decode every line of a recording (--strict): no text pre-check. */
  strict?: boolean;
  stats: RunStats;
  status: StatusReporter;
  /** Aborted to stop reading (count reached, timeout, signal). */
  stop: AbortController;
}

export type StreamEnd = "count" | "end" | "stopped" | "closed-stdout" | "output-failed";

/**
 * source → parse → dedupe → filter → format → outputs, one batch at a time: each batch
 * of frames becomes one write per output, and the next batch is not read until every
 * output has taken it (the feed pauses the socket meanwhile, so a slow reader never
 * grows memory).
 */
export async function runStream(
  items: AsyncIterable<SourceItem>,
  options: StreamOptions,
): Promise<StreamEnd> {
  const { classify, outputs, count, stats, status, recent } = options;
  const timers: NodeJS.Timeout[] = [];
  for (const output of outputs) {
    if (output.tick && output.tickInterval) {
      timers.push(setInterval(() => void output.tick!(), output.tickInterval));
    }
  }
  const ended = (): StreamEnd | undefined => {
    if (outputs.some((o) => o.failure)) return "output-failed";
    if (outputs[0]?.closed) return "closed-stdout";
    return undefined;
  };
  try {
    for await (const item of items) {
      if (item.kind === "status") {
        if (item.status.type === "reconnecting") stats.reconnects++;
        status.feed(item.status);
        continue;
      }
      if (item.kind === "problem") {
        stats.received++;
        stats.invalid++;
        status.invalid(item.reason, item.line);
        continue;
      }
      if (item.kind === "notice") {
        if (item.level === "warning") status.warn(item.message);
        else if (item.level === "info") status.info(item.message);
        else status.verbose(item.message);
        continue;
      }
      // Stored events in a live run close a gap or lead up to the live feed.
      const filling = item.origin.source === "history" && recent !== undefined;
      if (item.skipped) {
        stats.received += item.skipped;
        stats.filtered += item.skipped;
      }
      const recording = item.origin.source === "recording";
      const classifyAs = { recording, textPrecheck: item.textPrecheck === true && !options.strict };
      let reached = false;
      let sawEvent = false;
      let sawFiltered = false;
      const { frames } = item;
      for (let i = 0; i < frames.length; i++) {
        const verdict = classify(frames[i]!, classifyAs);
        if (verdict.kind === "blank") continue;
        stats.received++;
        if (verdict.kind === "invalid") {
          stats.invalid++;
          status.invalid(verdict.reason, item.lineNumbers?.[i]);
          continue;
        }
        if (
          recent &&
          verdict.key !== undefined &&
          recent.seen(
            verdict.key,
            verdict.kind === "event" ? num(verdict.event.time_created) : undefined,
          )
        ) {
          stats.duplicates++;
          continue;
        }
        if (verdict.kind === "filtered") {
          stats.filtered++;
          sawFiltered = true;
          continue;
        }
        const shown: Shown = { event: verdict.event, text: verdict.text, frame: verdict.frame };
        for (const output of outputs) output.add(shown);
        sawEvent = true;
        stats.shown++;
        if (filling) stats.filled++;
        stats.count(verdict.event);
        if (stats.shown === count) {
          reached = true;
          break;
        }
      }
      if (sawEvent) status.sawEvent();
      else if (sawFiltered) status.sawFiltered();
      for (const output of outputs) await output.flush();
      const end = ended();
      if (end) return end;
      if (reached) return "count";
      if (options.stop.signal.aborted) return "stopped";
    }
    return ended() ?? (options.stop.signal.aborted ? "stopped" : "end");
  } finally {
    for (const timer of timers) clearInterval(timer);
  }
}
