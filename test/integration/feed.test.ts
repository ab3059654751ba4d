import { readdirSync, readFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import {
  type AddressInfo,
  createServer as createNetServer,
  type Server,
  type Socket,
} from "node:net";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { FeedError } from "../../src/feed/errors.js";
import { type FeedOptions, openFeed } from "../../src/feed/open-feed.js";
import { MIN_HEALTHY_MS } from "../../src/feed/policy.js";
import { refuseUpgrade } from "../../src/simulator/server.js";
import { makeContext, runCli } from "../helpers/context.js";
import { drain, fakeTime } from "../helpers/feed.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

let server: TestServer | undefined;
let silent: Server | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  silent?.close();
  silent = undefined;
});

function feedOptions(url: string, overrides: Partial<FeedOptions> = {}): FeedOptions {
  return {
    url,
    getToken: async () => "feed-test-token",
    canRefresh: false,
    reconnect: true,
    heartbeatMs: 0,
    renewAfterMs: 6_600_000,
    signal: new AbortController().signal,
    random: () => 0.999_999,
    ...overrides,
  };
}

describe("reconnect storm", () => {
  it("a server that closes every connection at once with 1001 gets backoff, not a loop", async () => {
    server = await startTestServer({
      onConnection: (ws) => {
        ws.send(JSON.stringify(event()));
        ws.close(1001, "Going away");
      },
    });
    const time = fakeTime();
    const started = time.now();
    const minute = 60_000;
    await drain(
      openFeed(feedOptions(server.url, { now: time.now, sleep: time.sleep })),
      // Bounded either way: a minute of (fake) time, or 50 connections if nothing backs off.
      () => time.now() - started >= minute || server!.requests.length >= 50,
    );
    // Ceilings 0.5, 1, 2, 4, 8, 16, 30 s: the seventh wait ends past the minute.
    expect(time.sleeps).toEqual([499, 999, 1999, 3999, 7999, 15_999, 29_999]);
    expect(server.requests.length).toBe(7);
  });

  it("--max-retries counts connections that end at once: gives up after 2", async () => {
    server = await startTestServer({ onConnection: (ws) => ws.terminate() });
    const time = fakeTime();
    const { statuses, error } = await drain(
      openFeed(feedOptions(server.url, { now: time.now, sleep: time.sleep, maxRetries: 2 })),
    );
    expect(server.requests).toHaveLength(2);
    expect(error).toBeInstanceOf(FeedError);
    expect((error as FeedError).failure).toMatchObject({ kind: "retries-exhausted", attempts: 2 });
    expect(statuses.filter((s) => s.type === "reconnecting")).toHaveLength(1);
  });
});

describe("attempt numbers and reconnect counts", () => {
  it("a healthy connection starts a new series: attempt 1 after it, not the run's count", async () => {
    const time = fakeTime();
    server = await startTestServer({
      // 1: healthy then cut; 2: refused; 3: accepted, stays.
      onUpgrade: (_req, n) => (n === 2 ? 500 : undefined),
      onConnection: (ws, n) => {
        ws.send(JSON.stringify(event()));
        if (n === 1)
          setTimeout(() => {
            time.advance(MIN_HEALTHY_MS);
            ws.terminate();
          }, 10);
      },
    });
    const { statuses } = await drain(
      openFeed(feedOptions(server.url, { now: time.now, sleep: time.sleep })),
      (s) => s.filter((x) => x.type === "connected").length === 2,
    );
    const shown = statuses.map((s) =>
      s.type === "connecting" || s.type === "retrying" || s.type === "reconnecting"
        ? `${s.type} ${s.attempt}`
        : s.type === "connected"
          ? `connected${s.reconnected ? " again" : ""}`
          : s.type,
    );
    expect(shown).toEqual([
      "connecting 1",
      "connected",
      "reconnecting 1",
      "connecting 1",
      "retrying 2",
      "connecting 2",
      "connected again",
    ]);
  });

  it("a run that never connected reports retries, never a reconnect", async () => {
    const time = fakeTime();
    const { statuses, error } = await drain(
      openFeed(
        feedOptions("ws://127.0.0.1:1/latest/", {
          now: time.now,
          sleep: time.sleep,
          maxRetries: 6,
        }),
      ),
    );
    expect(error).toBeInstanceOf(FeedError);
    expect(statuses.filter((s) => s.type === "reconnecting")).toHaveLength(0);
    expect(statuses.filter((s) => s.type === "retrying")).toHaveLength(5);
  });
});

