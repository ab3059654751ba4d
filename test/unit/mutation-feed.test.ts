import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, sleep } from "../../src/feed/backoff.js";
import type { CloseInfo } from "../../src/feed/connection.js";
import { FeedError, type FeedFailure } from "../../src/feed/errors.js";
import { classifyHandshake, describeVerdict } from "../../src/feed/handshake.js";
import { buildFeedUrl, describeClose } from "../../src/feed/open-feed.js";
import { FeedQueue } from "../../src/feed/queue.js";

const URL = "wss://live.example/latest/";

describe("FeedError says what happened without the command's advice", () => {
  // biome-ignore format: one row per case reads as a table
  it.each<[FeedFailure, string, number]>([
    [{ kind: "auth", status: 401, reason: "handshake refused with HTTP 401 (Unauthorized)", refreshTried: true, canRefresh: true }, "the live feed refused the token: handshake refused with HTTP 401 (Unauthorized)", 3],
    [{ kind: "refused", status: 404, reason: "r", message: "Not Found" }, `the live feed at ${URL} answered the handshake with HTTP 404 (Not Found)`, 1],
    [{ kind: "refused", status: 404, reason: "r", message: "" }, `the live feed at ${URL} answered the handshake with HTTP 404`, 1],
    [{ kind: "retries-exhausted", attempts: 1, reason: "ECONNREFUSED" }, "gave up after 1 failed connection attempt in a row: ECONNREFUSED", 1],
    [{ kind: "retries-exhausted", attempts: 2, reason: "ECONNREFUSED" }, "gave up after 2 failed connection attempts in a row: ECONNREFUSED", 1],
    [{ kind: "unreachable", reason: "ECONNREFUSED" }, `could not connect to ${URL}: ECONNREFUSED`, 1],
    [{ kind: "ended", reason: "closed by server (1011 server error)" }, "the live feed connection ended: closed by server (1011 server error)", 1],
  ])("%j", (failure, message, exitCode) => {
    const error = new FeedError(failure, URL);
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(exitCode);
    expect(error.failure).toBe(failure);
    expect(error.url).toBe(URL);
  });
});

describe("describeClose: why an open connection ended, in one phrase", () => {
  const info = (overrides: Partial<CloseInfo>): CloseInfo => ({
    code: 1006,
    reason: "",
    heartbeatTimeout: false,
    openedAt: 0,
    closedAt: 1,
    frames: 0,
    ...overrides,
  });
  const tooLong = Object.assign(new Error("Max payload size exceeded"), {
    code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
  });
  // biome-ignore format: one row per case reads as a table
  it.each<[Partial<CloseInfo>, string]>([
    [{ heartbeatTimeout: true, error: new Error("x") }, "no answer to heartbeat ping"],
    [{ code: 1009 }, "a frame was larger than the 1 MiB limit"],
    [{ code: 1006, error: tooLong }, "a frame was larger than the 1 MiB limit"],
    [{ code: 1000 }, "closed by server (1000 normal closure)"],
    [{ code: 1001, reason: "Going away" }, 'closed by server (1001 going away "Going away")'],
    [{ code: 1006 }, "closed by server (1006 abnormal closure)"],
    [{ code: 1006, error: new Error("read ECONNRESET") }, "closed by server (1006 abnormal closure): read ECONNRESET"],
    [{ code: 1011, error: new Error("not shown") }, "closed by server (1011 server error)"],
    [{ code: 1012 }, "closed by server (1012 service restart)"],
    [{ code: 1013 }, "closed by server (1013 try again later)"],
    [{ code: 4000, reason: "custom" }, 'closed by server (4000 "custom")'],
    [{ code: 1000, reason: "r".repeat(100) }, `closed by server (1000 normal closure "${"r".repeat(80)}")`],
    [{ code: 1000, reason: 'say "hi"\n' }, 'closed by server (1000 normal closure "say \\"hi\\"\\n")'],
  ])("%j → %s", (overrides, expected) => {
    expect(describeClose(info(overrides))).toBe(expected);
  });
});

describe("the handshake's verdict in words", () => {
  it("a failure without an error still says what happened", () => {
    expect(classifyHandshake({ ok: false })).toEqual({
      kind: "unreachable",
      message: "connection closed during the handshake",
      code: undefined,
      timedOut: false,
    });
  });

  it("keeps the error's code and the timeout flag", () => {
    const error = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    expect(classifyHandshake({ ok: false, error, timedOut: true })).toEqual({
      kind: "unreachable",
      message: "connect ECONNREFUSED",
      code: "ECONNREFUSED",
      timedOut: true,
    });
  });

  // biome-ignore format: one row per case reads as a table
  it.each([
    [{ kind: "refused", status: 404, message: "" }, "handshake refused with HTTP 404"],
    [{ kind: "busy", status: 503, message: "Service Unavailable" }, "handshake refused with HTTP 503 (Service Unavailable)"],
    [{ kind: "auth", status: 401, message: "m".repeat(130) }, `handshake refused with HTTP 401 (${"m".repeat(120)})`],
    [{ kind: "unreachable", message: "connect ECONNREFUSED", timedOut: false }, "connect ECONNREFUSED"],
  ] as const)("%j → %s (nothing redacted by default)", (verdict, expected) => {
    expect(describeVerdict(verdict)).toBe(expected);
  });
});

describe("buildFeedUrl", () => {
  it.each([
    [undefined, undefined, "wss://live.example/latest/"],
    ["t0k", undefined, "wss://live.example/latest/?token=t0k"],
    [undefined, "acme", "wss://live.example/latest/?customer=acme"],
    ["a b&c", "acme", "wss://live.example/latest/?token=a+b%26c&customer=acme"],
  ])("token %j, customer %j → %s", (token, customer, expected) => {
    expect(buildFeedUrl(URL, token, customer)).toBe(expected);
  });
});

