import { sleepLong } from "../util/timers.js";
/** First ceiling of the backoff: a lone blip costs at most half a second. */
export const BACKOFF_BASE_MS = 500;
/** Highest ceiling: a long outage is retried at least every 30 s. */
export const BACKOFF_CAP_MS = 30_000;

/**
 * Exponential backoff with full jitter: the delay before retry n (0-based) is uniform in
 * [0, min(cap, base × 2ⁿ)), i.e. [0, 500ms), [0, 1s), [0, 2s) … [0, 30s) from n = 6 on.
 * Full jitter spreads clients that failed together (a server restart) over the whole
 * window: API Gateway's 500 new connections/s are shared by every ProGlove customer.
 * Consecutive delays therefore need not grow: 0.6 s at n = 4 and 13 s at n = 5 are both
 * in range.
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  baseMs = BACKOFF_BASE_MS,
  capMs = BACKOFF_CAP_MS,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(Math.max(attempt, 0), 20));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms` (of any length), or early (without throwing) when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return sleepLong(ms, signal);
}
