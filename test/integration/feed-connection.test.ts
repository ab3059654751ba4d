import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { createServer as createNetServer, type Server as NetServer } from "node:net";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { WebSocket as ServerSocket } from "ws";
import {
  type ConnectionOptions,
  FeedConnection,
  type OpenResult,
} from "../../src/feed/connection.js";
import { BinaryFrame } from "../../src/feed/frame.js";
import { startTestServer, type TestServer } from "../helpers/ws-server.js";

// FeedConnection driven directly against real servers on loopback: what a caller
// (openFeed, doctor) relies on from one connection attempt and one open connection.

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** 2026-11-26T12:00:00Z: every Retry-After date below is relative to this clock. */
const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

function connectionOptions(url: string, overrides: Partial<ConnectionOptions> = {}) {
  return {
    url,
    maxPayload: 1024 * 1024,
    heartbeatMs: 0,
    handshakeTimeoutMs: 2000,
    now: () => NOW,
    onFrame: () => {},
    isPaused: () => false,
    ...overrides,
  } satisfies ConnectionOptions;
}

async function connect(
  url: string,
  overrides: Partial<ConnectionOptions> = {},
  signal?: AbortSignal,
): Promise<{ connection: FeedConnection; result: OpenResult }> {
  const connection = await FeedConnection.create(connectionOptions(url, overrides));
  cleanups.push(() => connection.terminate());
  const result = await connection.open(signal ?? new AbortController().signal);
  return { connection, result };
}

async function listen<T extends Server | NetServer>(server: T): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** An HTTP server that answers every upgrade request with whatever `answer` writes. */
async function upgradeServer(
  answer: (socket: Duplex, req: IncomingMessage) => void,
): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const http = createServer();
  const sockets: Duplex[] = [];
  http.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
    requests.push(req);
    sockets.push(socket);
    socket.on("error", () => {});
    answer(socket, req);
  });
  const port = await listen(http);
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
  });
  return { url: `ws://127.0.0.1:${port}/latest/`, requests };
}

/** Accepts TCP connections and never says a word (a black-holed load balancer). */
async function silentServer(): Promise<string> {
  const sockets: Socket[] = [];
  const server = createNetServer((socket) => {
    sockets.push(socket);
    socket.on("error", () => {});
  });
  const port = await listen(server);
  cleanups.push(() => {
    for (const socket of sockets) socket.destroy();
  });
  return `ws://127.0.0.1:${port}/latest/`;
}

async function wsServer(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  cleanups.push(() => server.close());
  return server;
}

function head(status: string, headers: string[] = []): string {
  return `HTTP/1.1 ${status}\r\n${[...headers, "Connection: close"].join("\r\n")}\r\n\r\n`;
}

describe("a refused handshake", () => {
  it("reports the status, Retry-After and the first 2048 characters of the body", async () => {
    const body = `${"a".repeat(2000)}${"b".repeat(3000)}`;
    const server = await upgradeServer((socket) =>
      socket.end(
        `${head("429 Too Many Requests", ["Retry-After: 7", `Content-Length: ${body.length}`])}${body}`,
      ),
    );
    const started = Date.now();
    const { connection, result } = await connect(server.url);
    expect(result).toEqual({
      ok: false,
      refusal: { status: 429, body: `${"a".repeat(2000)}${"b".repeat(48)}`, retryAfterMs: 7000 },
    });
    // Read to its end at once, not after the 2 s a body that never ends is given.
    expect(Date.now() - started).toBeLessThan(1000);
    // The refused attempt is over: its connection counts as closed.
    expect((await connection.closed).code).toBe(1006);
  });

  it("stops reading the body once 2048 bytes have arrived (a multi-byte body is cut by bytes read)", async () => {
    // 1024 two-byte characters fill the 2048 bytes; what comes later is not read at all.
    const first = "é".repeat(1024);
    let sendRest: () => void = () => {};
    const server = await upgradeServer((socket) => {
      socket.write(head("503 Service Unavailable"));
      socket.write(first);
      sendRest = () => socket.end("z".repeat(1024));
    });
    const connection = await FeedConnection.create(connectionOptions(server.url));
    cleanups.push(() => connection.terminate());
    // Send the rest only once the first 2048 bytes are in, so they arrive as separate reads.
    connection.ws.on("unexpected-response", (_req, res: IncomingMessage) => {
      let received = 0;
      res.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received === 2048) sendRest();
      });
    });
    const result = await connection.open(new AbortController().signal);
    expect(result).toEqual({
      ok: false,
      refusal: { status: 503, body: first, retryAfterMs: undefined },
    });
  });

  it("a body cut off mid-way is reported at once, with what arrived", async () => {
    const server = await upgradeServer((socket) => {
      socket.write(head("502 Bad Gateway", ["Content-Length: 5000"]));
      socket.write("partial", () => setImmediate(() => socket.destroy()));
    });
    const started = Date.now();
    const { result } = await connect(server.url);
    expect(result).toEqual({
      ok: false,
      refusal: { status: 502, body: "partial", retryAfterMs: undefined },
    });
    // Not after the 2 s that a body which never ends is given.
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it.each([
    ["7", 7000],
    ["0", 0],
    ["1000", 300_000],
    ["300", 300_000],
    ["-5", 0],
    [new Date(NOW + 30_000).toUTCString(), 30_000],
    [new Date(NOW - 30_000).toUTCString(), 0],
    [new Date(NOW + 3_600_000).toUTCString(), 300_000],
    ["soon", undefined],
    ["Infinity", undefined],
    ["", undefined],
    [undefined, undefined],
  ])("Retry-After %j means waiting %j ms (at most 5 minutes)", async (value, expected) => {
    const server = await upgradeServer((socket) =>
      socket.end(
        head("429 Too Many Requests", [
          ...(value === undefined ? [] : [`Retry-After: ${value}`]),
          "Content-Length: 0",
        ]),
      ),
    );
    const { result } = await connect(server.url);
    expect(result).toEqual({
      ok: false,
      refusal: { status: 429, body: "", retryAfterMs: expected },
    });
  });

  it("a redirect is a refusal: the client does not follow it to another host", async () => {
    const elsewhere = await wsServer();
    const server = await upgradeServer((socket) =>
      socket.end(head("302 Found", [`Location: ${elsewhere.url}`, "Content-Length: 0"])),
    );
    const { result } = await connect(server.url);
    expect(result).toEqual({
      ok: false,
      refusal: { status: 302, body: "", retryAfterMs: undefined },
    });
    expect(elsewhere.requests).toEqual([]);
  });
});

