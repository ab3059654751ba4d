import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocket, WebSocketServer } from "ws";
import { EventGenerator } from "./generator.js";
import { serveHistory, Timeline } from "./history.js";

/** Fault switches for exercising clients (README, "demo and simulate"). */
export interface Faults {
  /** Handshake answers for successive connections: status codes or "ok"; then always ok. */
  reject?: Array<number | "ok">;
  /** Cut each connection without a close frame after this long (a dropped network). */
  dropAfterMs?: number;
  /** Close with 1001 after this long without a message (API Gateway: 10 minutes). */
  idleTimeoutMs?: number;
  /** Close with 1001 at this connection age (API Gateway: 2 hours). */
  maxAgeMs?: number;
  /** After this long, stop sending and stop answering pings (a dead peer that says nothing). */
  stallAfterMs?: number;
  /** Fraction (0–1) of events followed by a malformed frame. */
  malformedRatio?: number;
  /** Every n-th event is followed by a 2 MiB frame. */
  oversizedEvery?: number;
  /** Send the last n events again to each new connection (reconnect overlap). */
  resendOnConnect?: number;
  /** The REST history answers as if start_time_millis / end_time_millis were not sent. */
  historyIgnoreWindow?: boolean;
  /** REST history answers for successive requests: status codes or "ok"; then always ok. */
  historyReject?: Array<number | "ok">;
}

export interface SimulatorOptions extends Faults {
  host?: string;
  port?: number;
  /** Events per second (Poisson arrivals); 0 for a silent feed. */
  rate: number;
  devices: number;
  seed: number;
  /** When set, only this token is accepted. */
  requiredToken?: string;
  /** Stop after this many events in all (tests, benchmarks). */
  limit?: number;
  /** Items per REST history page (default 100). */
  historyPageSize?: number;
  /** The clock of the simulated cloud (tests); default Date.now. */
  now?: () => number;
}

export interface SimulatorStats {
  connections: number;
  refused: number;
  /** Events generated. */
  events: number;
  /** Events written whole to at least one client's socket (a resend may deliver late). */
  delivered: number;
  /** Happened while no client listened: in the history, never sent live. */
  missed: number;
  dropped: number;
  history: { requests: number; refused: number; items: number };
}

export interface Simulator {
  /** e.g. ws://127.0.0.1:4242/latest/ */
  url: string;
  /** The REST base URL: `GET {baseUrl}/{customerId}/events`. */
  baseUrl: string;
  port: number;
  host: string;
  /**
   * `events`: sent live; `delivered`: written whole to at least one client; `missed`:
   * happened while no client listened (they are in the history, not sent); `history`:
   * REST requests, refusals and items served.
   */
  stats: SimulatorStats;
  generator: EventGenerator;
  timeline: Timeline;
  close(): Promise<void>;
}

const STAGES = new Set(["/latest", "/latest/", "/prod", "/prod/"]);
const MALFORMED: Array<string | Buffer> = [
  "Internal server error",
  '{"message": "Internal server error", "connectionId":"Zr3xkc8PFiACFkQ=", "requestId":"Zr3xlGQzliAEKvw="}',
  '{"message":"Forbidden","connectionId":"Zr3xkc8PFiACFkQ=","requestId":"Zr3xm9b6FiAFTFQ="}',
  "[1,2,3]",
  "42",
  '{"event_id": "truncated',
  Buffer.from([0x00, 0xff, 0x10, 0x1b]),
  '{"unexpected":"shape"}',
];
const MAX_BUFFERED = 16 * 1024 * 1024;

/**
 * Answers a WebSocket upgrade with an HTTP error the way API Gateway does: a JSON body
 * `{"message": …}` (Unauthorized, Forbidden, …), Retry-After on 429. Tests' servers use it too.
 */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  message = defaultMessage(status),
): void {
  const body = JSON.stringify({ message });
  const reasons: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
  };
  socket.end(
    `HTTP/1.1 ${status} ${reasons[status] ?? "Error"}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n${status === 429 ? "Retry-After: 0\r\n" : ""}\r\n${body}`,
  );
}

function defaultMessage(status: number): string {
  if (status === 401) return "Unauthorized";
  if (status === 429) return "Too Many Requests";
  if (status >= 500) return "Internal server error";
  return "Forbidden";
}

/**
 * A simulated Insight live feed: a real WebSocket server on loopback speaking the
 * live-feed protocol (stages /latest/ and /prod/, token and customer query
 * parameters), broadcasting generated scans to every connected client; the same HTTP
 * server answers `GET /{customerId}/events` from the simulated history (history.ts).
 */
