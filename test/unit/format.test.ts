import { Chalk } from "chalk";
import stringWidth from "string-width";
import { beforeAll, describe, expect, it } from "vitest";
import type { ScanEvent } from "../../src/events/event.js";
import { colorLevel, plainChalk, serialColor } from "../../src/format/color.js";
import { formatTime, resolveColumns, resolveProjection } from "../../src/format/columns.js";
import { createRenderer as createDevices, DeviceTable } from "../../src/format/devices.js";
import { createRenderer as createNdjson } from "../../src/format/ndjson.js";
import { createRenderer as createPretty } from "../../src/format/pretty.js";
import { FORMAT_NAMES, FORMATS } from "../../src/format/registry.js";
import { createRenderer as createTable, fitColumns } from "../../src/format/table.js";
import { loadTextWidth, type TextWidth } from "../../src/format/text-width.js";
import { escapeChar, sanitize } from "../../src/util/sanitize.js";
import { formatOptions } from "../helpers/format.js";

let text: TextWidth;
beforeAll(async () => {
  text = await loadTextWidth();
});

const makeChalk = (level: 0 | 1 | 2 | 3) => (level === 0 ? plainChalk : new Chalk({ level }));
const plain = makeChalk(0);
const options = formatOptions(
  { chalk: plain, columns: 120, rows: 30, now: () => 1_700_000_100_000 },
  () => text,
);
const ev = (o: Partial<ScanEvent> = {}): ScanEvent => ({
  api_version: "0.5",
  event_type: "scan",
  event_id: "5a2eb866-f037-4b19-8122-82692ff64f93",
  time_created: 1_700_000_000_000,
  time_received: 1_700_000_000_250,
  scan_code: "PGAS10603924",
  scan_decode_symbology: "CODE 128",
  device_serial: "M2SR121103132",
  device_battery: 87,
  customer_gateway_station: "Logistics",
  customer_gateway_name: "Proglove Gateway",
  ...o,
});

// Every control character class a barcode could carry, and what must be shown instead.
const HOSTILE: Array<[string, string, string]> = [
  ["ESC colour sequence", "A\u001b[31mRED", "A\\e[31mRED"],
  ["clear screen", "\u001b[2J\u001b[H", "\\e[2J\\e[H"],
  ["OSC title change", "\u001b]0;pwned\u0007", "\\e]0;pwned\\x07"],
  ["OSC 8 hyperlink", "\u001b]8;;http://x\u001b\\link", "\\e]8;;http://x\\e\\link"],
  ["C1 CSI", "a\u009b31mb", "a\\x9b31mb"],
  ["C1 NEL", "a\u0085b", "a\\x85b"],
  ["carriage return overwrite", "good\rEVIL", "good\\rEVIL"],
  ["newline", "line1\nline2", "line1\\nline2"],
  ["tab", "a\tb", "a\\tb"],
  ["bell", "ding\u0007", "ding\\x07"],
  ["backspace", "abc\b\b\bxyz", "abc\\x08\\x08\\x08xyz"],
  ["NUL", "a\u0000b", "a\\x00b"],
  ["DEL", "a\u007fb", "a\\x7fb"],
  ["GS1 group separator", "0101234\u001d21", "0101234\\x1d21"],
  ["bidi override", "abc\u202edcba", "abc\\u{202e}dcba"],
  ["bidi isolate", "\u2066x\u2069", "\\u{2066}x\\u{2069}"],
  ["zero-width space", "a\u200bb", "a\\u{200b}b"],
  ["line separator", "a\u2028b", "a\\u{2028}b"],
  ["BOM", "\ufeffcode", "\\u{feff}code"],
  ["lone surrogate", "a\ud800b", "a\\u{d800}b"],
  ["CJK stays", "条码123", "条码123"],
  ["emoji stays", "📦 box", "📦 box"],
  ["accents stay", "Müller café", "Müller café"],
];

