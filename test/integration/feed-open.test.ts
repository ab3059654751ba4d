import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { FeedError } from "../../src/feed/errors.js";
import { type FeedOptions, type FeedStatus, openFeed } from "../../src/feed/open-feed.js";
import { MIN_HEALTHY_MS } from "../../src/feed/policy.js";
import { refuseUpgrade } from "../../src/simulator/server.js";
import { drain, fakeTime } from "../helpers/feed.js";
import { startTestServer, type TestServer } from "../helpers/ws-server.js";

// openFeed's paths beyond the happy one: renewal that cannot even start, stopping
// (Ctrl-C or the consumer leaving) at awkward moments, and what a refusal carries.

const servers: TestServer[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  for (const close of closers.splice(0)) await close();
});

async function server(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const started = await startTestServer(options);
  servers.push(started);
  return started;
}

function feedOptions(url: string, overrides: Partial<FeedOptions> = {}): FeedOptions {
  return {
    url,
    getToken: async () => "feed-open-token-0123456789",
    canRefresh: false,
    reconnect: true,
    heartbeatMs: 0,
    renewAfterMs: 6_600_000,
    signal: new AbortController().signal,
    random: () => 0.5,
    sleep: async () => {},
    ...overrides,
  };
}

/** Resolves with the close code and reason the server's n-th connection receives. */
function closeSeenByServer(test: TestServer, n: number): Promise<[number, string]> {
  return test
    .connection(n)
    .then(
      (ws) =>
        new Promise<[number, string]>((resolve) =>
          ws.once("close", (code, reason) => resolve([code, reason.toString()])),
        ),
    );
}

describe("renewal that cannot get a token", () => {
  it("warns (token redacted), keeps the current connection and does not end the feed", async () => {
    const token = "feed-open-token-0123456789";
    let calls = 0;
    const test = await server({ onConnection: (ws) => ws.send("{}") });
    const { statuses, frames, error } = await drain(
      openFeed(
        feedOptions(test.url, {
          renewAfterMs: 30,
          getToken: async () => {
            calls++;
            if (calls === 1) return token;
            throw new Error(`the sign-in service refused ${token}`);
          },
        }),
      ),
      (s) => s.some((x) => x.type === "warning"),
    );
    expect(error).toBeUndefined();
    expect(frames).toBe(1);
    expect(statuses).toEqual([
      { type: "connecting", url: test.url, attempt: 1, reconnect: false },
      { type: "connected", url: test.url, reconnected: false },
      {
        type: "warning",
        message: "could not renew the connection: the sign-in service refused ***",
      },
    ]);
    // No second connection was attempted, and the first was not closed for the renewal.
    expect(test.requests).toHaveLength(1);
    expect(calls).toBe(2);
  });
});

describe("stopping", () => {
  it("a consumer that stops reading closes the connection with 1000 'client stopping'", async () => {
    const test = await server({ onConnection: (ws) => ws.send("{}") });
    const closed = closeSeenByServer(test, 1);
    const { frames } = await drain(openFeed(feedOptions(test.url)), (_s, n) => n === 1);
    expect(frames).toBe(1);
    expect(await closed).toEqual([1000, "client stopping"]);
    expect(test.requests).toHaveLength(1);
  });

  it("an abort ends the feed without an error and closes the connection", async () => {
    const test = await server({ onConnection: (ws) => ws.send("{}") });
    const closed = closeSeenByServer(test, 1);
    const controller = new AbortController();
    const feed = openFeed(feedOptions(test.url, { signal: controller.signal }));
    const { frames, error } = await drain(feed, (_s, n) => {
      if (n === 1) controller.abort();
      return false;
    });
    expect(error).toBeUndefined();
    expect(frames).toBe(1);
    expect(await closed).toEqual([1000, "client stopping"]);
  });

  it("a signal aborted before iterating connects nowhere", async () => {
    const test = await server();
    const controller = new AbortController();
    controller.abort();
    const { statuses, frames, error } = await drain(
      openFeed(feedOptions(test.url, { signal: controller.signal })),
    );
    expect({ statuses, frames, error }).toEqual({ statuses: [], frames: 0, error: undefined });
    expect(test.requests).toEqual([]);
  });

  it("an abort as the connection opens: a renewal falling due then is not started", async () => {
    let tokens = 0;
    // The server stops reading, so the client's close cannot complete while the renewal
    // timer fires.
    const test = await server({ onConnection: (ws) => ws.pause() });
    const controller = new AbortController();
    const feed = openFeed(
      feedOptions(test.url, {
        signal: controller.signal,
        renewAfterMs: 0,
        now: () => 1_000_000,
        getToken: async () => {
          tokens++;
          return "t";
        },
      }),
    );
    await drain(feed, (s) => {
      if (s.some((x) => x.type === "connected")) controller.abort();
      return false;
    });
    // The renewal timer (due at once) fires before this one.
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(tokens).toBe(1);
    expect(test.requests).toHaveLength(1);
  });
});

