import { createReadStream, existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadChalk, plainChalk } from "../../src/format/color.js";
import type { Shown } from "../../src/format/registry.js";
import type { Output } from "../../src/outputs/output.js";
import { createClassifier } from "../../src/run/classify.js";
import { liveDedupe } from "../../src/run/dedupe.js";
import { RunStats } from "../../src/run/stats.js";
import { StatusReporter } from "../../src/run/status.js";
import { runStream, type StreamOptions } from "../../src/run/stream.js";
import { openRecording } from "../../src/sources/recording.js";
import type { SourceItem } from "../../src/sources/source.js";
import { sanitize } from "../../src/util/sanitize.js";
import { makeContext, runCli, type TestContext } from "../helpers/context.js";
import { liveFrame, restItems, startFakeRest } from "../helpers/fake-rest.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

/*
 * What the pipeline counts and reports, exactly as the closing summary and the status
 * lines on stderr show it (README "Watching and filtering", "replay", "History"): every
 * frame counted once as shown, filtered out, invalid or a duplicate, reconnects counted,
 * events from the history counted, bad lines reported by number.
 */

const NOW = 1_700_000_000_000;
const TOKEN = "tok-stream-test-123456";
const fixedClock = (extra: Parameters<typeof makeContext>[0] = {}) =>
  makeContext({ now: () => NOW, ...extra });

function recordingFile(ctx: TestContext, lines: string[], name = "r.ndjson"): string {
  const file = join(ctx.configDir, name);
  writeFileSync(file, `${lines.join("\n")}\n`);
  return file;
}

describe("replay: the summary counts every line once", () => {
  // A filter on two literal serials: no byte needle, but the text pre-check applies.
  const lines = [
    '{"event_id":"1","device_serial":"KEEP","scan_decode_symbology":"CODE 128"}',
    '{"message":"x"}', // looks like an object, has neither serial: ruled out unread
    "not json", // not object-shaped: always decoded and reported
    '{"event_id":"4","device_serial":"ZZZ"}',
    '  {"message":"y"}  ', // object-shaped once the blanks are trimmed
    '{"event_id":"6"} x', // starts like an object, does not end like one
    "",
    'x {"event_id":"8"}', // ends like an object, does not start like one
    '{"event_id":"9","device_serial":"OTHER","scan_decode_symbology":"EAN-13"}',
  ];
  const breakdown = "  devices (2): KEEP 1, OTHER 1\n  symbologies (2): CODE 128 1, EAN-13 1\n";
  const shortcut = [
    "scantail: warning: line 3: not JSON: not json",
    'scantail: warning: line 6: not JSON: {"event_id":"6"} x',
    'scantail: warning: line 8: not JSON: x {"event_id":"8"}',
    "scantail: 8 received, 2 shown, 3 filtered out, 3 invalid in 0ms",
  ];
  const decodeAll = [
    "scantail: warning: line 2: message from the server: x",
    "scantail: warning: line 3: not JSON: not json",
    "scantail: warning: line 5: message from the server: y",
    'scantail: warning: line 6: not JSON: {"event_id":"6"} x',
    'scantail: warning: line 8: not JSON: x {"event_id":"8"}',
    "scantail: 8 received, 2 shown, 1 filtered out, 5 invalid in 0ms",
  ];
  it.each([
    ["with the text pre-check", [], {}, shortcut],
    ["--strict decodes every line", ["--strict"], {}, decodeAll],
    ["without the fast path", [], { SCANTAIL_FAST_PATH: "0" }, decodeAll],
  ])("%s", async (_name, extra, env, expected) => {
    const ctx = fixedClock({ env });
    const file = recordingFile(ctx, lines);
    const r = await runCli(["replay", file, "-s", "KEEP,OTHER", "--summary", ...extra], ctx);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`${expected.join("\n")}\n${breakdown}`);
    expect(r.stdout.trim().split("\n")).toEqual([lines[0], lines[8]]);
  });

  it("lines the byte pre-scan passes over are received and filtered out", async () => {
    const keep = "M2SR121103132";
    const lines = [
      JSON.stringify(event({ device_serial: keep })),
      JSON.stringify(event({ device_serial: "M2SR999999999" })),
      JSON.stringify(event({ device_serial: "M2SR999999998" })),
      "",
      JSON.stringify(event({ device_serial: keep })),
      JSON.stringify(event({ device_serial: "M2SR999999997" })),
      "broken",
    ];
    for (const env of [{}, { SCANTAIL_FAST_PATH: "0" }]) {
      const ctx = fixedClock({ env });
      const file = recordingFile(ctx, lines);
      const r = await runCli(["replay", file, "-s", keep, "--summary"], ctx);
      expect(r.code).toBe(0);
      expect(r.stderr.split("\n").slice(0, 2)).toEqual([
        "scantail: warning: line 7: not JSON: broken",
        "scantail: 6 received, 2 shown, 3 filtered out, 1 invalid in 0ms",
      ]);
    }
  });

  it("bad lines are reported by their own number, however far into the file", async () => {
    const good = (i: number) => JSON.stringify(event({ device_serial: i % 2 ? "ODD1" : "EVEN" }));
    const lines = Array.from({ length: 4000 }, (_, i) => good(i));
    for (const n of [1, 1777, 2500, 4000]) lines[n - 1] = `bad ${n}`;
    for (const argv of [[], ["-s", "odd1"], ["-s", "ODD1,nothing"], ["--strict", "-s", "odd1"]]) {
      const ctx = fixedClock();
      const file = recordingFile(ctx, lines);
      const r = await runCli(["replay", file, "-o", "ndjson", "--summary", ...argv], ctx);
      expect(r.code).toBe(0);
      expect(r.stderr.split("\n").slice(0, 4)).toEqual(
        [1, 1777, 2500, 4000].map((n) => `scantail: warning: line ${n}: not JSON: bad ${n}`),
      );
      const shown = argv.length ? 1998 : 3996;
      expect(r.stderr).toContain(
        `scantail: 4000 received, ${shown} shown, ${3996 - shown} filtered out, 4 invalid in 0ms\n`,
      );
    }
  });
});