describe("the upgrade request", () => {
  it("offers no permessage-deflate (a compressed frame could inflate past the payload limit)", async () => {
    const server = await upgradeServer((socket) => socket.end(head("404 Not Found")));
    await connect(server.url);
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]?.headers["sec-websocket-extensions"]).toBeUndefined();
  });
});

describe("a handshake that does not complete", () => {
  it("no answer: gives up at the deadline and says so, flagged as a timeout", async () => {
    const url = await silentServer();
    const started = Date.now();
    const { result } = await connect(url, { handshakeTimeoutMs: 200 });
    expect(result).toEqual({
      ok: false,
      error: new Error("no answer to the handshake within 200ms"),
      timedOut: true,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("a server that hangs up during the handshake is a failure, not a timeout", async () => {
    const server = await upgradeServer((socket) => socket.destroy());
    const { result } = await connect(server.url, { handshakeTimeoutMs: 5000 });
    expect(result.ok).toBe(false);
    expect(result).toEqual({ ok: false, timedOut: false, error: expect.any(Error) });
    if (!result.ok) expect(result.error?.message).toBe("socket hang up");
  });

  it("an abort during the handshake ends it at once with 'interrupted', not a timeout", async () => {
    const url = await silentServer();
    const controller = new AbortController();
    const connection = await FeedConnection.create(
      connectionOptions(url, { handshakeTimeoutMs: 5000 }),
    );
    cleanups.push(() => connection.terminate());
    const opening = connection.open(controller.signal);
    setImmediate(() => controller.abort());
    const started = Date.now();
    expect(await opening).toEqual({
      ok: false,
      error: new Error("interrupted"),
      timedOut: false,
    });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("an already aborted signal ends it at once with 'interrupted'", async () => {
    const url = await silentServer();
    const controller = new AbortController();
    controller.abort();
    const started = Date.now();
    const { result } = await connect(url, { handshakeTimeoutMs: 5000 }, controller.signal);
    expect(result).toEqual({ ok: false, error: new Error("interrupted"), timedOut: false });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("a refusal is neither a timeout nor an error", async () => {
    const server = await upgradeServer((socket) => socket.end(head("404 Not Found")));
    const { result } = await connect(server.url);
    expect(result).not.toHaveProperty("timedOut");
    expect(result).not.toHaveProperty("error");
  });
});

describe("an open connection", () => {
  it("opens without an abort signal too, stamps openedAt and calls onOpen before any frame", async () => {
    const server = await wsServer({ onConnection: (ws) => ws.send("first") });
    const seen: string[] = [];
    let framed: () => void = () => {};
    const firstFrame = new Promise<void>((resolve) => {
      framed = resolve;
    });
    const connection = await FeedConnection.create(
      connectionOptions(server.url, {
        onOpen: () => seen.push("open"),
        onFrame: (frame) => {
          seen.push(String(frame));
          framed();
        },
      }),
    );
    cleanups.push(() => connection.terminate());
    expect(await connection.open()).toEqual({ ok: true });
    expect(connection.openedAt).toBe(NOW);
    await firstFrame;
    expect(seen).toEqual(["open", "first"]);
  });

  it("delivers text frames as bytes and binary frames wrapped, counting both", async () => {
    const server = await wsServer({
      onConnection: (ws) => {
        ws.send("text");
        ws.send(Buffer.from([1, 2, 3]));
        ws.close(1000, "done");
      },
    });
    const frames: Array<Buffer | BinaryFrame> = [];
    const { connection, result } = await connect(server.url, {
      onFrame: (frame) => frames.push(frame),
      now: () => NOW,
    });
    expect(result).toEqual({ ok: true });
    const info = await connection.closed;
    expect(frames).toEqual([Buffer.from("text"), new BinaryFrame(Buffer.from([1, 2, 3]))]);
    expect(info).toEqual({
      code: 1000,
      reason: "done",
      heartbeatTimeout: false,
      error: undefined,
      openedAt: NOW,
      closedAt: NOW,
      frames: 2,
    });
  });

  it("pause() stops reading and resume() reads again, only while open", async () => {
    const server = await wsServer();
    const { connection } = await connect(server.url);
    connection.pause();
    expect(connection.ws.isPaused).toBe(true);
    connection.pause();
    expect(connection.ws.isPaused).toBe(true);
    connection.resume();
    expect(connection.ws.isPaused).toBe(false);
    connection.resume();
    expect(connection.ws.isPaused).toBe(false);
  });

  it("pause() while closing keeps reading, so the server's close frame ends it cleanly", async () => {
    const server = await wsServer();
    const { connection } = await connect(server.url);
    connection.close(1000, "bye");
    connection.pause();
    expect(connection.ws.isPaused).toBe(false);
    const info = await connection.closed;
    expect(info.code).toBe(1000);
  });

  it("close() during the handshake abandons it", async () => {
    const url = await silentServer();
    const connection = await FeedConnection.create(connectionOptions(url));
    const opening = connection.open(new AbortController().signal);
    connection.close();
    const result = await opening;
    expect(result).toMatchObject({ ok: false, timedOut: false });
  });

  it("close() sends the code and reason to the server", async () => {
    let serverSaw: (closedWith: [number, string]) => void = () => {};
    const closedWith = new Promise<[number, string]>((resolve) => {
      serverSaw = resolve;
    });
    const server = await wsServer({
      onConnection: (ws) => ws.on("close", (code, reason) => serverSaw([code, reason.toString()])),
    });
    const { connection } = await connect(server.url);
    connection.close(4001, "client stopping");
    const info = await connection.closed;
    expect(info).toMatchObject({ code: 4001, reason: "client stopping" });
    expect(await closedWith).toEqual([4001, "client stopping"]);
  });
});

describe("the heartbeat", () => {
  /** A server whose sockets never answer a ping; counts the pings each one receives. */
  async function deafServer(onPing: (ws: ServerSocket) => void = () => {}) {
    const pings: number[] = [];
    let serverClosed: () => void = () => {};
    const closedOnServer = new Promise<void>((resolve) => {
      serverClosed = resolve;
    });
    const server = await wsServer({
      autoPong: false,
      onConnection: (ws, index) => {
        pings[index - 1] = 0;
        ws.on("ping", () => {
          pings[index - 1] = (pings[index - 1] ?? 0) + 1;
          onPing(ws);
        });
        ws.on("close", () => serverClosed());
      },
    });
    return { server, pings, closedOnServer };
  }

  /** Resolves once `isPaused` (asked on every heartbeat tick) has been asked `ticks` times. */
  function tickCounter(ticks: number, paused: (tick: number) => boolean = () => false) {
    let count = 0;
    let reached: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      reached = resolve;
    });
    return {
      isPaused: () => {
        count++;
        if (count === ticks) reached();
        return paused(count);
      },
      done,
    };
  }

  it("a peer that never answers gets exactly one ping, then the connection is terminated", async () => {
    const { server, pings, closedOnServer } = await deafServer();
    const { connection, result } = await connect(server.url, { heartbeatMs: 50 });
    expect(result).toEqual({ ok: true });
    const info = await connection.closed;
    await closedOnServer;
    expect(info).toMatchObject({ code: 1006, heartbeatTimeout: true });
    expect(pings).toEqual([1]);
  });

  it("while reading is paused nothing is pinged or terminated; afterwards a full interval to answer", async () => {
    const { server, pings, closedOnServer } = await deafServer();
    // Paused for the first four ticks, then reading again.
    const ticks = tickCounter(4, (tick) => tick <= 4);
    const { connection } = await connect(server.url, { heartbeatMs: 50, isPaused: ticks.isPaused });
    await ticks.done;
    expect(connection.ws.readyState).toBe(connection.ws.OPEN);
    expect(pings).toEqual([0]);
    const info = await connection.closed;
    await closedOnServer;
    expect(info.heartbeatTimeout).toBe(true);
    expect(pings).toEqual([1]);
  });

  it("a frame is as good a sign of life as a pong", async () => {
    // Answers each ping with a data frame instead of a pong.
    const { server } = await deafServer((ws) => ws.send("still here"));
    const ticks = tickCounter(4);
    const { connection } = await connect(server.url, {
      heartbeatMs: 100,
      isPaused: ticks.isPaused,
    });
    const outcome = await Promise.race([
      connection.closed.then(() => "closed"),
      ticks.done.then(() => "open after 4 intervals"),
    ]);
    expect(outcome).toBe("open after 4 intervals");
    expect(connection.frames).toBeGreaterThanOrEqual(3);
  });

  it("a peer that answers pings keeps the connection for many intervals", async () => {
    let pinged = 0;
    let thirdPing: () => void = () => {};
    const third = new Promise<void>((resolve) => {
      thirdPing = resolve;
    });
    const server = await wsServer({
      onConnection: (ws) =>
        ws.on("ping", () => {
          if (++pinged === 3) thirdPing();
        }),
    });
    const { connection } = await connect(server.url, { heartbeatMs: 100 });
    const outcome = await Promise.race([
      connection.closed.then(() => "closed"),
      third.then(() => "third ping"),
    ]);
    expect(outcome).toBe("third ping");
    expect(connection.frames).toBe(0);
  });

  it("no heartbeat at all when heartbeatMs is 0", async () => {
    let ticks = 0;
    const { server, pings } = await deafServer();
    const { connection } = await connect(server.url, {
      heartbeatMs: 0,
      isPaused: () => ++ticks > 0,
    });
    // Twenty round trips through the server: time for many ticks of a 1 ms timer.
    const peer = await server.connection(1);
    peer.on("message", (data) => peer.send(data));
    for (let i = 0; i < 20; i++) {
      const echoed = new Promise<void>((resolve) => connection.ws.once("message", () => resolve()));
      connection.ws.send(String(i));
      await echoed;
    }
    expect(ticks).toBe(0);
    expect(pings).toEqual([0]);
    connection.close();
    const info = await connection.closed;
    expect(info.heartbeatTimeout).toBe(false);
  });
});

describe("the end of an open connection", () => {
  it("the handshake deadline no longer applies once open", async () => {
    const server = await wsServer({
      // Two deadlines later.
      onConnection: (ws) => setTimeout(() => ws.send("late"), 100),
    });
    let frame: () => void = () => {};
    const framed = new Promise<string>((resolve) => {
      frame = () => resolve("frame");
    });
    const { connection, result } = await connect(server.url, {
      handshakeTimeoutMs: 50,
      onFrame: () => frame(),
    });
    expect(result).toEqual({ ok: true });
    expect(await Promise.race([framed, connection.closed.then(() => "closed")])).toBe("frame");
  });

  it("close() without arguments is a normal closure without a reason", async () => {
    let serverSaw: (closedWith: [number, string]) => void = () => {};
    const closedWith = new Promise<[number, string]>((resolve) => {
      serverSaw = resolve;
    });
    const server = await wsServer({
      onConnection: (ws) => ws.on("close", (code, reason) => serverSaw([code, reason.toString()])),
    });
    const { connection } = await connect(server.url);
    connection.close();
    expect(await closedWith).toEqual([1000, ""]);
  });

  it("a peer that never answers the close frame is cut off after a second", async () => {
    // The server stops reading, so it never sees (or answers) the close frame.
    const server = await wsServer({ onConnection: (ws) => ws.pause() });
    const { connection } = await connect(server.url);
    const started = Date.now();
    connection.close(1000, "bye");
    const info = await connection.closed;
    expect(info.code).toBe(1006);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("terminate() ends it at once, and is no heartbeat timeout", async () => {
    const server = await wsServer();
    const { connection } = await connect(server.url, { heartbeatMs: 10_000 });
    connection.terminate();
    const info = await connection.closed;
    expect(info).toMatchObject({ code: 1006, heartbeatTimeout: false });
  });
});

describe("the abort signal after opening", () => {
  it("no longer cuts the connection: closing it is then the owner's business", async () => {
    const server = await wsServer();
    const controller = new AbortController();
    let frame: () => void = () => {};
    const framed = new Promise<string>((resolve) => {
      frame = () => resolve("frame");
    });
    const { connection, result } = await connect(
      server.url,
      { onFrame: () => frame() },
      controller.signal,
    );
    expect(result).toEqual({ ok: true });
    controller.abort();
    (await server.connection(1)).send("after the abort");
    expect(await Promise.race([framed, connection.closed.then(() => "closed")])).toBe("frame");
  });
});