describe("sanitize", () => {
  it.each(HOSTILE)("%s", (_name, input, shown) => {
    expect(sanitize(input)).toBe(shown);
    // Nothing that a terminal interprets survives.
    expect(sanitize(input)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });
  it("escapes are styled when colour is on", () => {
    expect(sanitize("a\u0007", (s) => `<${s}>`)).toBe("a<\\x07>");
  });
  it("escapeChar names ESC", () => expect(escapeChar("\u001b")).toBe("\\e"));
});

describe("pretty and table never pass feed control characters to the terminal", () => {
  const fields: Array<keyof ScanEvent> = [
    "scan_code",
    "device_serial",
    "scan_decode_symbology",
    "customer_gateway_station",
  ];
  for (const colour of [0, 3] as const) {
    it.each(HOSTILE.filter(([n]) => !/stays/.test(n)))(
      `%s (colour level ${colour})`,
      (_name, input) => {
        for (const field of fields) {
          const e = ev({ [field]: input });
          for (const render of [
            createPretty(options({ chalk: makeChalk(colour) })),
            createTable(options({ chalk: makeChalk(colour) })),
          ]) {
            const out = render.render(e, JSON.stringify(e));
            // Only SGR colour codes (ESC [ … m) may appear, and only when colour is on.
            const withoutSgr = out.replace(/\u001b\[[0-9;]*m/g, "").replace(/\n/g, "");
            expect(withoutSgr).not.toMatch(
              /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/,
            );
            if (colour === 0) expect(out).not.toContain("\u001b");
          }
        }
      },
    );
  }
});

describe("ndjson", () => {
  it("passes compact received text through byte for byte", () => {
    const raw = '{"event_id":"a","x":"caf\\u00e9","n":1.50}';
    expect(createNdjson(options()).render(JSON.parse(raw), raw)).toBe(`${raw}\n`);
  });
  it("re-serialises text that is not compact, keeping every field and value", () => {
    const raw = '{ "event_id": "a",\n "unknown": {"deep": [1, 2]}, "n": 1.5 }';
    const out = createNdjson(options()).render(JSON.parse(raw), raw);
    expect(out).toBe('{"event_id":"a","unknown":{"deep":[1,2]},"n":1.5}\n');
    expect(out.split("\n")).toHaveLength(2);
  });
  it("projects to --fields in the given order, with aliases", () => {
    const e = ev();
    const out = createNdjson(
      options({ fields: ["code", "device_serial", "missing", "time"] }),
    ).render(e, JSON.stringify(e));
    expect(out).toBe(
      '{"scan_code":"PGAS10603924","device_serial":"M2SR121103132","time_created":1700000000000}\n',
    );
  });
  it("refuses display-only columns for ndjson projection", () => {
    expect(() => resolveProjection(["latency"])).toThrow(/display column/);
  });
});

describe("pretty", () => {
  it("shows time, serial, symbology, station, battery, latency and the code on one line", () => {
    const line = createPretty(options()).render(ev(), "");
    expect(line).toBe(
      "2023-11-14T22:13:20.000Z  M2SR121103132   CODE 128              Logistics            87%    250ms  PGAS10603924\n",
    );
  });
  it("keeps columns aligned by display width when a field is double-width (CJK, emoji)", () => {
    const r = createPretty(options());
    const lines = [
      r.render(ev({ customer_gateway_station: "Dock 1" }), ""),
      r.render(ev({ customer_gateway_station: "站点二" }), ""),
      r.render(ev({ customer_gateway_station: "📦 Pack" }), ""),
    ];
    const batteryAt = lines.map((l) => stringWidth(l.slice(0, l.indexOf("87%"))));
    expect(new Set(batteryAt).size).toBe(1);
  });

  it("falls back to the gateway name when there is no station", () => {
    expect(
      createPretty(options()).render(ev({ customer_gateway_station: undefined }), ""),
    ).toContain("Proglove Gateway");
  });
  it("flags impossible latency as clock skew", () => {
    const r = createPretty(options());
    expect(r.render(ev({ time_received: 1_700_000_000_000 - 5000 }), "")).toContain("skew -5.0s");
    expect(r.render(ev({ time_received: 1_700_000_000_000 + 3 * 3_600_000 }), "")).toContain(
      "skew 3h",
    );
  });
  it("survives missing optional fields", () => {
    expect(createPretty(options()).render({ event_id: "x" }, "")).toMatch(/^-\s+/);
  });
  it("shows any field with --fields, including unknown ones", () => {
    const out = createPretty(
      options({ fields: ["serial", "configuration_profile_id", "custom_x"] }),
    ).render(ev({ configuration_profile_id: "profile0", custom_x: { a: 1 } }), "");
    expect(out).toMatch(/^M2SR121103132 +profile0 +\{"a":1\}\n$/);
  });
  it("colours battery and serial when colour is on; the same serial gets the same colour", () => {
    const chalk = makeChalk(2);
    const a = serialColor(chalk, "M2SR1")("x");
    expect(a).toBe(serialColor(chalk, "M2SR1")("x"));
    expect(a).toContain("\u001b[38;5;");
    const low = createPretty(options({ chalk })).render(ev({ device_battery: 9 }), "");
    expect(low).toContain("\u001b[31m\u001b[1m9%");
  });
});

describe("time modes", () => {
  it("formats local, utc, epoch and relative", () => {
    const ctx = { chalk: plain, time: "epoch" as const };
    expect(formatTime(1_700_000_000_000, ctx)).toBe("1700000000000");
    expect(formatTime(1_700_000_000_000, { chalk: plain, time: "utc" })).toBe(
      "2023-11-14T22:13:20.000Z",
    );
    expect(formatTime(1_700_000_000_000, { chalk: plain, time: "local" })).toMatch(
      /^\d\d:\d\d:20\.000$/,
    );
    const rel = { chalk: plain, time: "relative" as const };
    expect(formatTime(1_700_000_000_000, rel)).toBe("+00:00.000");
    expect(formatTime(1_700_000_062_500, rel)).toBe("+01:02.500");
    expect(formatTime(1_700_003_600_000, rel)).toBe("+1:00:00.000");
  });
});

describe("table", () => {
  it("prints a header then rows aligned under it, streamed one by one", () => {
    const r = createTable(options({ columns: 100 }));
    const first = r.render(ev(), "");
    const lines = first.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^TIME\s+SERIAL\s+SYMBOLOGY\s+CODE\s+STATION \/ GATEWAY\s+BATT\s+LATENCY$/,
    );
    const second = r.render(ev({ scan_code: "条码条码条码" }), "");
    expect(second.split("\n")).toHaveLength(2); // no header again on a pipe
    const codeCol = lines[0]!.indexOf("CODE");
    const stationCol = lines[0]!.indexOf("STATION");
    // Display columns (not string indices) line up, even with double-width text.
    const row = second.trimEnd();
    const beforeStation = row.slice(0, row.indexOf("Logistics"));
    expect(stringWidth(beforeStation)).toBe(stationCol);
    expect(stringWidth(lines[1]!.slice(0, lines[1]!.indexOf("PGAS")))).toBe(codeCol);
  });
  it("fits the terminal width and truncates long codes with …", () => {
    const r = createTable(options({ columns: 80, isTTY: true }));
    const out = r.render(ev({ scan_code: "X".repeat(300) }), "");
    for (const line of out.trimEnd().split("\n")) expect(stringWidth(line)).toBeLessThanOrEqual(79);
    expect(out).toContain("…");
  });
  it("drops the least important columns on narrow terminals", () => {
    const { columns } = fitColumns(resolveColumns(undefined), 50);
    expect(columns.map((c) => c.name)).toContain("scan_code");
    expect(columns.map((c) => c.name)).not.toContain("latency");
  });
  it("repeats the header every screenful on a terminal", () => {
    const r = createTable(options({ isTTY: true, rows: 10 }));
    let out = "";
    for (let i = 0; i < 20; i++) out += r.render(ev(), "");
    expect(out.match(/^TIME/gm)!.length).toBeGreaterThanOrEqual(2);
  });
});

describe("registry", () => {
  it("offers exactly the formats it can load", async () => {
    expect(FORMAT_NAMES).toEqual([
      "pretty",
      "table",
      "ndjson",
      "devices",
      "csv",
      "tsv",
      "template",
    ]);
    for (const name of FORMAT_NAMES) {
      const module = await FORMATS[name].load();
      expect(typeof module.createRenderer).toBe("function");
    }
  });
});

describe("colour decision", () => {
  it.each([
    ["never", {}, true, 0],
    ["always", {}, false, 1],
    ["auto", {}, true, 1],
    ["auto", {}, false, 0],
    ["auto", { NO_COLOR: "1" }, true, 0],
    ["auto", { FORCE_COLOR: "1" }, false, 1],
    ["auto", { FORCE_COLOR: "0" }, true, 0],
    ["auto", { TERM: "xterm-256color" }, true, 2],
    ["auto", { COLORTERM: "truecolor" }, true, 3],
    ["auto", { TERM: "dumb" }, true, 0],
    ["always", { NO_COLOR: "1" }, false, 1],
  ] as const)("--color %s with %j, tty=%s → level %d", (mode, env, tty, level) => {
    expect(colorLevel(mode, env, tty)).toBe(level);
  });
});

describe("devices view model", () => {
  it("keeps one row per device with counts, rate, battery, latency p95 and last seen", () => {
    const table = new DeviceTable();
    for (let i = 0; i < 40; i++) {
      table.add(
        ev({
          device_serial: "A",
          time_created: 1000 + i,
          time_received: 1100 + i + (i === 39 ? 900 : 0),
          device_battery: 50 - i,
          configuration_profile_id: "p",
          configuration_profile_revision: 3,
        }),
        10_000 + i * 1000,
      );
    }
    table.add(ev({ device_serial: "B" }), 70_000);
    const a = table.rows.get("A")!;
    expect(a.scans).toBe(40);
    expect(a.battery).toBe(11);
    expect(a.profile).toBe("p r3");
    expect(a.lastLatency).toBe(1000);
    expect(DeviceTable.p95(a)).toBe(100);
    expect(DeviceTable.perMinute(a, 49_000)).toBe(40);
    expect(DeviceTable.perMinute(a, 200_000)).toBe(0);
    expect(table.sorted().map((r) => r.serial)).toEqual(["A", "B"]);
  });

  it("stays bounded with many devices", () => {
    const table = new DeviceTable();
    for (let i = 0; i < 25_000; i++) table.add(ev({ device_serial: `D${i}` }), i);
    expect(table.rows.size).toBeLessThanOrEqual(10_000);
    expect(table.rows.has("D24999")).toBe(true);
  });

  it("prints the final table once at the end when stdout is not a terminal", () => {
    const r = createDevices(options());
    expect(r.render(ev({ device_serial: "A", scan_code: "X1" }), "")).toBe("");
    expect(r.render(ev({ device_serial: "B", scan_code: "条码" }), "")).toBe("");
    expect(r.tick).toBeUndefined();
    const out = r.finish!();
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^SERIAL\s+MODEL\s+STATION \/ GATEWAY\s+LAST CODE/);
    expect(lines).toHaveLength(3);
    expect(out).not.toContain("\u001b");
  });

  it("shows every column on a wide terminal and drops the least important on a narrow one", () => {
    const wide = createDevices(options({ columns: 200 }));
    wide.render(
      ev({
        device_model: "MARK 3",
        device_firmware: "v2.4.0",
        configuration_profile_id: "p1",
        configuration_profile_revision: 2,
      }),
      "",
    );
    const header = wide.finish!().split("\n")[0]!;
    for (const name of [
      "SERIAL",
      "MODEL",
      "STATION / GATEWAY",
      "LAST CODE",
      "SYMBOLOGY",
      "SCANS",
      "/MIN",
      "BATT",
      "FIRMWARE",
      "PROFILE",
      "LATENCY",
      "LAT P95",
      "LAST SEEN",
    ]) {
      expect(header).toContain(name);
    }
    const narrow = createDevices(options({ columns: 80, isTTY: true, chalk: plain }));
    narrow.render(ev(), "");
    const screen = narrow.tick!();
    const lines = screen.split("\n").map((l) => l.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, ""));
    for (const line of lines) expect(stringWidth(line)).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(/^SERIAL/);
    expect(lines[1]).not.toContain("FIRMWARE");
  });

  it("redraws in place on a terminal and restores the screen at the end", () => {
    let now = 1_700_000_000_000;
    // What main.ts would write if the process died now.
    const restores: Array<string | undefined> = [];
    const r = createDevices(
      options({
        isTTY: true,
        now: () => now,
        chalk: makeChalk(1),
        columns: 100,
        rows: 10,
        setTerminalRestore: (sequence) => restores.push(sequence),
      }),
    );
    r.render(ev({ device_serial: "A" }), "");
    const frame = r.tick!();
    expect(frame.startsWith("\u001b[?1049h")).toBe(true);
    expect(restores).toEqual(["\u001b[?25h\u001b[?1049l"]);
    expect(frame).toContain("\u001b[H");
    expect(r.tick!()).toBe(""); // nothing changed, under a second: no redraw
    now += 1500;
    expect(r.tick!()).not.toBe("");
    const end = r.finish!();
    expect(end.startsWith("\u001b[?25h\u001b[?1049l")).toBe(true);
    expect(restores).toEqual(["\u001b[?25h\u001b[?1049l", undefined]);
    expect(end).toContain("A");
  });
});
