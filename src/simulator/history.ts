import type { IncomingMessage, ServerResponse } from "node:http";
import type { ScanEvent } from "../events/event.js";
import { type EventGenerator, MAX_LATENCY_MS } from "./generator.js";
import { mix32, Random, split53 } from "./random.js";

const SLOT_MS = 1000;
/** Insight's REST history answers for the last 24 hours. */
export const RETENTION_MS = 24 * 3_600_000;

/** One arrival: the n-th event received in millisecond `at`. */
export interface Arrival {
  at: number;
  n: number;
  /** time_created, filled in by the first history page that needs it (pages overlap by the latency). */
  created?: number;
}

/**
 * When events reach the simulated cloud: a Poisson process at `rate` per second, cut into
 * one-second slots whose arrivals derive from (seed, slot) alone. Any slot of the past can
 * be recreated in isolation, so the last 24 hours exist without being generated up front,
 * and the live feed walks the very same timeline forward: the events it sends are the
 * events the history serves.
 */
export class Timeline {
  private readonly cache = new Map<number, Arrival[]>();
  private cached = 0;

  constructor(
    private readonly seed: number,
    private readonly rate: number,
  ) {}

  /** How many arrivals are held for paging (bounded). */
  get cachedArrivals(): number {
    return this.cached;
  }

  /** Arrivals received in [slot·1s, slot·1s + 1s), in time order. */
  slot(slot: number): Arrival[] {
    const cached = this.cache.get(slot);
    if (cached) return cached;
    const arrivals: Arrival[] = [];
    if (this.rate > 0) {
      const [lo, hi] = split53(slot);
      const r = new Random(mix32(lo ^ 0xa5a5a5a5), mix32(hi ^ mix32(this.seed)), this.seed);
      const ratePerMs = this.rate / 1000;
      const start = slot * SLOT_MS;
      // Exponential gaps from the slot's start: a Poisson process restricted to the slot.
      for (
        let t = start + r.exponential(ratePerMs);
        t < start + SLOT_MS;
        t += r.exponential(ratePerMs)
      ) {
        const at = Math.floor(t);
        const last = arrivals[arrivals.length - 1];
        arrivals.push({ at, n: last && last.at === at ? last.n + 1 : 0 });
      }
    }
    // Paging revisits slots; keep the most recent ones, bounded by arrivals not slots.
    while (this.cached + arrivals.length > 100_000 && this.cache.size > 0) {
      const [oldest, dropped] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      this.cached -= dropped.length;
    }
    this.cache.set(slot, arrivals);
    this.cached += arrivals.length;
    return arrivals;
  }

  /** Arrivals with from < at <= to, oldest first. */
  *between(from: number, to: number): Generator<Arrival> {
    for (let s = Math.floor(from / SLOT_MS); s <= Math.floor(to / SLOT_MS); s++) {
      for (const arrival of this.slot(s)) {
        if (arrival.at > from && arrival.at <= to) yield arrival;
      }
    }
  }

  /** The first arrival after `t`, looking at most `withinMs` ahead. */
  nextAfter(t: number, withinMs: number): number | undefined {
    for (let s = Math.floor(t / SLOT_MS); s <= Math.floor((t + withinMs) / SLOT_MS); s++) {
      for (const arrival of this.slot(s)) if (arrival.at > t) return arrival.at;
    }
    return undefined;
  }
}

export interface HistoryOptions {
  generator: EventGenerator;
  timeline: Timeline;
  now: () => number;
  /** When set, only this token is accepted (raw or after "Bearer "). */
  requiredToken?: string;
  pageSize: number;
  /** Fault switch: answer as if start_time_millis / end_time_millis were not sent. */
  ignoreWindow: boolean;
  /** Fault switch: statuses for successive requests ("ok" serves normally), consumed in order. */
  reject?: Array<number | "ok">;
  stats: { requests: number; refused: number; items: number };
}

/** Insight's REST item: `id`, `type`, `created` in seconds, `device_id`, then the rest. */
export function toRestItem(event: ScanEvent): Record<string, unknown> {
  const { event_id, event_type, time_created, device_serial, ...rest } = event;
  return {
    id: event_id,
    type: event_type,
    created: Math.floor((time_created ?? 0) / 1000),
    device_id: device_serial,
    ...rest,
  };
}

interface Position {
  created: number;
  at: number;
  n: number;
}

/** Newest first: by time created, then received, then number within the millisecond. */
function before(a: Position, b: Position): boolean {
  if (a.created !== b.created) return a.created < b.created;
  if (a.at !== b.at) return a.at < b.at;
  return a.n < b.n;
}

function encodeToken(p: Position): string {
  return Buffer.from(`${p.created}.${p.at}.${p.n}`).toString("base64url");
}

