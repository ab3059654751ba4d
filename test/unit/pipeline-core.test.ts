import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { ScanEvent } from "../../src/events/event.js";
import { plainChalk } from "../../src/format/color.js";
import type { Shown } from "../../src/format/registry.js";
import { fullTime, pathValue, valueGetter } from "../../src/format/values.js";
import type { Output } from "../../src/outputs/output.js";
import { createClassifier } from "../../src/run/classify.js";
import { liveDedupe } from "../../src/run/dedupe.js";
import { RunStats } from "../../src/run/stats.js";
import { StatusReporter } from "../../src/run/status.js";
import { runStream } from "../../src/run/stream.js";
import { openRecording } from "../../src/sources/recording.js";
import type { SourceItem } from "../../src/sources/source.js";
import { makeContext } from "../helpers/context.js";

const T = 1_700_000_000_123;

describe("whole values for csv, tsv and template", () => {
  it.each([
    ["epoch", "1700000000123"],
    ["utc", "2023-11-14T22:13:20.123Z"],
  ] as const)("time in %s mode", (mode, text) => expect(fullTime(T, mode, {})).toBe(text));
  it("local time is ISO 8601 with this machine's offset, and round-trips", () => {
    const text = fullTime(T, "local", {});
    expect(text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.123[+-]\d\d:\d\d$/);
    expect(new Date(text).getTime()).toBe(T);
  });
  it("relative time counts milliseconds from the first event", () => {
    const base = {};
    expect(fullTime(T, "relative", base)).toBe("0");
    expect(fullTime(T + 1500, "relative", base)).toBe("1500");
    expect(fullTime(T - 20, "relative", base)).toBe("-20");
  });
  it("a missing or impossible time", () => {
    expect(fullTime(undefined, "utc", {})).toBe("");
    expect(fullTime(1e20, "utc", {})).toBe("100000000000000000000");
  });
  it("dotted paths go through objects and arrays, own properties only", () => {
    const e = { metrics: [{ values: [270, 3] }], a: { b: null } };
    expect(pathValue(e, "metrics.0.values.1")).toBe(3);
    expect(pathValue(e, "metrics.1.values")).toBeUndefined();
    expect(pathValue(e, "a.b.c")).toBeUndefined();
    expect(pathValue(e, "metrics.length")).toBe(1); // an array's own length: a count
    expect(pathValue(e, "metrics.constructor")).toBeUndefined();
  });
  it.each([
    ["battery", { device_battery: 7 }, "7"],
    ["battery", { device_battery: "7" }, ""],
    ["latency", { time_created: 100, time_received: 350 }, "250"],
    ["gateway", { customer_gateway_name: "G1", gateway_id: "id" }, "G1"],
    ["gateway", { gateway_id: "id-1" }, "id-1"],
    ["SERIAL", { device_serial: "S" }, "S"],
    ["metrics", { metrics: [{ a: 1 }] }, '[{"a":1}]'],
    ["flag", { flag: true }, "true"],
    ["nothing", {}, ""],
  ])("%s of %j is %j", (name, event, text) =>
    expect(valueGetter(name, "utc")(event as unknown as ScanEvent)).toBe(text),
  );
});

