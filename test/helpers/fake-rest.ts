import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A stand-in for Insight's REST history on loopback port 0, written independently of
 * the simulator so the client is checked against a second reading of the API: items in
 * REST names, newest first, `links.next` carrying `next_token`, the window in
 * `start_time_millis` / `end_time_millis`.
 */
export interface FakeRestOptions {
  customer?: string;
  /** REST items (`id`, `type`, `created`, `device_id`, …); served newest first by `created`. */
  items?: Array<Record<string, unknown>>;
  pageSize?: number;
  /** Serve every item whatever the window says. */
  ignoreWindow?: boolean;
  /** How links.next is spelled. */
  link?: "with-customer" | "without-customer" | "absolute" | "query-only";
  /** Decides whether the Authorization header is accepted; default: any non-empty value. */
  accept?: (authorization: string | undefined) => boolean;
  /**
   * Called before every answer; return a reply to send instead (a failure, a malformed
   * page). `attempt` counts requests for the same page, from 1.
   */
  intercept?: (request: {
    page: number;
    attempt: number;
    url: URL;
    authorization: string;
  }) => FakeReply | undefined;
}

export interface FakeReply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
}

export interface FakeRest {
  baseUrl: string;
  requests: Array<{ url: URL; authorization: string | undefined }>;
  close(): Promise<void>;
}

function millis(created: unknown): number {
  const n = Number(created);
  return n < 1e11 ? n * 1000 : n;
}

export async function startFakeRest(options: FakeRestOptions = {}): Promise<FakeRest> {
  const customer = options.customer ?? "c1";
  const pageSize = options.pageSize ?? 2;
  const sorted = [...(options.items ?? [])].sort((a, b) => millis(b.created) - millis(a.created));
  const requests: FakeRest["requests"] = [];
  const attempts = new Map<number, number>();
  let baseUrl = "";

  const send = (res: ServerResponse, reply: FakeReply) => {
    res.writeHead(reply.status, { "Content-Type": "application/json", ...reply.headers });
    res.end(reply.body ?? "");
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const authorization = req.headers.authorization;
    requests.push({ url, authorization });
    if (url.pathname !== `/api/${customer}/events`) {
      return send(res, { status: 404, body: '{"message":"Not Found"}' });
    }
    if (!authorization) return send(res, { status: 401, body: '{"message":"Unauthorized"}' });
    if (!(options.accept ?? (() => true))(authorization)) {
      return send(res, { status: 403, body: '{"message":"Forbidden"}' });
    }
    const offset = Number(url.searchParams.get("next_token") ?? "0");
    const page = Math.floor(offset / pageSize) + 1;
    const attempt = (attempts.get(page) ?? 0) + 1;
    attempts.set(page, attempt);
    const replaced = options.intercept?.({ page, attempt, url, authorization });
    if (replaced) return send(res, replaced);
    const start = Number(url.searchParams.get("start_time_millis") ?? "-Infinity");
    const end = Number(url.searchParams.get("end_time_millis") ?? "Infinity");
    const inWindow = options.ignoreWindow
      ? sorted
      : sorted.filter((item) => millis(item.created) >= start && millis(item.created) <= end);
    const items = inWindow.slice(offset, offset + pageSize);
    const more = offset + pageSize < inWindow.length;
    const token = String(offset + pageSize);
    const next = !more
      ? undefined
      : {
          "with-customer": `/${customer}/events?next_token=${token}`,
          "without-customer": `/events?next_token=${token}`,
          absolute: `${baseUrl}/${customer}/events?next_token=${token}&start_time_millis=${start}`,
          "query-only": `?next_token=${token}`,
        }[options.link ?? "without-customer"];
    send(res, {
      status: 200,
      body: JSON.stringify({
        items,
        links: next ? { next } : {},
        metadata: { description: "events", size: items.length, filters: [] },
      }),
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  return {
    baseUrl,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** REST items one second apart, newest last; `created` in seconds like Insight's example. */
export function restItems(
  count: number,
  startSeconds = 1_780_000_000,
): Array<Record<string, unknown>> {
  return Array.from({ length: count }, (_, i) => ({
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    type: "scan",
    created: startSeconds + i,
    device_id: `M2SR1${String(i % 3).padStart(8, "0")}`,
    scan_code: `CODE-${i}`,
    scan_decode_symbology: "CODE 128",
    device_battery: 90,
    extra_field: { nested: [i] },
  }));
}

/** The live feed's frame for a REST item: same id, live field names, times in ms. */
export function liveFrame(item: Record<string, unknown>): string {
  return JSON.stringify({
    event_id: item.id,
    event_type: item.type,
    time_created: Number(item.created) * 1000,
    device_serial: item.device_id,
    scan_code: item.scan_code,
  });
}
