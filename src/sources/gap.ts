import type { TimeWindow } from "./when.js";

/** Look back this far before the last event received: device clocks and latency disagree. */
export const GAP_MARGIN_MS = 60_000;
/** Insight's REST history keeps the last 24 hours (docs/history.md). */
export const HISTORY_RETENTION_MS = 24 * 3_600_000;

export interface GapInput {
  /** time_created (epoch ms) of the newest live event received before the loss. */
  lastEventAt: number | undefined;
  /** When the lost connection had opened: the start when it delivered no event at all. */
  connectedAt: number;
  /** When the new connection opened. */
  reconnectedAt: number;
  /**
   * The window never starts before this (time created). Without it, a drop in the run's
   * first minute fills events from before the user began watching. Pass the run's start
   * (or its --since) less the longest device→cloud latency worth waiting for (30 s):
   * an event created just before the start may reach the cloud during the gap.
   */
  notBefore?: number;
  marginMs?: number;
  retentionMs?: number;
}

export interface GapWindow extends TimeWindow {
  /** Set when the gap reaches further back than REST keeps: the part that cannot be filled. */
  lostBefore?: number;
}

/**
 * The window to fetch after a reconnect: from the last event received, less a margin, to
 * the reconnect. The margin covers events created just before the last one but delivered
 * after it (latency differs per device) and clocks that disagree; events written twice
 * in the overlap are dropped by id. A window longer than the REST retention is cut at
 * its start and says so (`lostBefore`).
 */
export function gapWindow(input: GapInput): GapWindow {
  const margin = input.marginMs ?? GAP_MARGIN_MS;
  const retention = input.retentionMs ?? HISTORY_RETENTION_MS;
  const reference = input.lastEventAt ?? input.connectedAt;
  const until = input.reconnectedAt;
  const since = Math.min(Math.max(reference - margin, input.notBefore ?? -Infinity), until);
  const oldest = until - retention;
  if (since < oldest) return { since: oldest, until, lostBefore: oldest };
  return { since, until };
}

/** One stderr line for a gap that could not be filled (times in UTC, ISO 8601). */
export function unfilledGapNotice(window: TimeWindow, reason: string): string {
  return `gap from ${new Date(window.since).toISOString()} to ${new Date(window.until).toISOString()} not filled: ${reason}`;
}
