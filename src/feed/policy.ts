import { backoffDelay } from "./backoff.js";
import type { HandshakeVerdict } from "./handshake.js";

/**
 * The live feed's retry / refresh / renew decisions as one pure function of what just
 * happened and what came before; `openFeed` only performs what it returns.
 */

/**
 * A connection that ends sooner than this is a failed attempt, whatever it delivered: a
 * server that accepts and drops at once (maybe after a few queued frames) would otherwise
 * be reconnected to in a tight loop, and API Gateway allows 500 new connections per second
 * for all ProGlove customers together.
 */
export const MIN_HEALTHY_MS = 5_000;

/**
 * A connection that delivered nothing counts as healthy once it lived this long: API
 * Gateway closes a connection after 10 minutes without messages, and a quiet shift is
 * normal, not a failure.
 */
export const QUIET_HEALTHY_MS = 60_000;

/** What just happened: a failed handshake, the end of an open connection, or renewal. */
export type FeedOutcome =
  | Exclude<HandshakeVerdict, { kind: "open" }>
  | { kind: "ended"; code: number; livedMs: number; frames: number }
  | { kind: "renew-due" }
  | { kind: "renew-failed" };

export interface PolicyState {
  /** Failed attempts in a row (refused or failed handshakes, connections that never got healthy). */
  failures: number;
  /** The token was refreshed after the last refusal: a second refusal is final. */
  refreshed: boolean;
}

export const INITIAL_POLICY_STATE: PolicyState = { failures: 0, refreshed: false };

export interface FeedPolicy {
  reconnect: boolean;
  /** Give up after this many failed attempts in a row (--max-retries). */
  maxRetries?: number;
  /** Whether a refused token can be replaced (false for a token that is used as given). */
  canRefresh: boolean;
  renewAfterMs: number;
  /** In [0, 1): the jitter source, injected so tests never wait through a real backoff. */
  random: () => number;
}

export type GiveUpCause =
  /** 401/403 and no refresh left. */
  | "auth"
  /** A status that retrying cannot fix. */
  | "refused"
  /** --max-retries failed attempts in a row. */
  | "retries"
  /** --no-reconnect and the attempt failed or the connection ended. */
  | "no-reconnect";

export type FeedAction =
  /**
   * Open a new connection after `delayMs`. `attempt` is its number in the current series
   * (1 after a healthy connection); `routine` reconnects are not worth telling anyone.
   */
  | { kind: "reconnect"; delayMs: number; attempt: number; routine: boolean }
  /** Get a new token (the old one was refused), then reconnect at once. */
  | { kind: "refresh" }
  | { kind: "give-up"; cause: GiveUpCause }
  /** Open the replacement connection now, close the old one once it is open. */
  | { kind: "renew" }
  /** Renewal failed: keep the current connection, try renewing again after `delayMs`. */
  | { kind: "renew-later"; delayMs: number };

/** Whether an ended connection was a success (resets the backoff) or a failed attempt. */
export function wasHealthy(livedMs: number, frames: number): boolean {
  if (livedMs < MIN_HEALTHY_MS) return false;
  return frames > 0 || livedMs >= QUIET_HEALTHY_MS;
}

export function decide(
  outcome: FeedOutcome,
  state: PolicyState,
  policy: FeedPolicy,
): { action: FeedAction; state: PolicyState } {
  switch (outcome.kind) {
    case "renew-due":
      return { action: { kind: "renew" }, state };
    case "renew-failed":
      // Soon enough to renew before the 2-hour cut, rarely enough not to hammer the service.
      return {
        action: { kind: "renew-later", delayMs: Math.min(60_000, policy.renewAfterMs / 4 + 1000) },
        state,
      };
    case "auth":
      if (policy.canRefresh && !state.refreshed) {
        return { action: { kind: "refresh" }, state: { ...state, refreshed: true } };
      }
      return { action: { kind: "give-up", cause: "auth" }, state };
    case "refused":
      return { action: { kind: "give-up", cause: "refused" }, state };
    case "busy":
      return failed(state, policy, outcome.retryAfterMs ?? 0);
    case "unreachable":
      return failed(state, policy, 0);
    case "ended": {
      if (!wasHealthy(outcome.livedMs, outcome.frames)) return failed(state, policy, 0);
      const next: PolicyState = { failures: 0, refreshed: false };
      if (!policy.reconnect)
        return { action: { kind: "give-up", cause: "no-reconnect" }, state: next };
      // API Gateway ends idle connections after 10 minutes and all after 2 hours with 1001
      // "going away": after a healthy connection that is routine, so reconnect at once.
      // Any other end gets the first backoff step, so clients cut together by a server
      // restart do not come back in lockstep.
      const routine = outcome.code === 1001;
      return {
        action: {
          kind: "reconnect",
          delayMs: routine ? 0 : backoffDelay(0, policy.random),
          attempt: 1,
          routine,
        },
        state: next,
      };
    }
  }
}

function failed(
  state: PolicyState,
  policy: FeedPolicy,
  waitAtLeastMs: number,
): { action: FeedAction; state: PolicyState } {
  const next: PolicyState = { failures: state.failures + 1, refreshed: false };
  if (!policy.reconnect) return { action: { kind: "give-up", cause: "no-reconnect" }, state: next };
  if (policy.maxRetries !== undefined && next.failures >= policy.maxRetries) {
    return { action: { kind: "give-up", cause: "retries" }, state: next };
  }
  return {
    action: {
      kind: "reconnect",
      delayMs: Math.max(waitAtLeastMs, backoffDelay(next.failures - 1, policy.random)),
      attempt: next.failures + 1,
      routine: false,
    },
    state: next,
  };
}
