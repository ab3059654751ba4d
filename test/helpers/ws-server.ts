import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { refuseUpgrade } from "../../src/simulator/server.js";

export interface TestServer {
  url: string;
  port: number;
  /** Every upgrade request's URL (path + query), in order. */
  requests: string[];
  connections: WebSocket[];
  /** Resolves with the n-th (1-based) accepted connection. */
  connection(n: number): Promise<WebSocket>;
  close(): Promise<void>;
}

/**
 * A real ws server on loopback port 0. `onUpgrade` may answer a handshake with a status
 * (return a number) instead of accepting it; `onConnection` drives each accepted socket.
 */
export async function startTestServer(
  options: {
    onUpgrade?: (req: IncomingMessage, attempt: number) => number | undefined;
    onConnection?: (ws: WebSocket, index: number, req: IncomingMessage) => void;
    autoPong?: boolean;
  } = {},
): Promise<TestServer> {
  const requests: string[] = [];
  const connections: WebSocket[] = [];
  const waiters = new Map<number, (ws: WebSocket) => void>();
  const wss = new WebSocketServer({ noServer: true, autoPong: options.autoPong ?? true });
  const http = createServer();
  let attempt = 0;
  http.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    attempt++;
    requests.push(req.url ?? "");
    socket.on("error", () => {});
    const status = options.onUpgrade?.(req, attempt);
    if (status !== undefined) {
      refuseUpgrade(socket, status);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on("error", () => {});
      connections.push(ws);
      const index = connections.length;
      options.onConnection?.(ws, index, req);
      waiters.get(index)?.(ws);
      waiters.delete(index);
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}/latest/`,
    port,
    requests,
    connections,
    connection(n) {
      const existing = connections[n - 1];
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve) => waiters.set(n, resolve));
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const ws of connections) ws.terminate();
        wss.close();
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

let counter = 0;
/** A minimal valid event; override any field. */
export function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    api_version: "0.5",
    event_type: "scan",
    event_id: `00000000-0000-4000-8000-${String(counter).padStart(12, "0")}`,
    time_created: 1_700_000_000_000 + counter,
    time_received: 1_700_000_000_120 + counter,
    scan_code: `CODE${counter}`,
    scan_decode_symbology: "CODE 128",
    device_serial: "M2SR121103132",
    device_model: "MARK 2",
    device_battery: 80,
    customer_gateway_name: "Gateway A",
    customer_gateway_station: "Station 1",
    gateway_id: "36f00d2a-33a4-43ed-ba8e-2827f0c0ef08",
    ...overrides,
  };
}
