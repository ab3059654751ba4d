import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  type Simulator,
  type SimulatorOptions,
  startSimulator,
} from "../../src/simulator/server.js";
import { gapWindow } from "../../src/sources/gap.js";
import { SeenWindow } from "../../src/sources/gap-dedupe.js";
import {
  type HistoryEvent,
  type HistoryOptions,
  readHistory,
  unseenHistory,
} from "../../src/sources/history.js";

const NOW = 1_780_000_000_000;

interface RestItem {
  id: string;
  created: number;
  [field: string]: unknown;
}
interface HistoryPage {
  items: RestItem[];
  links: { next?: string };
  metadata: { size: number; filters: Array<{ name: string; value: number }> };
}
let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(options: Partial<SimulatorOptions> = {}): Promise<Simulator> {
  sim = await startSimulator({ rate: 20, devices: 5, seed: 11, now: () => NOW, ...options });
  return sim;
}

async function get(path: string, authorization?: string) {
  const response = await fetch(`${sim!.baseUrl}${path}`, {
    headers: authorization ? { Authorization: authorization } : {},
  });
  return { status: response.status, body: (await response.json()) as HistoryPage };
}

async function history(options: Partial<HistoryOptions>): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for await (const event of readHistory({
    baseUrl: sim!.baseUrl,
    customer: "demo",
    since: NOW - 60_000,
    until: NOW,
    tokenKind: "access",
    getToken: async () => "any-token",
    ...options,
  })) {
    events.push(event);
  }
  return events;
}

/** What the simulator's timeline says the window holds, by REST's whole-second `created`. */
function expectedIds(since: number, until: number): string[] {
  const ids: string[] = [];
  // An event created in the window may be received up to 30 s after it ends.
  for (const { at, n } of sim!.timeline.between(since - 31_000, Math.min(until + 31_000, NOW))) {
    const event = sim!.generator.eventAt(at, n);
    const created = Math.floor(event.time_created! / 1000) * 1000;
    if (created >= since && created <= until) ids.push(event.event_id!);
  }
  return ids;
}

