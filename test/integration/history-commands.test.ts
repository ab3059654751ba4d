import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeContext, runCli } from "../helpers/context.js";
import { liveFrame, restItems, startFakeRest } from "../helpers/fake-rest.js";
import { startTestServer } from "../helpers/ws-server.js";

/*
 * The history commands against a fake REST server written independently of the
 * simulator, and real ws servers on loopback: `events`, `tail --since`, gap fill.
 */
const TOKEN = "tok-history-secret-123456";
const env = { SCANTAIL_TOKEN: TOKEN };
const ids = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l).event_id as string);
const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`;

describe("scantail events", () => {
  const start = 1_780_000_000;
  /** `events` against the fake server for customer c1, window in seconds from `start`. */
  const events = (baseUrl: string, from: number, to: number, ...extra: string[]) =>
    runCli(
      [
        "events",
        "--base-url",
        baseUrl,
        "--customer",
        "c1",
        "--since",
        `${(start + from) * 1000}`,
        "--until",
        `${(start + to) * 1000}`,
        "-o",
        "ndjson",
        ...extra,
      ],
      makeContext({ env }),
    );
  it("pages through the window and writes it oldest first in the live feed's shape", async () => {
    const rest = await startFakeRest({ items: restItems(7, start), pageSize: 2 });
    const r = await events(rest.baseUrl, 0, 100);
    await rest.close();
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual([0, 1, 2, 3, 4, 5, 6].map(id));
    const first = JSON.parse(r.stdout.split("\n")[0]!);
    expect(first).toMatchObject({
      event_id: id(0),
      event_type: "scan",
      time_created: start * 1000,
      device_serial: "M2SR100000000",
      extra_field: { nested: [0] },
    });
    expect(rest.requests.length).toBeGreaterThanOrEqual(4);
    expect(rest.requests[0]!.url.searchParams.get("start_time_millis")).toBe(`${start * 1000}`);
    expect(rest.requests[0]!.authorization).toBe(TOKEN);
  });

  it("applies the window and the filters on the client when the server ignores them", async () => {
    const rest = await startFakeRest({ items: restItems(10, start), ignoreWindow: true });
    const r = await events(rest.baseUrl, 2, 6, "-s", "M2SR100000000");
    await rest.close();
    expect(r.code, r.stderr).toBe(0);
    // Items 2..6 are in the window; of those, serial …000 is 3 and 6.
    expect(ids(r.stdout)).toEqual([id(3), id(6)]);
  });

  it("--count stops after n events", async () => {
    const rest = await startFakeRest({ items: restItems(9, start) });
    const r = await events(rest.baseUrl, 0, 99, "-n", "3");
    await rest.close();
    expect(r.code).toBe(0);
    expect(ids(r.stdout)).toEqual([id(0), id(1), id(2)]);
  });

  it("a server that refuses every token exits 3 and never prints the token", async () => {
    const rest = await startFakeRest({ items: restItems(3, start), accept: () => false });
    const r = await runCli(
      ["events", "--base-url", rest.baseUrl, "--customer", "c1", "-v"],
      makeContext({ env }),
    );
    await rest.close();
    expect(r.code).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stderr).not.toContain(TOKEN.slice(0, 12));
  });

  it("without a base URL exits 2 saying how to give one", async () => {
    const r = await runCli(["events", "--customer", "c1"], makeContext({ env }));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no base URL .*\n.*--base-url.*SCANTAIL_BASE_URL/);
  });

  it("rejects a window that ends before it starts, and 10-digit seconds", async () => {
    const a = await runCli(["events", "--since", "1h", "--until", "2h"], makeContext({ env }));
    expect(a.code).toBe(2);
    const b = await runCli(["events", "--since", "1780000000"], makeContext({ env }));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/seconds/);
  });
});

describe("tail --since and gap fill", () => {
  const nowSeconds = () => Math.floor(Date.now() / 1000);

  it("--since writes the stored window, then live, with no event twice across the seam", async () => {
    const items = restItems(3, nowSeconds() - 30);
    const rest = await startFakeRest({ items, pageSize: 2 });
    const later = { ...items[2]!, id: id(99), created: nowSeconds() };
    const server = await startTestServer({
      onConnection: (ws) => {
        ws.send(liveFrame(items[2]!)); // also in the history: the overlap
        ws.send(liveFrame(later));
      },
    });
    const r = await runCli(
      [
        "--url",
        server.url,
        "--base-url",
        rest.baseUrl,
        "--customer",
        "c1",
        "--since",
        "5m",
        "-o",
        "ndjson",
        "-n",
        "4",
        "--summary",
      ],
      makeContext({ env }),
    );
    await Promise.all([rest.close(), server.close()]);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual([id(0), id(1), id(2), id(99)]);
    expect(r.stderr).toMatch(/3 from the event history/);
  });

  async function gapRun(extra: string[], accept?: () => boolean) {
    const base = nowSeconds() - 20;
    const items = restItems(5, base);
    const rest = await startFakeRest({ items, accept });
    const server = await startTestServer({
      onConnection: (ws, index) => {
        if (index === 1) {
          ws.send(liveFrame(items[0]!));
          ws.send(liveFrame(items[1]!), () => ws.terminate()); // dropped: 2 and 3 are lost
        } else {
          ws.send(liveFrame(items[4]!));
        }
      },
    });
    const r = await runCli(
      [
        "--url",
        server.url,
        "--base-url",
        rest.baseUrl,
        "--customer",
        "c1",
        "-o",
        "ndjson",
        "--summary",
        "--timeout",
        "5s",
        ...extra,
      ],
      makeContext({ env, random: () => 0 }),
    );
    await Promise.all([rest.close(), server.close()]);
    return r;
  }

  it("after a reconnect, the gap's events come from the history, in order, each once", async () => {
    const r = await gapRun(["-n", "5"]);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual([id(0), id(1), id(2), id(3), id(4)]);
    // 2, 3 and 4 (created before the reconnect) come from the history; live 4 is a duplicate.
    expect(r.stderr).toMatch(/3 from the event history/);
    expect(r.stderr).toMatch(/2 duplicates dropped/);
  });

  it("--no-gap-fill leaves the gap", async () => {
    const r = await gapRun(["-n", "3", "--no-gap-fill"]);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual([id(0), id(1), id(4)]);
  });

  it("a gap that cannot be filled is one line with start, end and reason; the tail goes on", async () => {
    const r = await gapRun(["-n", "3"], () => false);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual([id(0), id(1), id(4)]);
    expect(r.stderr).toMatch(
      /gap from \d{4}-\d\d-\d\dT[\d:.]+Z to \d{4}-\d\d-\d\dT[\d:.]+Z not filled: .+/,
    );
    expect(r.stderr).not.toContain(TOKEN);
  });
});

describe("demo --since", () => {
  it("writes the simulator's stored past, then goes live", () => {
    const start = Date.now();
    const bin = join(import.meta.dirname, "../../bin/scantail.js");
    const r = spawnSync(
      process.execPath,
      [
        bin,
        "demo",
        "--since",
        "30s",
        "--rate",
        "20",
        "--seed",
        "9",
        "-n",
        "760",
        "-o",
        "ndjson",
        "--summary",
      ],
      {
        encoding: "utf8",
        env: { ...process.env, SCANTAIL_CONFIG_DIR: makeContext().configDir },
        timeout: 30_000,
        maxBuffer: 64 << 20,
      },
    );
    expect(r.status, r.stderr).toBe(0);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events).toHaveLength(760);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(760);
    // About 600 stored events (30 s at 20/s; Poisson, so 760 leaves room for live ones)
    // come first, oldest first, then live ones.
    expect(events[0].time_created).toBeLessThan(start - 25_000);
    const times = events.map((e) => e.time_created as number);
    expect(times.slice(0, 500)).toEqual([...times.slice(0, 500)].sort((a, b) => a - b));
    expect(times.at(-1)).toBeGreaterThanOrEqual(start - 1000);
    expect(r.stderr).toMatch(/from the event history/);
  });
});