describe("recording lines", () => {
  async function lines(text: string | Buffer[], options: { maxLineBytes?: number } = {}) {
    const chunks = typeof text === "string" ? [Buffer.from(text)] : text;
    const source = openRecording({
      input: Readable.from(chunks),
      textPrecheck: false,
      now: () => 0,
      sleep: async () => {},
      ...options,
    });
    const out: Array<[number, string] | string> = [];
    for await (const item of source.items(new AbortController().signal)) {
      if (item.kind === "frames") {
        for (let i = 0; i < item.frames.length; i++)
          out.push([item.lineNumbers![i]!, item.frames[i] as string]);
      } else if (item.kind === "problem") out.push(`problem ${item.line}: ${item.reason}`);
    }
    return out;
  }
  it("strips CRLF, keeps blank lines for numbering, and the last unterminated line", async () => {
    expect(await lines("a\r\n\r\nb\nc")).toEqual([
      [1, "a"],
      [2, ""],
      [3, "b"],
      [4, "c"],
    ]);
  });
  it("drops a byte-order mark only at the very start", async () => {
    expect(await lines("\ufeffa\n\ufeffb\n")).toEqual([
      [1, "a"],
      [2, "\ufeffb"],
    ]);
  });
  it("a line split across chunks is put together; one too long is reported, not held", async () => {
    const parts = [Buffer.from("ab"), Buffer.from("cd\nxxxx"), Buffer.from("xxxx\nok\n")];
    expect(await lines(parts, { maxLineBytes: 6 })).toEqual([
      [1, "abcd"],
      expect.stringMatching(/^problem 2: line longer than/),
      [3, "ok"],
    ]);
    expect(
      await lines([Buffer.from("ok\n"), Buffer.from("xxxxxxxxxx")], { maxLineBytes: 6 }),
    ).toEqual([[1, "ok"], expect.stringMatching(/^problem 2: /)]);
  });
});

describe("runStream counts every frame once", () => {
  function collect(): Output & { shown: Shown[] } {
    const shown: Shown[] = [];
    return {
      label: "test",
      shown,
      add: (s) => shown.push(s),
      flush: async () => {},
      finish: async () => {},
      closed: false,
      failure: undefined,
    };
  }
  async function* items(list: SourceItem[]) {
    yield* list;
  }
  it("shown, filtered, invalid, duplicates and the count", async () => {
    const ctx = makeContext();
    const stats = new RunStats(0);
    const status = new StatusReporter({ ctx, chalk: plainChalk, verbose: false, live: true });
    const out = collect();
    const origin = { source: "live" as const };
    const end = await runStream(
      items([
        {
          kind: "frames",
          origin,
          frames: [
            '{"event_id":"a","device_serial":"S1"}',
            '{"event_id":"a","device_serial":"S1"}',
            '{"event_id":"b","device_serial":"OTHER"}',
            "nope",
            '{"event_id":"c","device_serial":"S1"}',
            '{"event_id":"d","device_serial":"S1"}',
          ],
        },
        { kind: "frames", origin, frames: ['{"event_id":"e","device_serial":"S1"}'] },
      ]),
      {
        classify: createClassifier({ serial: ["S1"] }),
        outputs: [out],
        count: 3,
        recent: liveDedupe(() => 0),
        stats,
        status,
        stop: new AbortController(),
      },
    );
    status.close();
    expect(end).toBe("count");
    expect(out.shown.map((s) => s.event.event_id)).toEqual(["a", "c", "d"]);
    expect([stats.received, stats.shown, stats.filtered, stats.invalid, stats.duplicates]).toEqual([
      6, 3, 1, 1, 1,
    ]);
  });
  it("history frames in a live run count as filled; a problem item as invalid", async () => {
    const ctx = makeContext();
    const stats = new RunStats(0);
    const status = new StatusReporter({ ctx, chalk: plainChalk, verbose: false, live: true });
    const out = collect();
    const end = await runStream(
      items([
        { kind: "frames", origin: { source: "history" }, frames: ['{"event_id":"h"}'] },
        { kind: "problem", origin: { source: "recording" }, reason: "too long", line: 9 },
        {
          kind: "frames",
          origin: { source: "live" },
          frames: ['{"event_id":"h"}', '{"event_id":"l"}'],
        },
      ]),
      {
        classify: createClassifier({}),
        outputs: [out],
        recent: liveDedupe(() => 0),
        stats,
        status,
        stop: new AbortController(),
      },
    );
    status.close();
    expect(end).toBe("end");
    expect(out.shown.map((s) => s.event.event_id)).toEqual(["h", "l"]);
    expect([stats.filled, stats.invalid, stats.duplicates, stats.received]).toEqual([1, 1, 1, 4]);
    expect(ctx.stderr.text).toMatch(/line 9: too long/);
  });
});
