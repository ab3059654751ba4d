import { describe, expect, it } from "vitest";
import { BACKOFF_CAP_MS, backoffDelay } from "../../src/feed/backoff.js";
import {
  decide,
  type FeedAction,
  type FeedOutcome,
  type FeedPolicy,
  INITIAL_POLICY_STATE,
  MIN_HEALTHY_MS,
  type PolicyState,
  QUIET_HEALTHY_MS,
  wasHealthy,
} from "../../src/feed/policy.js";

/** Jitter at its top: every backoff is its ceiling less one, so the table shows ceilings. */
const top = () => 0.999_999;
const policy = (overrides: Partial<FeedPolicy> = {}): FeedPolicy => ({
  reconnect: true,
  canRefresh: true,
  renewAfterMs: 6_600_000,
  random: top,
  ...overrides,
});
const S = (failures = 0, refreshed = false): PolicyState => ({ failures, refreshed });
const ended = (code: number, livedMs: number, frames = 1): FeedOutcome => ({
  kind: "ended",
  code,
  livedMs,
  frames,
});
const busy = (status: number, retryAfterMs?: number): FeedOutcome => ({
  kind: "busy",
  status,
  message: "",
  retryAfterMs,
});
const auth = (status = 401): FeedOutcome => ({ kind: "auth", status, message: "" });
const down: FeedOutcome = { kind: "unreachable", message: "ECONNREFUSED", timedOut: false };
const again = (delayMs: number, attempt: number, routine = false): FeedAction => ({
  kind: "reconnect",
  delayMs,
  attempt,
  routine,
});
const giveUp = (cause: string): FeedAction => ({ kind: "give-up", cause }) as FeedAction;

describe("decide (outcome, state) → (action, state)", () => {
  // biome-ignore format: one row per case reads as a table
  it.each<[string, FeedOutcome, PolicyState, Partial<FeedPolicy>, FeedAction, PolicyState]>([
    // after a healthy connection
    ["1001 after 10 min: routine, at once, attempt 1", ended(1001, 600_000), S(0), {}, again(0, 1, true), S(0)],
    ["1001 after 5 s with events: routine", ended(1001, MIN_HEALTHY_MS, 3), S(2), {}, again(0, 1, true), S(0)],
    ["1006 after an hour: first backoff step, series restarts", ended(1006, 3_600_000), S(4), {}, again(499, 1), S(0)],
    ["quiet for 60 s then 1001: healthy (idle cut)", ended(1001, QUIET_HEALTHY_MS, 0), S(3), {}, again(0, 1, true), S(0)],
    // connections that never became healthy are failed attempts
    ["1001 within 5 s: a failed attempt, backs off", ended(1001, 20, 1), S(0), {}, again(499, 2), S(1)],
    ["1001 within 5 s, third in a row: ceiling 2 s", ended(1001, 20, 1), S(2), {}, again(1999, 4), S(3)],
    ["30 s without a frame: failed", ended(1000, 30_000, 0), S(0), {}, again(499, 2), S(1)],
    ["--drop-after 1ms --max-retries 2: gives up at the 2nd", ended(1006, 1, 0), S(1), { maxRetries: 2 }, giveUp("retries"), S(2)],
    ["--no-reconnect, healthy end", ended(1001, 600_000), S(0), { reconnect: false }, giveUp("no-reconnect"), S(0)],
    ["--no-reconnect, short end", ended(1006, 10), S(0), { reconnect: false }, giveUp("no-reconnect"), S(1)],
    // handshakes
    ["HTTP 502: backoff", busy(502), S(0), {}, again(499, 2), S(1)],
    ["HTTP 429 with Retry-After 5 s: waits at least that", busy(429, 5000), S(0), {}, again(5000, 2), S(1)],
    ["HTTP 503, 6th failure: ceiling 16 s", busy(503), S(5), {}, again(15_999, 7), S(6)],
    ["HTTP 503, 20th failure: capped at 30 s", busy(503), S(19), {}, again(BACKOFF_CAP_MS - 1, 21), S(20)],
    ["network error: backoff", down, S(1), {}, again(999, 3), S(2)],
    ["network error, --max-retries 3 reached", down, S(2), { maxRetries: 3 }, giveUp("retries"), S(3)],
    ["network error, --no-reconnect", down, S(0), { reconnect: false }, giveUp("no-reconnect"), S(1)],
    ["HTTP 404: retrying cannot help", { kind: "refused", status: 404, message: "" }, S(0), {}, giveUp("refused"), S(0)],
    ["401, refresh possible: refresh", auth(), S(0), {}, { kind: "refresh" }, S(0, true)],
    ["401 again after the refresh: give up", auth(), S(0, true), {}, giveUp("auth"), S(0, true)],
    ["403, SCANTAIL_TOKEN (no refresh): give up", auth(403), S(0), { canRefresh: false }, giveUp("auth"), S(0)],
    ["401 with --no-reconnect still refreshes once", auth(), S(0), { reconnect: false }, { kind: "refresh" }, S(0, true)],
    ["a failure after a refresh allows another refresh later", busy(500), S(0, true), {}, again(499, 2), S(1)],
    // renewal
    ["renewal due", { kind: "renew-due" }, S(0), {}, { kind: "renew" }, S(0)],
    ["renewal failed: retry in a quarter of --renew-after + 1 s", { kind: "renew-failed" }, S(0), { renewAfterMs: 8000 }, { kind: "renew-later", delayMs: 3000 }, S(0)],
    ["renewal failed at 110 min: retry within a minute", { kind: "renew-failed" }, S(0), {}, { kind: "renew-later", delayMs: 60_000 }, S(0)],
  ])("%s", (_name, outcome, state, overrides, action, nextState) => {
    expect(decide(outcome, state, policy(overrides))).toEqual({ action, state: nextState });
  });

  it("never changes the state it is given", () => {
    const state = Object.freeze(S(1, true));
    expect(() => decide(busy(500), state, policy())).not.toThrow();
    expect(INITIAL_POLICY_STATE).toEqual(S(0));
  });
});

describe("wasHealthy", () => {
  it.each([
    [0, 0, false],
    [MIN_HEALTHY_MS - 1, 100, false],
    [MIN_HEALTHY_MS, 1, true],
    [MIN_HEALTHY_MS, 0, false],
    [QUIET_HEALTHY_MS - 1, 0, false],
    [QUIET_HEALTHY_MS, 0, true],
  ])("lived %d ms, %d frames → %s", (lived, frames, healthy) => {
    expect(wasHealthy(lived, frames)).toBe(healthy);
  });
});

describe("backoffDelay: full jitter in [0, min(30 s, 500 ms × 2ⁿ))", () => {
  it.each([
    [0, 500],
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 16_000],
    [6, 30_000],
    [7, 30_000],
    [50, 30_000],
    [1e9, 30_000],
  ])("retry %d: 0 at the lowest jitter, below %d ms at the highest", (n, ceiling) => {
    expect(backoffDelay(n, () => 0)).toBe(0);
    expect(backoffDelay(n, () => 0.999_999_9)).toBe(ceiling - 1);
    expect(backoffDelay(n, () => 0.5)).toBe(ceiling / 2);
  });

  it("a thousand random delays stay within their ceilings", () => {
    for (let n = 0; n < 10; n++) {
      for (let i = 0; i < 100; i++) {
        const delay = backoffDelay(n);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(30_000, 500 * 2 ** n));
      }
    }
  });
});