describe("what a refusal carries", () => {
  /** Answers every upgrade with `status` and `{"message": message}`. */
  async function refusing(status: number, message: string): Promise<string> {
    const http = createServer();
    http.on("upgrade", (_req, socket: Duplex) => refuseUpgrade(socket, status, message));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          http.closeAllConnections();
          http.close(() => resolve());
        }),
    );
    return `ws://127.0.0.1:${(http.address() as AddressInfo).port}/latest/`;
  }

  it("a 404's message is redacted, then cut to 120 characters", async () => {
    const token = "feed-open-token-0123456789";
    const url = await refusing(404, `${token} ${"n".repeat(200)}`);
    const { error } = await drain(openFeed(feedOptions(url)));
    expect(error).toBeInstanceOf(FeedError);
    expect((error as FeedError).failure).toEqual({
      kind: "refused",
      status: 404,
      reason: `handshake refused with HTTP 404 (*** ${"n".repeat(116)})`,
      message: `*** ${"n".repeat(116)}`,
    });
  });
});

describe("refreshing a refused token", () => {
  it("401 → one refresh with force → connected; the next reconnect does not force again", async () => {
    const forces: boolean[] = [];
    const test = await server({
      onUpgrade: (_req, n) => (n === 1 ? 401 : undefined),
      onConnection: (ws, n) => {
        if (n === 1) ws.terminate();
      },
    });
    const { statuses, error } = await drain(
      openFeed(
        feedOptions(test.url, {
          canRefresh: true,
          getToken: async ({ force }) => {
            forces.push(force);
            return "t";
          },
        }),
      ),
      (s) => s.filter((x) => x.type === "connected").length === 2,
    );
    expect(error).toBeUndefined();
    expect(forces).toEqual([false, true, false]);
    expect(statuses.slice(0, 4)).toEqual([
      { type: "connecting", url: test.url, attempt: 1, reconnect: false },
      {
        type: "refreshing",
        reason: "handshake refused with HTTP 401 (Unauthorized); refreshing the token",
      },
      { type: "connecting", url: test.url, attempt: 1, reconnect: false },
      { type: "connected", url: test.url, reconnected: false },
    ]);
  });

  it.each([
    [true, 2, true],
    [false, 1, false],
  ])(
    "canRefresh %s: %i attempt(s), then gives up with refreshTried %s",
    async (canRefresh, attempts, refreshTried) => {
      const test = await server({ onUpgrade: () => 401 });
      const { error } = await drain(openFeed(feedOptions(test.url, { canRefresh })));
      expect(error).toBeInstanceOf(FeedError);
      expect((error as FeedError).failure).toEqual({
        kind: "auth",
        status: 401,
        reason: "handshake refused with HTTP 401 (Unauthorized)",
        refreshTried,
        canRefresh,
      });
      expect(test.requests).toHaveLength(attempts);
    },
  );
});