/** Accepts TCP connections and never says a word (a black-holed load balancer). */
async function silentServer(): Promise<number> {
  const sockets: Socket[] = [];
  silent = createNetServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
  });
  silent.on("close", () => {
    for (const s of sockets) s.destroy();
  });
  await new Promise<void>((resolve) => silent!.listen(0, "127.0.0.1", resolve));
  const address = silent.address();
  return typeof address === "object" && address ? address.port : 0;
}

describe("one handshake timeout for TCP, TLS and the upgrade", () => {
  it.each(["ws", "wss"])(
    "%s:// to a server that never answers gives up after it",
    async (scheme) => {
      const port = await silentServer();
      const started = Date.now();
      const { error } = await drain(
        openFeed(
          feedOptions(`${scheme}://127.0.0.1:${port}/latest/`, {
            reconnect: false,
            handshakeTimeoutMs: 300,
          }),
        ),
      );
      expect(error).toBeInstanceOf(FeedError);
      expect((error as FeedError).failure).toEqual({
        kind: "unreachable",
        reason: "no answer to the handshake within 300ms",
      });
      expect(Date.now() - started).toBeLessThan(2000);
    },
  );

  it("aborting during a handshake that never completes ends the feed at once", async () => {
    const port = await silentServer();
    const controller = new AbortController();
    const feed = openFeed(
      feedOptions(`wss://127.0.0.1:${port}/latest/`, { signal: controller.signal }),
    );
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const { error } = await drain(feed);
    expect(error).toBeUndefined();
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe("the transport states facts, the command gives advice", () => {
  it("demo --reject 401: exit 3, blames the simulated refusal, not SCANTAIL_TOKEN", async () => {
    const r = await runCli(["demo", "--reject", "401"], makeContext());
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/refused the token: handshake refused with HTTP 401/);
    expect(r.stderr).toMatch(/--reject asked/);
    expect(r.stderr).not.toMatch(/SCANTAIL_TOKEN/);
  });

  it("no user-facing advice (commands, flags, env names) in src/feed", () => {
    const dir = join(import.meta.dirname, "../../src/feed");
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), "utf8");
      expect(text, file).not.toMatch(/`scantail |--token-kind|SCANTAIL_TOKEN|run `/);
    }
  });
});

describe("secrets in a refused handshake's body", () => {
  it("are redacted before the message is cut, so no start of the token survives", async () => {
    const token = "echoed-token-0123456789";
    const http = createHttpServer();
    http.on("upgrade", (_req, socket: Duplex) =>
      refuseUpgrade(socket, 401, `${"x".repeat(110)}${token}`),
    );
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    try {
      const port = (http.address() as AddressInfo).port;
      const r = await runCli(
        ["--url", `ws://127.0.0.1:${port}/latest/`],
        makeContext({ env: { SCANTAIL_TOKEN: token } }),
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/x{110}\*\*\*/);
      expect(r.stderr).not.toContain(token.slice(0, 6));
    } finally {
      http.closeAllConnections();
      http.close();
    }
  });
});

describe("long durations", () => {
  it("a 30-day heartbeat keeps the connection (a Node timer above 2³¹ ms would fire at once)", async () => {
    const events = [event(), event()];
    server = await startTestServer({
      onConnection: (ws) => {
        ws.send(JSON.stringify(events[0]));
        setTimeout(() => ws.send(JSON.stringify(events[1])), 100);
      },
    });
    const { statuses, frames } = await drain(
      openFeed(feedOptions(server.url, { heartbeatMs: 30 * 86_400_000 })),
      (_statuses, received) => received >= 2,
    );
    expect(frames).toBe(2);
    expect(statuses.map((s) => s.type)).toEqual(["connecting", "connected"]);
    expect(server.requests).toHaveLength(1);
  });
});

describe("renewal", () => {
  it("a refused renewal keeps the current connection and tries again later", async () => {
    server = await startTestServer({
      onUpgrade: (_req, n) => (n === 2 ? 503 : undefined),
      onConnection: (ws) => ws.send(JSON.stringify(event())),
    });
    // A quarter of 200 ms plus a second: the second renewal comes about 1 s after the first.
    const { statuses } = await drain(
      openFeed(feedOptions(server.url, { renewAfterMs: 200 })),
      (s) => s.some((x) => x.type === "renewed"),
    );
    expect(statuses.map((s) => s.type)).toEqual(["connecting", "connected", "warning", "renewed"]);
    expect(statuses[2]).toMatchObject({
      message: expect.stringMatching(
        /could not renew the connection \(handshake refused with HTTP 503.*\); keeping the current one/,
      ),
    });
    // The refused attempt was the second request; the first connection lived through it.
    expect(server.requests).toHaveLength(3);
    expect(server.connections).toHaveLength(2);
  });
});
