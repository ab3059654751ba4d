/**
 * When and how long a webhook delivery waits before trying again (docs/forward.md):
 * connection errors, timeouts, 408, 429 and 5xx are the receiver's passing trouble;
 * every other status is its answer about this event, so retrying would not change it.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** The longest `Retry-After` we obey; a receiver asking for hours is treated as this. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;
export const RETRY_BASE_MS = 500;
export const RETRY_CAP_MS = 30_000;

/**
 * `Retry-After` as milliseconds from now: delta-seconds or an HTTP date (RFC 9110
 * §10.2.3). Undefined when absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

/**
 * The wait before attempt `failedAttempts + 1`: what the receiver asked for when it said,
 * else capped exponential backoff with full jitter, so forwarders that failed together
 * do not come back in lockstep.
 */
export function retryDelay(
  failedAttempts: number,
  random: () => number,
  retryAfterMs?: number,
): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** Math.min(failedAttempts - 1, 20));
  return Math.floor(random() * ceiling);
}