describe("statuses between attempts", () => {
  it("a refused attempt is 'retrying' with backoff; a healthy connection's 1001 is a routine 'reconnecting'", async () => {
    const time = fakeTime();
    const test = await server({
      onUpgrade: (_req, n) => (n === 1 ? 503 : undefined),
      onConnection: (ws) => ws.send("{}"),
    });
    const { statuses } = await drain(
      openFeed(feedOptions(test.url, { now: time.now, sleep: time.sleep, maxRetries: 5 })),
      (s, frames) => {
        const connected = s.filter((x) => x.type === "connected").length;
        if (connected === 1 && frames === 1 && test.connections.length === 1) {
          time.advance(MIN_HEALTHY_MS);
          test.connections[0]?.close(1001, "Going away");
        }
        return connected === 2;
      },
    );
    expect(statuses).toEqual([
      { type: "connecting", url: test.url, attempt: 1, reconnect: false },
      {
        type: "retrying",
        delayMs: 250,
        attempt: 2,
        maxAttempts: 5,
        reason: "handshake refused with HTTP 503 (Internal server error)",
      },
      { type: "connecting", url: test.url, attempt: 2, reconnect: false },
      { type: "connected", url: test.url, reconnected: false },
      {
        type: "reconnecting",
        delayMs: 0,
        attempt: 1,
        maxAttempts: 5,
        reason: 'closed by server (1001 going away "Going away")',
        routine: true,
      },
      { type: "connecting", url: test.url, attempt: 1, reconnect: true },
      { type: "connected", url: test.url, reconnected: true },
    ]);
    expect(time.sleeps).toEqual([250, 0]);
  });

  it("without reconnecting, a healthy connection that ends is the end of the feed", async () => {
    const time = fakeTime();
    const test = await server({ onConnection: (ws) => ws.send("{}") });
    const { frames, error } = await drain(
      openFeed(feedOptions(test.url, { now: time.now, sleep: time.sleep, reconnect: false })),
      (_s, received) => {
        if (received === 1) {
          time.advance(MIN_HEALTHY_MS);
          test.connections[0]?.close(1000, "bye");
        }
        return false;
      },
    );
    expect(frames).toBe(1);
    expect(error).toBeInstanceOf(FeedError);
    expect((error as FeedError).failure).toEqual({
      kind: "ended",
      reason: 'closed by server (1000 normal closure "bye")',
    });
    expect(test.requests).toHaveLength(1);
  });
});

describe("when renewals happen", () => {
  it("renewAfterMs after opening; a refused renewal is retried no sooner than a second later", async () => {
    // The retry waits a quarter of renewAfterMs plus a second: this test takes about 1 s.
    const requestedAt: number[] = [];
    const forces: boolean[] = [];
    const test = await server({
      onUpgrade: (_req, n) => {
        requestedAt.push(performance.now());
        return n === 2 ? 503 : undefined;
      },
    });
    const firstClosed = closeSeenByServer(test, 1);
    const { statuses } = await drain(
      openFeed(
        feedOptions(test.url, {
          now: () => performance.now(),
          renewAfterMs: 40,
          getToken: async ({ force }) => {
            forces.push(force);
            return "t";
          },
        }),
      ),
      (s) => s.filter((x) => x.type === "renewed").length === 2,
    );
    expect(statuses.map((s) => s.type)).toEqual([
      "connecting",
      "connected",
      "warning",
      "renewed",
      "renewed",
    ]);
    const [opened = 0, refused = 0, renewed = 0, renewedAgain = 0] = requestedAt;
    // Timers do not fire early; a millisecond of rounding is allowed.
    expect(refused - opened).toBeGreaterThanOrEqual(40 - 1);
    expect(renewed - refused).toBeGreaterThanOrEqual(1010 - 1);
    expect(renewedAgain - renewed).toBeGreaterThanOrEqual(40 - 1);
    // Renewing is no reason to force a new token; the old connection goes once replaced.
    expect(forces).toEqual([false, false, false, false]);
    expect(await firstClosed).toEqual([1000, "renewed"]);
  });
});

describe("a token that cannot be had", () => {
  it("ends the feed with getToken's own error, before any connection", async () => {
    const test = await server();
    const failure = new Error("not signed in");
    const { statuses, error } = await drain(
      openFeed(feedOptions(test.url, { getToken: () => Promise.reject(failure) })),
    );
    expect(error).toBe(failure);
    expect(statuses).toEqual([{ type: "connecting", url: test.url, attempt: 1, reconnect: false }]);
    expect(test.requests).toEqual([]);
  });
});

describe("backpressure and the heartbeat", () => {
  it("while the consumer is backed up, the unread pongs do not get the connection killed", async () => {
    const test = await server({
      onConnection: (ws) => {
        for (let i = 0; i < 3; i++) ws.send("{}");
      },
    });
    const feed = openFeed(feedOptions(test.url, { heartbeatMs: 20, highWaterMark: 2 }));
    const iterator = feed[Symbol.asyncIterator]();
    await test.connection(1);
    // Nobody reads for ten heartbeat intervals; only the absence of a cut can be waited for.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const statuses: FeedStatus[] = [];
    let frames = 0;
    while (frames < 3) {
      const { value } = await iterator.next();
      if (value?.kind === "status") statuses.push(value.status);
      else if (value) frames += value.frames.length;
    }
    await iterator.return?.();
    expect(statuses.map((s) => s.type)).toEqual(["connecting", "connected"]);
    expect(test.requests).toHaveLength(1);
  });
});