describe("backoffDelay below the first step", () => {
  it("a negative retry number is treated as the first (ceiling 500 ms)", () => {
    expect(backoffDelay(-3, () => 0.5)).toBe(250);
    expect(backoffDelay(0, () => 0.5, 100, 1000)).toBe(50);
    expect(backoffDelay(10, () => 0.5, 100, 1000)).toBe(500);
  });
});

describe("the wait between attempts", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("lasts the delay it was given, or ends at once on abort", async () => {
    vi.useFakeTimers();
    let done = false;
    void sleep(1000).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);

    const controller = new AbortController();
    let aborted = false;
    void sleep(60_000, controller.signal).then(() => {
      aborted = true;
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(aborted).toBe(false);
    controller.abort();
    await vi.advanceTimersByTimeAsync(0);
    expect(aborted).toBe(true);
  });
});

describe("classifyHandshake: what a refused handshake's status means", () => {
  // biome-ignore format: one row per case reads as a table
  it.each<[number, string]>([
    [400, "refused"], [401, "auth"], [402, "refused"], [403, "auth"], [404, "refused"],
    [407, "refused"], [408, "busy"], [409, "refused"], [428, "refused"], [429, "busy"],
    [430, "refused"], [499, "refused"], [500, "busy"], [502, "busy"], [503, "busy"], [599, "busy"],
    [302, "refused"], [200, "refused"],
  ])("HTTP %i → %s", (status, kind) => {
    const verdict = classifyHandshake({
      ok: false,
      refusal: { status, body: '{"message":"m"}', retryAfterMs: 1500 },
    });
    expect(verdict).toEqual(
      kind === "busy"
        ? { kind, status, message: "m", retryAfterMs: 1500 }
        : { kind, status, message: "m" },
    );
  });

  it("an open handshake is open", () => {
    expect(classifyHandshake({ ok: true })).toEqual({ kind: "open" });
  });

  // biome-ignore format: one row per case reads as a table
  it.each<[string, string]>([
    ['{"message":"Forbidden"}', "Forbidden"],
    ['{"message":"  Internal\\n  server   error "}', "Internal server error"],
    ['{"message":5}', '{"message":5}'],
    ['{"error":"nope"}', '{"error":"nope"}'],
    ["null", "null"],
    ['"just a string"', '"just a string"'],
    ["<html>\n  <body>Bad   Gateway</body>\n</html>\n", "<html> <body>Bad Gateway</body> </html>"],
    ["", ""],
  ])("body %j is shown as %j", (body, message) => {
    expect(classifyHandshake({ ok: false, refusal: { status: 404, body } })).toEqual({
      kind: "refused",
      status: 404,
      message,
    });
  });
});

describe("FeedQueue's backpressure boundaries", () => {
  function queue(highWaterMark: number) {
    const calls: string[] = [];
    const q = new FeedQueue<number, string>(
      highWaterMark,
      () => calls.push("pause"),
      () => calls.push("resume"),
    );
    return { q, calls };
  }

  it("pauses when the high-water mark-th frame is queued, not before, and only once", () => {
    const { q, calls } = queue(3);
    q.pushFrame(1);
    q.pushFrame(2);
    expect([calls, q.paused]).toEqual([[], false]);
    q.pushFrame(3);
    expect([calls, q.paused]).toEqual([["pause"], true]);
    q.pushFrame(4);
    expect(calls).toEqual(["pause"]);
  });

  it("resumes once fewer than half the mark are left, not at exactly half", async () => {
    const { q, calls } = queue(4);
    // Statuses split the frames into batches of 2, 1 and 1.
    q.pushFrame(1);
    q.pushFrame(2);
    q.pushStatus("s");
    q.pushFrame(3);
    q.pushStatus("t");
    q.pushFrame(4);
    expect(calls).toEqual(["pause"]);
    const it = q[Symbol.asyncIterator]();
    expect((await it.next()).value).toEqual({ kind: "frames", frames: [1, 2] });
    // Two of four left: exactly half, still paused.
    expect([calls, q.paused]).toEqual([["pause"], true]);
    await it.next();
    expect((await it.next()).value).toEqual({ kind: "frames", frames: [3] });
    expect([calls, q.paused]).toEqual([["pause", "resume"], false]);
  });

  it("a waiting reader wakes for a frame or a status, and the end; no resume without a pause", async () => {
    const { q, calls } = queue(10);
    const it = q[Symbol.asyncIterator]();
    const first = it.next();
    q.pushStatus("s");
    expect(await first).toEqual({ done: false, value: { kind: "status", status: "s" } });
    const second = it.next();
    q.pushFrame(1);
    expect(await second).toEqual({ done: false, value: { kind: "frames", frames: [1] } });
    const third = it.next();
    q.end();
    expect(await third).toEqual({ done: true, value: undefined });
    expect(calls).toEqual([]);
  });

  it("after the end nothing more is queued, and the first ending counts", async () => {
    const { q, calls } = queue(1);
    q.pushFrame(1);
    q.end(new Error("first"));
    q.end(new Error("second"));
    q.end();
    q.pushFrame(2);
    q.pushStatus("late");
    const got: unknown[] = [];
    await expect(async () => {
      for await (const chunk of q) got.push(chunk);
    }).rejects.toThrow("first");
    expect(got).toEqual([{ kind: "frames", frames: [1] }]);
    expect(calls).toEqual(["pause", "resume"]);
  });
});