export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const host = options.host ?? "127.0.0.1";
  const generator = new EventGenerator({ devices: options.devices, seed: options.seed });
  const timeline = new Timeline(options.seed, options.rate);
  const clock = options.now ?? Date.now;
  const stats: SimulatorStats = {
    connections: 0,
    refused: 0,
    events: 0,
    delivered: 0,
    missed: 0,
    dropped: 0,
    history: { requests: 0, refused: 0, items: 0 },
  };
  const rejectQueue = [...(options.reject ?? [])];
  const historyRejects = [...(options.historyReject ?? [])];
  // The last events, for --resend; each knows whether a client got it yet (for the soak's
  // "events in"), so the count stays exact however many resends and clients there are.
  const recent: Array<{ frame: string; delivered: boolean }> = [];
  const sendEvent = (client: WebSocket, item: { frame: string; delivered: boolean }) =>
    client.send(item.frame, (error) => {
      if (!error && !item.delivered) {
        item.delivered = true;
        stats.delivered++;
      }
    });
  const stalled = new WeakSet<WebSocket>();
  const lastSent = new WeakMap<WebSocket, number>();
  const wss = new WebSocketServer({ noServer: true, autoPong: false, perMessageDeflate: false });
  const http = createServer((req, res) => {
    const served = serveHistory(req, res, {
      generator,
      timeline,
      now: clock,
      requiredToken: options.requiredToken,
      pageSize: options.historyPageSize ?? 100,
      ignoreWindow: options.historyIgnoreWindow === true,
      reject: historyRejects,
      stats: stats.history,
    });
    if (served) return;
    res.writeHead(426, { "Content-Type": "application/json", Upgrade: "websocket" });
    res.end(
      JSON.stringify({ message: "this is a WebSocket endpoint: connect to /latest/?token=…" }),
    );
  });

  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on("error", () => {});
    const url = new URL(req.url ?? "/", "ws://localhost");
    const next = rejectQueue.shift();
    if (typeof next === "number") {
      stats.refused++;
      return refuseUpgrade(socket, next);
    }
    if (!STAGES.has(url.pathname)) {
      stats.refused++;
      return refuseUpgrade(socket, 403);
    }
    const token = url.searchParams.get("token");
    if (!token || (options.requiredToken !== undefined && token !== options.requiredToken)) {
      stats.refused++;
      return refuseUpgrade(socket, 401);
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit("connection", ws, req));
  });

  wss.on("connection", (ws: WebSocket) => {
    stats.connections++;
    const openedAt = Date.now();
    lastSent.set(ws, openedAt);
    ws.on("error", () => {});
    ws.on("ping", (data) => {
      if (!stalled.has(ws)) ws.pong(data);
    });
    const timers: NodeJS.Timeout[] = [];
    const later = (ms: number, fn: () => void) => timers.push(setTimeout(fn, ms));
    if (options.dropAfterMs) later(options.dropAfterMs, () => ws.terminate());
    if (options.maxAgeMs) later(options.maxAgeMs, () => ws.close(1001, "Going away"));
    if (options.stallAfterMs) later(options.stallAfterMs, () => stalled.add(ws));
    if (options.idleTimeoutMs) {
      const idle = options.idleTimeoutMs;
      const check = setInterval(
        () => {
          if (Date.now() - (lastSent.get(ws) ?? openedAt) >= idle) ws.close(1001, "Going away");
        },
        Math.max(10, Math.min(1000, idle / 4)),
      );
      timers.push(check);
    }
    ws.on("close", () => {
      for (const t of timers) clearTimeout(t);
    });
    if (options.resendOnConnect) {
      for (const item of recent.slice(-options.resendOnConnect)) sendEvent(ws, item);
    }
    ensureTicking();
  });

  // The live feed walks the timeline the history serves (history.ts), sending what
  // arrives while at least one client listens. What arrives while nobody listens, or
  // during a stall longer than a second (a suspended laptop), is not sent late in a
  // burst: it is in the history, as with Insight, for gap fill to find.
  let cursor = 0;
  let ticker: NodeJS.Timeout | undefined;
  function ensureTicking(): void {
    if (ticker || options.rate <= 0) return;
    skipTo(clock());
    ticker = setTimeout(tick, 0);
  }
  function skipTo(now: number): void {
    // Counting walks the timeline: after a long silence, count only the last 10 minutes.
    if (cursor > 0)
      for (const _ of timeline.between(Math.max(cursor, now - 600_000), now)) stats.missed++;
    cursor = now;
  }
  function tick(): void {
    ticker = undefined;
    if (wss.clients.size === 0) return;
    const now = clock();
    if (now - cursor > 1000) skipTo(now - 1000);
    for (const { at } of timeline.between(cursor, now)) {
      if (options.limit !== undefined && stats.events >= options.limit) return;
      emit(at);
    }
    cursor = now;
    const next = timeline.nextAfter(now, 50) ?? now + 50;
    ticker = setTimeout(tick, Math.max(0, Math.min(next - clock(), 50)));
  }

  function emit(at: number): void {
    const event = generator.next(at);
    const frame = JSON.stringify(event);
    stats.events++;
    const item = { frame, delivered: false };
    recent.push(item);
    if (recent.length > 1000) recent.splice(0, recent.length - 1000);
    const malformed =
      options.malformedRatio && generator.random.next() < options.malformedRatio
        ? MALFORMED[generator.random.int(0, MALFORMED.length - 1)]
        : undefined;
    const oversized = options.oversizedEvery && stats.events % options.oversizedEvery === 0;
    for (const client of wss.clients) {
      if (client.readyState !== WebSocket.OPEN || stalled.has(client)) continue;
      if (client.bufferedAmount > MAX_BUFFERED) {
        stats.dropped++;
        continue;
      }
      sendEvent(client, item);
      lastSent.set(client, Date.now());
      if (malformed !== undefined) client.send(malformed);
      if (oversized) client.send(`{"event_id":"oversized","pad":"${"x".repeat(2 * 1024 * 1024)}"}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, host, () => {
      http.removeListener("error", reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const shownHost = host.includes(":") ? `[${host}]` : host;
  return {
    url: `ws://${shownHost}:${port}/latest/`,
    baseUrl: `http://${shownHost}:${port}`,
    port,
    host,
    stats,
    generator,
    timeline,
    close: () =>
      new Promise<void>((resolve) => {
        if (ticker) clearTimeout(ticker);
        for (const client of wss.clients) client.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections?.();
      }),
  };
}