describe("the simulator's REST history", () => {
  it("serves the window newest first, in pages linked by links.next, with Insight's REST names", async () => {
    await start({ historyPageSize: 50 });
    const since = NOW - 120_000;
    const seen: RestItem[] = [];
    let path = `/demo/events?start_time_millis=${since}&end_time_millis=${NOW}`;
    let pages = 0;
    for (;;) {
      const { status, body } = await get(path, "any-token");
      expect(status).toBe(200);
      pages++;
      expect(body.metadata.size).toBe(body.items.length);
      expect(body.metadata.filters).toContainEqual({ name: "start_time_millis", value: since });
      seen.push(...body.items);
      if (!body.links.next) break;
      expect(body.links.next).toMatch(/^\/events\?next_token=[\w-]+$/);
      const token = new URL(body.links.next, "http://x").searchParams.get("next_token");
      path = `/demo/events?start_time_millis=${since}&end_time_millis=${NOW}&next_token=${token}`;
    }
    expect(pages).toBeGreaterThan(40); // ~2400 events at 20/s
    for (let i = 1; i < seen.length; i++)
      expect(seen[i]!.created).toBeLessThanOrEqual(seen[i - 1]!.created);
    for (const item of seen) {
      expect(Number.isInteger(item.created)).toBe(true);
      expect(item.created * 1000).toBeGreaterThanOrEqual(since);
      expect(item.created * 1000).toBeLessThanOrEqual(NOW);
      expect(item).toHaveProperty("device_id");
      expect(item).not.toHaveProperty("event_id");
    }
    expect(new Set(seen.map((item) => item.id)).size).toBe(seen.length);
    expect(seen.map((item) => item.id).sort()).toEqual(expectedIds(since, NOW).sort());
  });

  it("readHistory gets exactly the timeline's events of a window, oldest first", async () => {
    await start({ historyPageSize: 37, rate: 5 });
    const since = NOW - 3_600_000 + 1234;
    const until = NOW - 3_000_000;
    const events = await history({ since, until });
    // The client starts the window at its whole second (REST has whole seconds).
    expect(events.map((e) => e.id).sort()).toEqual(
      expectedIds(NOW - 3_600_000 + 1000, until).sort(),
    );
    for (let i = 1; i < events.length; i++)
      expect(events[i]!.time).toBeGreaterThanOrEqual(events[i - 1]!.time);
    expect(sim!.stats.history.items).toBe(events.length);
  });

  it("keeps the last 24 hours and nothing received after now", async () => {
    await start({ rate: 0.05 });
    const { body } = await get(
      `/demo/events?start_time_millis=0&end_time_millis=${NOW + 86_400_000}`,
      "t",
    );
    expect(body.metadata.filters).toEqual([
      { name: "start_time_millis", value: NOW - 86_400_000 },
      { name: "end_time_millis", value: NOW },
    ]);
    const all = await history({ since: 0, until: NOW + 86_400_000 });
    expect(all.length).toBeGreaterThan(3500); // 0.05/s × 24 h ≈ 4320
    expect(all.length).toBeLessThan(5200);
    expect(all[0]!.time).toBeGreaterThanOrEqual(NOW - 86_400_000);
  });

  it("with the ignore-window fault, answers the whole day; the client still gets the window", async () => {
    await start({ historyIgnoreWindow: true, historyPageSize: 200 });
    const { body } = await get(
      `/demo/events?start_time_millis=${NOW - 1000}&end_time_millis=${NOW}`,
      "t",
    );
    expect(body.items.some((item) => item.created * 1000 < NOW - 1000)).toBe(true);
    const events = await history({ since: NOW - 30_000, until: NOW - 20_000 });
    expect(events.map((e) => e.id).sort()).toEqual(expectedIds(NOW - 30_000, NOW - 20_000).sort());
    // Early stop: a few pages past the window, not the 24 hours (~8600 pages).
    expect(sim!.stats.history.requests).toBeLessThan(10);
  });

  it("the reject fault answers successive requests with the statuses given, then serves", async () => {
    await start({ historyReject: [503, 429, "ok", 500] });
    const path = `/demo/events?start_time_millis=${NOW - 5000}&end_time_millis=${NOW}`;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await get(path, "t")).status);
    expect(statuses).toEqual([503, 429, 200, 500, 200]);
  });

  it("refuses a missing token (401) and, when one is required, a wrong one (403); both spellings work", async () => {
    await start({ requiredToken: "the-right-token" });
    const path = `/demo/events?start_time_millis=${NOW - 5000}&end_time_millis=${NOW}`;
    expect((await get(path)).status).toBe(401);
    expect((await get(path, "wrong-token")).status).toBe(403);
    expect((await get(path, "the-right-token")).status).toBe(200);
    expect((await get(path, "Bearer the-right-token")).status).toBe(200);
    expect((await get("/demo/events?start_time_millis=yesterday", "the-right-token")).status).toBe(
      400,
    );
    expect((await get("/demo/events?next_token=%%%", "the-right-token")).status).toBe(400);
    expect(sim!.stats.history.refused).toBe(2);
  });

  it("the events the live feed sent are in the history with the same ids, and so are those a dropped client missed", async () => {
    sim = await startSimulator({ rate: 300, devices: 8, seed: 21, dropAfterMs: 300 });
    const received = async (ms: number) => {
      const events: Array<{ event_id: string; time_received: number }> = [];
      const ws = new WebSocket(`${sim!.url}?token=t`);
      ws.on("message", (data) => events.push(JSON.parse(String(data))));
      await new Promise(
        (resolve) => ws.once("close", resolve).once("error", resolve) && setTimeout(resolve, ms),
      );
      ws.terminate();
      return events;
    };
    const first = await received(1000); // cut by the drop at 300 ms
    await new Promise((resolve) => setTimeout(resolve, 150)); // the client is away
    const second = await received(200);
    expect(first.length).toBeGreaterThan(20);
    expect(second.length).toBeGreaterThan(5);
    // Latency reaches 30 s: events received after the first one may be created 30 s before it.
    const events = await history({ since: first[0]!.time_received - 31_000, until: Date.now() });
    const live = new Set([...first, ...second].map((e) => e.event_id));
    const stored = new Set(events.map((e) => e.id));
    for (const id of live) expect(stored.has(id)).toBe(true);
    // Between the first event and the last one received, history minus live is the gap.
    const from = first[0]!.time_received;
    const to = second[second.length - 1]!.time_received;
    const lastBeforeDrop = first[first.length - 1]!.time_received;
    const firstAfter = second[0]!.time_received;
    const missed = events
      .map((e) => JSON.parse(e.line) as { event_id: string; time_received: number })
      .filter((e) => e.time_received >= from && e.time_received <= to && !live.has(e.event_id));
    expect(missed.length).toBeGreaterThan(10); // ~150 ms at 300/s
    for (const e of missed) {
      expect(e.time_received).toBeGreaterThan(lastBeforeDrop);
      expect(e.time_received).toBeLessThan(firstAfter);
    }
    // The simulator counts what nobody was connected for; frames cut off in flight add to what the client missed.
    expect(sim.stats.missed).toBeGreaterThan(0);
    expect(sim.stats.missed).toBeLessThanOrEqual(missed.length);
  });
});