describe("tail: the summary of a live run", () => {
  let server: TestServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const tail = (argv: string[], extra: Parameters<typeof makeContext>[0] = {}) =>
    runCli(
      ["--url", server!.url, "-o", "ndjson", "--summary", ...argv],
      fixedClock({ env: { SCANTAIL_TOKEN: TOKEN }, random: () => 0, ...extra }),
    );

  it("drops repeated ids before filtering; an event without an id is never a repeat", async () => {
    const kept = JSON.stringify(event({ device_serial: "S1" }));
    const other = JSON.stringify(event({ device_serial: "OTHER" }));
    const noId = JSON.stringify({ event_type: "scan", device_serial: "S1", scan_code: "n" });
    server = await startTestServer({
      onConnection: (ws) => {
        for (const frame of [kept, kept, other, other, "garbage", noId, noId]) ws.send(frame);
      },
    });
    const r = await tail(["-s", "S1", "-n", "3"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${kept}\n${noId}\n${noId}\n`);
    expect(r.stderr).toBe(
      [
        "scantail: warning: ignored frame: not JSON: garbage",
        "scantail: 7 received, 3 shown, 1 filtered out, 1 invalid, 2 duplicates dropped in 0ms",
        "  devices (1): S1 3",
        "  symbologies (2): (none) 2, CODE 128 1",
        "",
      ].join("\n"),
    );
  });

  it("one duplicate is one duplicate", async () => {
    const frame = JSON.stringify(event());
    const next = JSON.stringify(event());
    server = await startTestServer({
      onConnection: (ws) => {
        for (const f of [frame, frame, next]) ws.send(f);
      },
    });
    const r = await tail(["-n", "2"]);
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n")[0]).toBe(
      "scantail: 3 received, 2 shown, 0 filtered out, 0 invalid, 1 duplicate dropped in 0ms",
    );
  });

  it.each([
    [1, "1 reconnect"],
    [2, "2 reconnects"],
  ])("a lost connection is a reconnect (%d)", async (lost, words) => {
    server = await startTestServer({
      onConnection: (ws, index) => {
        if (index === 1) ws.send(JSON.stringify(event()), () => ws.close(1011, "boom"));
        else if (index <= lost) ws.close(1011, "boom");
        else ws.send(JSON.stringify(event()));
      },
    });
    const r = await tail(["-n", "2"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `scantail: 2 received, 2 shown, 0 filtered out, 0 invalid, ${words} in 0ms\n`,
    );
    expect(r.stderr).toContain("reconnecting now");
  });

  it("a refused attempt before any connection is a retry, not a reconnect", async () => {
    server = await startTestServer({
      onUpgrade: (_req, attempt) => (attempt === 1 ? 500 : undefined),
      onConnection: (ws) => ws.send(JSON.stringify(event())),
    });
    const r = await tail(["-n", "1"]);
    expect(r.code).toBe(0);
    expect(r.stderr.split("\n").slice(0, 2)).toEqual([
      "scantail: handshake refused with HTTP 500 (Internal server error); retrying now (attempt 2)",
      "scantail: 1 received, 1 shown, 0 filtered out, 0 invalid in 0ms",
    ]);
  });

  it("a --tee file that fails ends a live tail at once with 1", { timeout: 10_000 }, async () => {
    if (!existsSync("/dev/full")) throw new Error("/dev/full is missing on this machine");
    server = await startTestServer({
      onConnection: (ws) => {
        // The feed never ends by itself: only the failed output can end the run.
        const timer = setInterval(() => ws.send(JSON.stringify(event())), 5);
        ws.on("close", () => clearInterval(timer));
      },
    });
    const r = await tail(["--tee", "/dev/full"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not write to --tee file \/dev\/full: .*(ENOSPC|no space)/i);
  });
});

describe("events from the history", () => {
  const env = { SCANTAIL_TOKEN: TOKEN };
  const ids = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).event_id as string);

  it("`events` is all history: its summary does not call them filled", async () => {
    const rest = await startFakeRest({ items: restItems(3, 1_780_000_000) });
    const r = await runCli(
      [
        "events",
        "--base-url",
        rest.baseUrl,
        "--customer",
        "c1",
        "--since",
        "1780000000000",
        "--until",
        "1780000100000",
        "-o",
        "ndjson",
        "--summary",
      ],
      fixedClock({ env }),
    );
    await rest.close();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.split("\n")[0]).toBe(
      "scantail: 3 received, 3 shown, 0 filtered out, 0 invalid in 0ms",
    );
  });

  async function since(argv: string[], accept?: () => boolean) {
    const nowSeconds = Math.floor(Date.now() / 1000);
    const items = restItems(3, nowSeconds - 30);
    const rest = await startFakeRest({ items, accept });
    const later = { ...items[2]!, id: "live-1", created: nowSeconds };
    const server = await startTestServer({
      onConnection: (ws) => {
        ws.send(liveFrame(items[2]!)); // also in the history
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
        "--summary",
        ...argv,
      ],
      makeContext({ env }),
    );
    await Promise.all([rest.close(), server.close()]);
    return { ...r, items };
  }

  it("--since: the stored events are counted as from the history, the overlap as a duplicate", async () => {
    const r = await since(["-n", "4"]);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual([...r.items.map((i) => i.id), "live-1"]);
    const summary = r.stderr.split("\n").find((l) => l.includes("received"));
    expect(summary).toMatch(
      /^scantail: 5 received, 4 shown, 0 filtered out, 0 invalid, 1 duplicate dropped, 3 from the event history in \S+$/,
    );
    // Notes about the history are for people (-v); on a pipe nothing but the summary.
    expect(r.stderr.split("\n")[0]).toBe(summary);
  });

  it("-v shows what the history source says, at every level", async () => {
    const r = await since(["-n", "4", "-v"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\nscantail: stored events since \S+Z, then live\n/);
    expect(r.stderr).toMatch(/\nscantail: event history page 1: \d+ items, \d+ in the window\n/);
  });

  it("a history that cannot be read is one warning on a pipe; the tail goes on", async () => {
    const r = await since(["-n", "2"], () => false);
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual([r.items[2]!.id, "live-1"]);
    const lines = r.stderr.split("\n");
    expect(lines[0]).toMatch(
      /^scantail: warning: stored events since \S+Z could not be read: .+; going on live$/,
    );
    expect(lines[1]).toMatch(/^scantail: 2 received, 2 shown, 0 filtered out, 0 invalid in \S+$/);
  });
});

describe("runStream and its caller", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** An output that keeps what it is given; `onFlush` acts as a caller would (a key press). */
  function collect(onFlush?: () => void): Output & { shown: Shown[]; flushes: number } {
    const out = {
      label: "test",
      shown: [] as Shown[],
      flushes: 0,
      add: (s: Shown) => out.shown.push(s),
      flush: async () => {
        out.flushes++;
        onFlush?.();
      },
      finish: async () => {},
      closed: false,
      failure: undefined,
    };
    return out;
  }

  function setup(options: Partial<StreamOptions> & { tty?: boolean; live?: boolean } = {}) {
    const ctx = makeContext({ stderrTTY: options.tty, now: () => Date.now() });
    const stats = new RunStats(0);
    const status = new StatusReporter({
      ctx,
      chalk: plainChalk,
      verbose: false,
      live: options.live ?? true,
    });
    const stream: StreamOptions = {
      classify: createClassifier({}),
      outputs: [],
      stats,
      status,
      stop: new AbortController(),
      ...options,
    };
    return { ctx, stats, status, stream };
  }

  async function* items(list: SourceItem[], between?: () => void) {
    for (const item of list) {
      yield item;
      between?.();
    }
  }
  const live = { source: "live" as const };

  it("a recording read with strict set decodes every line, whatever the source allows", async () => {
    const ctx = makeContext();
    const file = recordingFile(ctx, [
      '{"message":"x"}',
      '{"event_id":"1","device_serial":"KEEP9"}',
    ]);
    const results: Array<[number, number, number]> = [];
    for (const strict of [false, true]) {
      const source = openRecording({
        input: createReadStream(file),
        textPrecheck: true,
        now: () => 0,
        sleep: async () => {},
      });
      const out = collect();
      const { stats, stream } = setup({
        classify: createClassifier({ serial: ["KEEP9"] }),
        outputs: [out],
        strict,
      });
      const end = await runStream(source.items(new AbortController().signal), stream);
      expect(end).toBe("end");
      results.push([stats.shown, stats.filtered, stats.invalid]);
    }
    expect(results).toEqual([
      [1, 1, 0],
      [1, 0, 1],
    ]);
  });

  it("ends with count, stopped or end, and says which", async () => {
    const frames = ['{"event_id":"a"}', '{"event_id":"b"}', '{"event_id":"c"}'];
    const batches: SourceItem[] = [
      { kind: "frames", origin: live, frames: frames.slice(0, 2) },
      { kind: "frames", origin: live, frames: frames.slice(2) },
    ];
    const counted = collect();
    const a = setup({ outputs: [counted], count: 2 });
    expect(await runStream(items(batches), a.stream)).toBe("count");
    expect(counted.shown.map((s) => s.event.event_id)).toEqual(["a", "b"]);

    // A caller stops after the first batch was written (a key, a timeout): the next
    // batch is not read even though the source has it ready.
    const stop = new AbortController();
    const stopped = collect(() => stop.abort());
    const b = setup({ outputs: [stopped], stop });
    expect(await runStream(items(batches), b.stream)).toBe("stopped");
    expect(stopped.shown).toHaveLength(2);

    const stopLate = new AbortController();
    const c = setup({ outputs: [collect()], stop: stopLate });
    expect(
      await runStream(
        items(batches.slice(1), () => stopLate.abort()),
        c.stream,
      ),
    ).toBe("stopped");

    const all = collect();
    const d = setup({ outputs: [all] });
    expect(await runStream(items(batches), d.stream)).toBe("end");
    expect(all.shown).toHaveLength(3);
    expect(all.flushes).toBe(2);
  });

  it.each<[string, { tty?: boolean; verbose?: boolean }, string[]]>([
    ["a pipe", {}, ["scantail: warning: careful"]],
    ["a terminal", { tty: true }, ["scantail: i", "scantail: warning: careful"]],
    ["-v", { verbose: true }, ["scantail: i", "scantail: v", "scantail: warning: careful"]],
  ])("notices from the source, on %s, by their level", async (_name, over, lines) => {
    const ctx = makeContext({ stderrTTY: over.tty });
    const status = new StatusReporter({
      ctx,
      chalk: plainChalk,
      verbose: over.verbose === true,
      live: true,
    });
    const { stream } = setup({ outputs: [collect()], status });
    await runStream(
      items([
        { kind: "notice", origin: live, level: "info", message: "i" },
        { kind: "notice", origin: live, level: "verbose", message: "v" },
        { kind: "notice", origin: live, level: "warning", message: "careful" },
      ]),
      stream,
    );
    expect(ctx.stderr.lines).toEqual(lines);
  });

  it("a problem from the source is one invalid line; a blank live frame is invalid too", async () => {
    const { ctx, stats, status, stream } = setup({ outputs: [collect()], live: false });
    const end = await runStream(
      items([
        { kind: "problem", origin: { source: "recording" }, reason: "line too long", line: 4 },
        { kind: "status", origin: live, status: { type: "warning", message: "w" } },
        { kind: "frames", origin: live, frames: ["  "] },
        { kind: "frames", origin: { source: "recording" }, frames: ["  "], lineNumbers: [9] },
      ]),
      stream,
    );
    status.close();
    expect(end).toBe("end");
    expect([stats.received, stats.invalid, stats.shown]).toEqual([2, 2, 0]);
    expect(ctx.stderr.text).toBe(
      "scantail: warning: line 4: line too long\nscantail: warning: w\nscantail: warning: ignored frame: not JSON:   \n",
    );
  });

  it("views that redraw tick while the stream runs, and stop ticking when it ends", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    let ticks = 0;
    const ticking = { ...collect(), tickInterval: 250, tick: async () => void ticks++ };
    const { stream } = setup({ outputs: [ticking, collect()] });
    const end = await runStream(
      items([{ kind: "frames", origin: live, frames: ['{"event_id":"a"}'] }], () =>
        vi.advanceTimersByTime(1000),
      ),
      stream,
    );
    expect(end).toBe("end");
    expect(ticks).toBe(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  describe("the quiet reminder learns from each batch", () => {
    const connected: SourceItem = {
      kind: "status",
      origin: live,
      status: { type: "connected", url: "ws://x/", reconnected: false },
    };
    it.each([
      [
        "a batch of filtered events blames the filters",
        ['{"event_id":"x","device_serial":"OTHER"}'],
        "scantail: events arrive, but none matches the filters (1m); check the filter options",
      ],
      [
        "a batch with one shown event is an event",
        ['{"event_id":"x","device_serial":"OTHER"}', '{"event_id":"y","device_serial":"S"}'],
        "scantail: connected, last event 1m ago",
      ],
      [
        "a batch of invalid frames is neither",
        ["nope", "[]"],
        "scantail: connected, no event yet (1m)",
      ],
      [
        "a batch of duplicates is neither",
        ['{"event_id":"d","device_serial":"S"}'],
        "scantail: connected, last event 1m ago",
      ],
    ])("%s", async (name, frames, note) => {
      vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"], now: NOW });
      const recent = liveDedupe(() => Date.now());
      const { ctx, status, stream } = setup({
        tty: true,
        classify: createClassifier({ serial: ["S"] }),
        outputs: [collect()],
        recent,
      });
      const list: SourceItem[] = [connected];
      if (name.includes("duplicates")) {
        // Seen once at the start, then only repeats.
        list.push({ kind: "frames", origin: live, frames });
        list.push({ kind: "frames", origin: live, frames: [frames[0]!, frames[0]!] });
      } else list.push({ kind: "frames", origin: live, frames });
      // Each batch arrives 10 s after the one before.
      const end = await runStream(
        items(list, () => vi.advanceTimersByTime(10_000)),
        stream,
      );
      expect(end).toBe("end");
      // 70 s after connecting: a minute after a shown event's batch (at 10 s).
      vi.advanceTimersByTime(NOW + 70_000 - Date.now());
      status.close();
      const notes = ctx.stderr.lines.filter(
        (l) => !l.includes("connected to") && !l.includes("warning:"),
      );
      expect(notes).toEqual([note]);
    });
  });

  it("stored events in a live run count as filled, in a replay they do not", async () => {
    const history = { source: "history" as const };
    const counts: number[] = [];
    for (const recent of [liveDedupe(() => NOW), undefined]) {
      const { stats, stream } = setup({ outputs: [collect()], recent });
      await runStream(
        items([
          { kind: "frames", origin: history, frames: ['{"event_id":"h1"}', '{"event_id":"h2"}'] },
          { kind: "frames", origin: live, frames: ['{"event_id":"l1"}'] },
        ]),
        stream,
      );
      counts.push(stats.filled);
    }
    expect(counts).toEqual([2, 0]);
  });

  it("repeats are recognised by event time: an id is kept 3 minutes past the newest event", async () => {
    const at = (id: string, minutes: number) =>
      JSON.stringify({ event_id: id, time_created: NOW + minutes * 60_000 });
    // The wall clock is far ahead (a long outage): only event times decide what is kept.
    const wall = NOW + 60 * 60_000;
    const out = collect();
    const { stats, stream } = setup({ outputs: [out], recent: liveDedupe(() => wall) });
    await runStream(
      items([
        { kind: "frames", origin: live, frames: [at("a", 0), at("b", 2)] },
        { kind: "frames", origin: { source: "history" }, frames: [at("a", 0), at("c", 4)] },
        { kind: "frames", origin: live, frames: [at("a", 0)] },
      ]),
      stream,
    );
    expect(out.shown.map((s) => s.event.event_id)).toEqual(["a", "b", "c", "a"]);
    expect(stats.duplicates).toBe(1);
  });
});

describe("the closing summary", () => {
  const stats = (fill: Partial<Record<keyof RunStats, number>> = {}, startedAt = 0) =>
    Object.assign(new RunStats(startedAt), fill);

  it.each([
    [{}, "0 received, 0 shown, 0 filtered out, 0 invalid in 1.5s"],
    [
      { received: 9, shown: 4, filtered: 2, invalid: 1, duplicates: 1, filled: 3, reconnects: 1 },
      "9 received, 4 shown, 2 filtered out, 1 invalid, 1 duplicate dropped, 3 from the event history, 1 reconnect in 1.5s",
    ],
    [
      { received: 5, shown: 1, duplicates: 2, reconnects: 3 },
      "5 received, 1 shown, 0 filtered out, 0 invalid, 2 duplicates dropped, 3 reconnects in 1.5s",
    ],
  ])("%j", (fill, line) => {
    expect(stats(fill, 1000).summaryLine(2500)).toBe(line);
  });

  it("wraps between parts at the terminal's width, never inside one", () => {
    const s = stats();
    const wrapped = (width: number) => s.summary(0, plainChalk, (t) => t, width);
    expect(wrapped(Number.POSITIVE_INFINITY)).toEqual([
      "scantail: 0 received, 0 shown, 0 filtered out, 0 invalid in 0ms",
    ]);
    expect(wrapped(30)).toEqual([
      "scantail: 0 received, 0 shown,",
      " 0 filtered out,",
      " 0 invalid in 0ms",
    ]);
    expect(wrapped(29)).toEqual([
      "scantail: 0 received,",
      " 0 shown, 0 filtered out,",
      " 0 invalid in 0ms",
    ]);
    // However narrow: the first part stays on the first line.
    expect(wrapped(5)).toEqual([
      "scantail: 0 received,",
      " 0 shown,",
      " 0 filtered out,",
      " 0 invalid in 0ms",
    ]);
  });

  it("lists devices and symbologies, most events first, as many as fit, then +N more", () => {
    const s = stats();
    for (const [serial, n] of [
      ["A", 1],
      ["B", 3],
      ["C", 2],
    ] as const)
      for (let i = 0; i < n; i++) s.countKeys(serial, "EAN-13");
    const lines = (width: number) => s.summary(0, plainChalk, (t) => t, width).slice(-2);
    expect(lines(Number.POSITIVE_INFINITY)).toEqual([
      "  devices (3): B 3, C 2, A 1",
      "  symbologies (1): EAN-13 6",
    ]);
    expect(lines(27)).toEqual(["  devices (3): B 3, +2 more", "  symbologies (1): EAN-13 6"]);
    expect(lines(26)).toEqual(["  devices (3): +3 more", "  symbologies (1): +1 more"]);
  });

  it("the last one needs no room for +N more", () => {
    const s = stats();
    for (const serial of ["B", "B", "A"]) s.countKeys(serial, "QR");
    expect(s.summary(0, plainChalk, (t) => t, 27).at(-2)).toBe("  devices (2): B 2, A 1");
  });

  it("at most eight of each, dimmed, feed text made safe", async () => {
    const s = stats();
    for (let d = 1; d <= 10; d++) for (let i = 0; i < d; i++) s.countKeys(`D${d}`, undefined);
    s.count({ device_serial: "\u001b[31mRED", scan_decode_symbology: 7 as unknown as string });
    const chalk = await loadChalk(1);
    const [, devices, symbologies] = s.summary(0, chalk, sanitize);
    expect(devices).toBe(
      chalk.dim("  devices (11): D10 10, D9 9, D8 8, D7 7, D6 6, D5 5, D4 4, D3 3, +3 more"),
    );
    expect(symbologies).toBe(chalk.dim("  symbologies (1): (none) 56"));
    expect(s.perDevice.get("\u001b[31mRED")).toBe(1);
    expect(devices).not.toContain("\u001b[31m");
  });

  it("an event without a serial or symbology is counted under a name that says so", () => {
    const s = stats();
    s.count({ event_id: "x" });
    s.count({ device_serial: 42 as unknown as string, scan_decode_symbology: "QR CODE" });
    expect(s.summary(0, plainChalk, (t) => t).slice(1)).toEqual([
      "  devices (1): (no serial) 2",
      "  symbologies (2): (none) 1, QR CODE 1",
    ]);
  });

  it("keys are kept short and few, so a hostile feed cannot grow memory", () => {
    const s = stats();
    const long = "S".repeat(500);
    s.countKeys(long, "x".repeat(128));
    s.countKeys(`${"S".repeat(128)}other`, undefined);
    expect([...s.perDevice]).toEqual([[`${"S".repeat(128)}…`, 2]]);
    expect([...s.perSymbology.keys()]).toEqual(["x".repeat(128), "(none)"]);
    for (let i = 0; i < 10_005; i++) s.countKeys(`K${i}`, "y");
    expect(s.perDevice.size).toBe(10_000);
    // A key already counted still counts once the map is full.
    s.countKeys(`${"S".repeat(128)}…`, "y");
    s.countKeys("K10004", "y");
    expect(s.perDevice.get(`${"S".repeat(128)}…`)).toBe(3);
    expect(s.perDevice.has("K10004")).toBe(false);
    expect(s.perSymbology.get("y")).toBe(10_007);
  });
});
