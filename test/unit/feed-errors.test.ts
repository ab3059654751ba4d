import { describe, expect, it } from "vitest";
import {
  feedFailureError,
  mapFeedError,
  type TokenOrigin,
} from "../../src/commands/feed-errors.js";
import { AuthError, ConnectionError } from "../../src/errors.js";
import { FeedError, type FeedFailure } from "../../src/feed/errors.js";

const URL = "wss://x.example/latest/";
const auth = (status: number, refreshTried: boolean, canRefresh: boolean): FeedFailure => ({
  kind: "auth",
  status,
  reason: `handshake refused with HTTP ${status} (Unauthorized)`,
  refreshTried,
  canRefresh,
});

describe("feed failures in the user's words depend on where the token came from", () => {
  // biome-ignore format: one row per case reads as a table
  it.each<[string, FeedFailure, TokenOrigin, RegExp, RegExp | undefined]>([
    ["SCANTAIL_TOKEN refused", auth(401, false, false), "env", /^SCANTAIL_TOKEN was refused/, /scantail login/],
    ["demo --reject 401 never blames SCANTAIL_TOKEN", auth(401, false, false), "demo", /--reject asked/, /SCANTAIL_TOKEN|scantail login/],
    ["signed in, refreshed, refused again", auth(401, true, true), "login", /refreshed token was refused too.*wrong kind for this URL/, /SCANTAIL_TOKEN/],
    ["signed in, no refresh token", auth(401, false, false), "login", /cannot be refreshed.*scantail login/, /SCANTAIL_TOKEN/],
    ["pasted with --token-stdin", auth(401, false, false), "stdin", /cannot be refreshed.*scantail login/, /SCANTAIL_TOKEN/],
    ["403 names the wrong stage too", auth(403, true, true), "login", /wrong stage in the URL/, undefined],
    ["403 for SCANTAIL_TOKEN names the stage too", auth(403, false, false), "env", /^SCANTAIL_TOKEN.*wrong stage/, undefined],
  ])("%s", (_name, failure, origin, hint, notHint) => {
    const error = feedFailureError(failure, URL, origin);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.exitCode).toBe(3);
    expect(error.message).toMatch(/^the live feed refused the token: handshake refused with HTTP 40[13]/);
    expect(error.hint).toMatch(hint);
    if (notHint) expect(error.hint).not.toMatch(notHint);
  });

  // biome-ignore format: one row per case reads as a table
  it.each<[FeedFailure, TokenOrigin, string, RegExp | undefined]>([
    [{ kind: "refused", status: 404, reason: "", message: "Not Found" }, "login", `the live feed at ${URL} answered the handshake with HTTP 404 (Not Found)`, /scantail config get url/],
    [{ kind: "refused", status: 404, reason: "", message: "" }, "demo", `the live feed at ${URL} answered the handshake with HTTP 404`, /--reject/],
    [{ kind: "retries-exhausted", attempts: 1, reason: "ECONNREFUSED" }, "env", "gave up after 1 failed connection attempt in a row: ECONNREFUSED", undefined],
    [{ kind: "retries-exhausted", attempts: 3, reason: "x" }, "env", "gave up after 3 failed connection attempts in a row: x", undefined],
    [{ kind: "unreachable", reason: "ECONNREFUSED" }, "login", `could not connect to ${URL}: ECONNREFUSED`, undefined],
    [{ kind: "ended", reason: "closed by server (1006)" }, "login", "the live feed connection ended: closed by server (1006)", undefined],
  ])("%j → exit 1", (failure, origin, message, hint) => {
    const error = feedFailureError(failure, URL, origin);
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(message);
    if (hint) expect(error.hint).toMatch(hint);
    else expect(error.hint).toBeUndefined();
  });

  it("maps FeedError only; other errors pass through unchanged", () => {
    const other = new Error("boom");
    expect(mapFeedError(other, "env")).toBe(other);
    const mapped = mapFeedError(new FeedError(auth(401, false, false), URL), "env");
    expect(mapped).toBeInstanceOf(AuthError);
  });

  it("an unmapped FeedError still has the right exit class and no CLI advice", () => {
    const error = new FeedError(auth(401, false, false), URL);
    expect(error.exitCode).toBe(3);
    expect(error.hint).toBeUndefined();
    expect(new FeedError({ kind: "ended", reason: "x" }, URL).exitCode).toBe(1);
  });
});