describe("gap fill from the pieces (window, seen ids, history)", () => {
  it("after a dropped connection, live + filled events are every event exactly once", async () => {
    sim = await startSimulator({ rate: 150, devices: 6, seed: 5, dropAfterMs: 250 });
    const seen = new SeenWindow();
    const written: Array<{ id: string; received: number; created: number; live: boolean }> = [];
    const write = (id: string, created: number, received: number) => {
      if (!seen.seen(id, created)) written.push({ id, received, created, live: true });
    };
    // A connection that hands its events to `write` as they come, or holds them while
    // `hold` is set (the pipeline buffers live events while a gap is filled).
    let hold = false;
    const held: Array<[string, number, number]> = [];
    const connect = (ms: number) => {
      const state: {
        openedAt: number;
        last?: number;
        opened: Promise<void>;
        ended: Promise<void>;
      } = {} as never;
      const ws = new WebSocket(`${sim!.url}?token=t`);
      state.opened = new Promise((resolve) =>
        ws.once("open", () => {
          state.openedAt = Date.now();
          resolve();
        }),
      );
      ws.on("message", (data) => {
        const e = JSON.parse(String(data));
        state.last = Math.max(state.last ?? 0, e.time_created);
        if (hold) held.push([e.event_id, e.time_created, e.time_received]);
        else write(e.event_id, e.time_created, e.time_received);
      });
      state.ended = new Promise((resolve) => {
        const done = () => {
          ws.terminate();
          resolve();
        };
        ws.once("close", done);
        setTimeout(done, ms);
      });
      return state;
    };
    const lost = connect(1000); // cut at 250 ms
    await lost.ended;
    await new Promise((resolve) => setTimeout(resolve, 200));
    hold = true;
    const again = connect(400);
    await again.opened;
    const window = gapWindow({
      lastEventAt: lost.last,
      connectedAt: lost.openedAt,
      reconnectedAt: again.openedAt,
      // An event created just before the start can reach the cloud during the gap.
      notBefore: lost.openedAt - 30_000,
    });
    expect(window.since).toBe(lost.openedAt - 30_000);
    let filled = 0;
    for await (const event of unseenHistory(
      readHistory({
        baseUrl: sim.baseUrl,
        customer: "demo",
        ...window,
        tokenKind: "access",
        getToken: async () => "t",
      }),
      seen,
    )) {
      filled++;
      written.push({
        id: event.id!,
        received: JSON.parse(event.line).time_received,
        created: event.time,
        live: false,
      });
    }
    expect(filled).toBeGreaterThan(10); // ~200 ms at 150/s
    hold = false;
    for (const e of held.splice(0)) write(...e);
    await again.ended;
    const ids = written.map((w) => w.id);
    expect(new Set(ids).size).toBe(ids.length);
    // No loss: every event the simulator received from the first one written live to the
    // last is there. No extras: what was filled was created after the run started.
    const live = written.filter((w) => w.live);
    const expected = [
      ...sim.timeline.between(live[0]!.received - 1, live[live.length - 1]!.received),
    ].map(({ at, n }) => sim!.generator.eventAt(at, n).event_id!);
    const all = new Set(ids);
    for (const id of expected) expect(all.has(id)).toBe(true);
    // (REST has whole seconds: the window starts at the second it was asked to.)
    const runStart = Math.floor((lost.openedAt - 30_000) / 1000) * 1000;
    for (const w of written) if (!w.live) expect(w.created).toBeGreaterThanOrEqual(runStart);
  });
});