function decodeToken(token: string): Position | undefined {
  const parts = Buffer.from(token, "base64url").toString().split(".").map(Number);
  if (parts.length !== 3 || !parts.every(Number.isSafeInteger)) return undefined;
  return { created: parts[0]!, at: parts[1]!, n: parts[2]! };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

const EVENTS_PATH = /^\/([^/]+)\/events\/?$/;

/**
 * Serves `GET /{customerId}/events` like Insight's REST API: pages of `pageSize` items,
 * newest first, `links.next` a relative path without the customer segment (as in
 * ProGlove's example) carrying `next_token`, `metadata` with size and filters. Only
 * events received by now are stored. Returns false when the request is not for it.
 */
export function serveHistory(
  req: IncomingMessage,
  res: ServerResponse,
  options: HistoryOptions,
): boolean {
  const url = new URL(req.url ?? "/", "http://localhost");
  const match = EVENTS_PATH.exec(url.pathname);
  if (!match) return false;
  const { stats } = options;
  stats.requests++;
  if (req.method !== "GET" && req.method !== "HEAD") {
    reply(res, 405, { message: "Method Not Allowed" });
    return true;
  }
  const fault = options.reject?.shift();
  if (typeof fault === "number") {
    stats.refused++;
    res.writeHead(fault, {
      "Content-Type": "application/json",
      ...(fault === 429 ? { "Retry-After": "0" } : {}),
    });
    res.end(JSON.stringify({ message: fault >= 500 ? "Internal server error" : "Rejected" }));
    return true;
  }
  const header = req.headers.authorization?.trim() ?? "";
  const token = header.replace(/^bearer\s+/i, "");
  if (token === "") {
    stats.refused++;
    reply(res, 401, { message: "Unauthorized" });
    return true;
  }
  if (options.requiredToken !== undefined && token !== options.requiredToken) {
    stats.refused++;
    reply(res, 403, { message: "Forbidden" });
    return true;
  }
  const now = options.now();
  const number = (name: string): number | undefined | null => {
    const text = url.searchParams.get(name);
    if (text === null || options.ignoreWindow) return undefined;
    return /^\d{1,16}$/.test(text) ? Number(text) : null;
  };
  const start = number("start_time_millis");
  const end = number("end_time_millis");
  if (start === null || end === null) {
    reply(res, 400, {
      message: "start_time_millis and end_time_millis must be epoch milliseconds",
    });
    return true;
  }
  const oldest = now - RETENTION_MS;
  const from = Math.max(start ?? oldest, oldest);
  const to = Math.min(end ?? now, now);
  const tokenText = url.searchParams.get("next_token");
  const cursor = tokenText === null ? undefined : decodeToken(tokenText);
  if (tokenText !== null && cursor === undefined) {
    reply(res, 400, { message: "invalid next_token" });
    return true;
  }
  const { page, more } = readPage(options, from, to, now, cursor);
  const items = page.map((p) => toRestItem(options.generator.eventAt(p.at, p.n)));
  stats.items += items.length;
  const last = page[page.length - 1];
  reply(res, 200, {
    items,
    links: more && last ? { next: `/events?next_token=${encodeToken(last)}` } : {},
    metadata: {
      description: `Events of customer ${match[1]}`,
      size: items.length,
      filters: [
        { name: "start_time_millis", value: from },
        { name: "end_time_millis", value: to },
      ],
    },
  });
  return true;
}

/**
 * One page of the window, newest first, after `cursor`. Events are stored by when they
 * were received but ordered and filtered by when they were created (at most
 * MAX_LATENCY_MS earlier), so the walk goes back one slot at a time and stops once no
 * slot further back can hold a newer event than the page already has.
 */
function readPage(
  options: HistoryOptions,
  from: number,
  to: number,
  now: number,
  cursor: Position | undefined,
): { page: Position[]; more: boolean } {
  const { generator, timeline, pageSize } = options;
  // The window filters on `created` as the item reports it: whole seconds.
  const inWindow = (created: number) => {
    const reported = Math.floor(created / 1000) * 1000;
    return reported >= from && reported <= to;
  };
  const top = Math.min(
    now,
    to + 1000 + MAX_LATENCY_MS,
    cursor ? cursor.created + MAX_LATENCY_MS : now,
  );
  const candidates: Position[] = [];
  for (let slot = Math.floor(top / SLOT_MS); slot * SLOT_MS + SLOT_MS > from; slot--) {
    for (const arrival of timeline.slot(slot)) {
      const { at, n } = arrival;
      if (at > now) continue;
      arrival.created ??= generator.createdAt(at, n);
      const p = { created: arrival.created, at, n };
      const created = p.created;
      if (!inWindow(created) || (cursor && !before(p, cursor))) continue;
      candidates.push(p);
    }
    // Every event received before this slot was created before it too.
    const floor = slot * SLOT_MS;
    if (
      candidates.length > pageSize &&
      candidates.filter((p) => p.created >= floor).length > pageSize
    ) {
      break;
    }
  }
  candidates.sort((a, b) => (before(a, b) ? 1 : before(b, a) ? -1 : 0));
  return { page: candidates.slice(0, pageSize), more: candidates.length > pageSize };
}
