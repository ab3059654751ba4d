import { Chalk } from "chalk";
import { beforeAll, describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import type { ScanEvent } from "../../src/events/event.js";
import { colorLevel, loadChalk, plainChalk, serialColor } from "../../src/format/color.js";
import {
  batteryCell,
  DEFAULT_PRETTY_COLUMNS,
  formatTime,
  latencyCell,
  resolveColumns,
  resolveProjection,
} from "../../src/format/columns.js";
import { createRenderer as createPretty } from "../../src/format/pretty.js";
import type { FormatOptions } from "../../src/format/registry.js";
import {
  codePointWidth,
  createTextWidth,
  loadTextWidth,
  type TextWidth,
} from "../../src/format/text-width.js";
import { formatOptions, sampleEvent } from "../helpers/format.js";

// Exact pretty lines (README, "Widths"): on a terminal no line is wider than it, the least
// important fields drop first, a code longer than the room left continues under the code
// column; off a terminal or with --wide nothing is cut and each event is one line.

let text: TextWidth;
beforeAll(async () => {
  text = await loadTextWidth();
});

const options = formatOptions({ isTTY: true }, () => text);
const ev = sampleEvent;
const GS1 = "0101234567890128172512311010ABC123XYZ";
const renderAll = (o: Partial<FormatOptions>, events: ScanEvent[]) => {
  const r = createPretty(options(o));
  return events
    .map((e) => r.render(e, ""))
    .join("")
    .split("\n")
    .slice(0, -1);
};

describe("pretty on a terminal: exact lines at each width (--time utc)", () => {
  const T = "2023-11-14T22:13:20.000Z";
  it.each([
    [
      140,
      [
        `${T}  M2SR121103132   EAN-13                Packing Station North 12   87%    250ms  0101234567890128172512311010ABC123`,
        `${" ".repeat(105)}XYZ`,
        `${T}  M2SR121103132   EAN-13                Packing Station North 12   87%    250ms  4006381333931`,
      ],
    ],
    [
      120,
      [
        `${T}  M2SR121103132   EAN-13                Packing Station N…   87%    250ms  01012345678901281725`,
        `${" ".repeat(99)}12311010ABC123XYZ`,
        `${T}  M2SR121103132   EAN-13                Packing Station N…   87%    250ms  4006381333931`,
      ],
    ],
    // Latency, battery, then the station drop before the time is cut.
    [
      100,
      [
        `${T}  M2SR121103132   EAN-13                0101234567890128172512311010ABC123X`,
        `${" ".repeat(64)}YZ`,
        `${T}  M2SR121103132   EAN-13                4006381333931`,
      ],
    ],
    [80, [`${T}  M2SR121103132   ${GS1}`, `${T}  M2SR121103132   4006381333931`]],
    [
      60,
      [
        `${T}  M2SR121103132   01012345678901281`,
        `${" ".repeat(42)}72512311010ABC123`,
        `${" ".repeat(42)}XYZ`,
        `${T}  M2SR121103132   4006381333931`,
      ],
    ],
    // Then the fields left shorten, the one nearest the code first.
    [
      50,
      [
        "2023-11-14T22:13:20.…  M2SR121…  0101234567890128",
        `${" ".repeat(33)}172512311010ABC1`,
        `${" ".repeat(33)}23XYZ`,
        "2023-11-14T22:13:20.…  M2SR121…  4006381333931",
      ],
    ],
    [
      40,
      [
        "2023-11-14…  M2SR121…  0101234567890128",
        `${" ".repeat(23)}172512311010ABC1`,
        `${" ".repeat(23)}23XYZ`,
        "2023-11-14…  M2SR121…  4006381333931",
      ],
    ],
    [
      20,
      [
        "202…  M2SR121…  010",
        ...["123", "456", "789", "012", "817", "251", "231", "101", "0AB", "C12", "3XY", "Z"].map(
          (piece) => `${" ".repeat(16)}${piece}`,
        ),
        "202…  M2SR121…  400",
        ...["638", "133", "393", "1"].map((piece) => `${" ".repeat(16)}${piece}`),
      ],
    ],
  ] as const)("%d columns", (columns, expected) => {
    const out = renderAll({ columns }, [ev({ scan_code: GS1 }), ev()]);
    expect(out).toEqual(expected);
    for (const line of out) expect(text.width(line)).toBeLessThan(columns);
  });

  it("latency drops the moment the code would have less than 16 cells", () => {
    // Fields before the code: 24+2, 14+2, 20+2, 18+2, 4+2, 7+2 = 99 cells.
    const fields = (columns: number) =>
      renderAll({ columns }, [ev({ customer_gateway_station: "Dock" })])[0]!.split(/ {2,}/);
    expect(fields(116)).toEqual([
      "2023-11-14T22:13:20.000Z",
      "M2SR121103132",
      "EAN-13",
      "Dock",
      "87%",
      "250ms",
      "4006381333931",
    ]);
    expect(fields(115)).toEqual([
      "2023-11-14T22:13:20.000Z",
      "M2SR121103132",
      "EAN-13",
      "Dock",
      "87%",
      "4006381333931",
    ]);
  });

  it("double-width code characters are never split across lines", () => {
    expect(
      renderAll({ columns: 30, fields: ["serial", "code"] }, [ev({ scan_code: "条码".repeat(8) })]),
    ).toEqual(["M2SR121103…  条码条码条码条码", `${" ".repeat(13)}条码条码条码条码`]);
    expect(
      renderAll({ columns: 30, fields: ["serial", "code"] }, [
        ev({ scan_code: `x${"条".repeat(9)}` }),
      ]),
    ).toEqual(["M2SR121103…  x条条条条条条条", `${" ".repeat(13)}条条`]);
  });

  it("a code that fits exactly stays on one line", () => {
    // 32 cells of room, 16 taken by the serial column: 16 for the code.
    const at33 = (code: string) =>
      renderAll({ columns: 33, fields: ["serial", "code"] }, [ev({ scan_code: code })]);
    expect(at33("C".repeat(16))).toEqual([`M2SR121103132   ${"C".repeat(16)}`]);
    expect(at33("C".repeat(17))).toEqual([
      `M2SR121103132   ${"C".repeat(16)}`,
      `${" ".repeat(16)}C`,
    ]);
  });

  it("when the fields at their minimum leave no room, the code follows them whole", () => {
    expect(
      renderAll({ columns: 20, fields: ["a", "b", "c", "d", "code"] }, [
        ev({ a: "aaaaaa", b: "bbbb", c: "c", d: "d" }),
      ]),
    ).toEqual(["aaa…  bbbb  c     d     4006381333931"]);
  });

  it("a single cell of room still continues the code; none at all prints it whole", () => {
    const at = (columns: number) =>
      renderAll({ columns, fields: ["x", "code"] }, [ev({ x: "xxxx", scan_code: "123" })]);
    expect(at(8)).toEqual(["xxxx  1", "      2", "      3"]);
    expect(at(7)).toEqual(["xxxx  123"]);
  });

  it("an event without a code leaves no trailing spaces", () => {
    expect(
      renderAll({ columns: 60, fields: ["serial", "code"] }, [ev({ scan_code: undefined })]),
    ).toEqual(["M2SR121103132"]);
  });

  it("device_battery, like battery, drops before the fields the user cannot do without", () => {
    const fields = ["serial", "device_battery", "code"];
    // 16 + 6 cells of fields and 16 for the code: 38 cells, a 39-column terminal.
    expect(renderAll({ columns: 39, fields }, [ev()])).toEqual([
      "M2SR121103132    87%  4006381333931",
    ]);
    expect(renderAll({ columns: 38, fields }, [ev()])).toEqual(["M2SR121103132   4006381333931"]);
  });

  it("the last field keeps its place even when it is one that drops first", () => {
    expect(renderAll({ columns: 30, fields: ["time", "serial", "battery"] }, [ev()])).toEqual([
      "202…  M2SR121…  87%",
    ]);
  });

  it("a field grows to fit a longer value only while the code keeps its room", () => {
    const fields = ["where", "serial", "code"];
    const station = (name: string) => ev({ customer_gateway_station: name });
    // 59 cells: the code keeps 16, the serial 16, so the station may grow to 25.
    expect(
      renderAll({ columns: 60, fields }, [
        station("Dock"),
        station("S".repeat(26)),
        station("S".repeat(25)),
        station("T".repeat(30)),
        station("Dock"),
      ]),
    ).toEqual([
      `Dock${" ".repeat(16)}M2SR121103132   4006381333931`,
      `${"S".repeat(17)}…  M2SR121103132   4006381333931`,
      `${"S".repeat(25)}  M2SR121103132   4006381333931`,
      `${"T".repeat(24)}…  M2SR121103132   4006381333931`,
      `Dock${" ".repeat(23)}M2SR121103132   4006381333931`,
    ]);
  });

  it("after a resize the line is laid out for the new width", () => {
    const r = createPretty(options({ columns: 120 }));
    expect(r.render(ev(), "")).toBe(
      "2023-11-14T22:13:20.000Z  M2SR121103132   EAN-13                Packing Station N…   87%    250ms  4006381333931\n",
    );
    r.resize?.(60, 10);
    expect(r.render(ev(), "")).toBe("2023-11-14T22:13:20.000Z  M2SR121103132   4006381333931\n");
  });
});

describe("pretty off a terminal and with --wide", () => {
  it.each([
    ["local", /^\d\d:\d\d:20\.000 {2}M2SR121103132 {3}EAN-13/],
    ["utc", /^2023-11-14T22:13:20\.000Z {2}M2SR121103132 {3}EAN-13/],
    ["relative", /^\+00:00\.000 {2}M2SR121103132 {3}EAN-13/],
    ["epoch", /^1700000000000 {2}M2SR121103132 {3}EAN-13/],
  ] as const)("the whole time in --time %s, every value whole on one line", (time, start) => {
    for (const o of [
      { isTTY: false, columns: 40 },
      { wide: true, columns: 40 },
    ]) {
      const [line, ...rest] = renderAll({ time, ...o }, [ev({ scan_code: GS1 })]);
      expect(rest).toEqual([]);
      expect(line).toMatch(start);
      expect(
        line!.endsWith(`EAN-13                Packing Station North 12   87%    250ms  ${GS1}`),
      ).toBe(true);
    }
  });

  it("columns grow to the widest value seen, up to 40 cells; a longer one does not push later lines", () => {
    const events = [
      ev({ customer_gateway_station: "Dock" }),
      ev({ customer_gateway_station: "S".repeat(30) }),
      ev({ customer_gateway_station: "T".repeat(41) }),
      ev({ customer_gateway_station: "U".repeat(40) }),
      ev({ customer_gateway_station: "Dock" }),
    ];
    expect(renderAll({ isTTY: false, fields: ["station", "serial", "code"] }, events)).toEqual([
      "Dock                  M2SR121103132   4006381333931",
      `${"S".repeat(30)}  M2SR121103132   4006381333931`,
      `${"T".repeat(41)}  M2SR121103132   4006381333931`,
      `${"U".repeat(40)}  M2SR121103132   4006381333931`,
      `Dock${" ".repeat(36)}  M2SR121103132   4006381333931`,
    ]);
  });

  it("battery and latency are right-aligned; a missing value leaves its column blank", () => {
    expect(
      renderAll({ isTTY: false, fields: ["battery", "latency", "code"] }, [
        ev({ device_battery: 5, time_received: 1_700_000_012_000 }),
        ev({ device_battery: undefined, time_received: undefined }),
      ]),
    ).toEqual(["  5%      12s  4006381333931", "               4006381333931"]);
  });
});

describe("pretty styling", () => {
  const chalk = new Chalk({ level: 1 });

  it("styles each value (never its padding) and leaves empty values unstyled", () => {
    expect(
      renderAll({ chalk, isTTY: false, fields: ["time", "battery", "serial", "code"] }, [
        ev({ device_battery: undefined }),
        ev({ device_battery: 9 }),
      ]),
    ).toEqual([
      `${chalk.dim("2023-11-14T22:13:20.000Z")}        ${chalk.cyanBright("M2SR121103132")}   ${chalk.bold("4006381333931")}`,
      `${chalk.dim("2023-11-14T22:13:20.000Z")}    ${chalk.red.bold("9%")}  ${chalk.cyanBright("M2SR121103132")}   ${chalk.bold("4006381333931")}`,
    ]);
  });

  it("--highlight marks matches in the code only, on each continued piece", () => {
    expect(
      renderAll({ chalk, columns: 40, highlight: /13|99/g, fields: ["serial", "code"] }, [
        ev({ scan_code: `4006381333931${"9".repeat(21)}` }),
      ]),
    ).toEqual([
      `${chalk.cyanBright("M2SR121103132")}   ${chalk.bold(`400638${chalk.inverse("13")}33931${chalk.inverse("99").repeat(5)}`)}`,
      `${" ".repeat(16)}${chalk.bold(`${chalk.inverse("99").repeat(5)}9`)}`,
    ]);
    // The code is not last: nothing else is marked.
    expect(renderAll({ chalk, highlight: /13/g, fields: ["code", "serial"] }, [ev()])).toEqual([
      `${chalk.bold("4006381333931")}         ${chalk.cyanBright("M2SR121103132")}`,
    ]);
  });
});

describe("cells shared by pretty, table and devices", () => {
  const chalk = new Chalk({ level: 1 });

  it.each([
    [0, "0ms", "dim"],
    [999, "999ms", "dim"],
    [1000, "1.0s", "yellow"],
    [4999, "5.0s", "yellow"],
    [5000, "5.0s", "red"],
    [3_600_000, "1h", "red"],
    [3_600_001, "skew 1h", "magenta"],
    [-1, "skew -1ms", "magenta"],
  ] as const)("a latency of %d ms shows %j in %s", (latency, shown, colour) => {
    const cell = latencyCell(latency, chalk);
    expect(cell.text).toBe(shown);
    expect(cell.style?.("t")).toBe(chalk[colour]("t"));
  });

  it.each([
    [87.5, "88%", chalk.dim],
    [31, "31%", chalk.dim],
    [30, "30%", chalk.yellow],
    [16, "16%", chalk.yellow],
    [15, "15%", chalk.red.bold],
    [0, "0%", chalk.red.bold],
  ] as const)("a battery of %d shows %j", (battery, shown, style) => {
    const cell = batteryCell(battery, chalk);
    expect(cell.text).toBe(shown);
    expect(cell.style?.("t")).toBe(style("t"));
  });

  it("no battery or latency is an empty, unstyled cell", () => {
    expect(batteryCell(undefined, chalk)).toEqual({ text: "" });
    expect(latencyCell(undefined, chalk)).toEqual({ text: "" });
  });

  it("relative times count from the first event shown, hours only when needed", () => {
    const ctx = { chalk: plainChalk, time: "relative" as const };
    expect(formatTime(1000, ctx)).toBe("+00:00.000");
    expect(formatTime(0, ctx)).toBe("-00:01.000");
    expect(formatTime(1000 + 2 * 3_600_000 + 61_001, ctx)).toBe("+2:01:01.001");
    expect(formatTime(1000 + 59_999, ctx)).toBe("+00:59.999");
  });

  it("local times are the wall clock: hours, minutes, seconds and milliseconds", () => {
    expect(formatTime(1_700_000_000_007, { chalk: plainChalk, time: "local" })).toMatch(
      /^\d\d:\d\d:20\.007$/,
    );
    expect(formatTime(1_700_000_000_070, { chalk: plainChalk, time: "local" })).toMatch(
      /^\d\d:\d\d:20\.070$/,
    );
  });

  it("a time no date can hold is shown as its number; a missing time as -", () => {
    for (const time of ["local", "utc", "epoch"] as const) {
      expect(formatTime(8.64e15 + 1, { chalk: plainChalk, time })).toBe("8640000000000001");
      expect(formatTime(undefined, { chalk: plainChalk, time })).toBe("-");
    }
  });

  it("the station column falls back to the gateway name, then the gateway id", () => {
    const [where] = resolveColumns(["where"]);
    const cell = (o: Partial<ScanEvent>) =>
      where!.cell(o as ScanEvent, { chalk, time: "utc" }).text;
    expect(
      cell({ customer_gateway_station: "Dock", customer_gateway_name: "GW", gateway_id: "g" }),
    ).toBe("Dock");
    expect(
      cell({ customer_gateway_station: "", customer_gateway_name: "GW", gateway_id: "g" }),
    ).toBe("GW");
    expect(cell({ customer_gateway_name: "", gateway_id: "g" })).toBe("g");
    expect(cell({})).toBe("");
  });

  it("an event without a serial leaves the serial column blank", () => {
    const [serial] = resolveColumns(["serial"]);
    expect(serial!.cell({ event_id: "x" }, { chalk, time: "utc" }).text).toBe("");
    expect(
      renderAll({ isTTY: false, fields: ["serial", "code"] }, [ev({ device_serial: undefined })]),
    ).toEqual([`${" ".repeat(16)}4006381333931`]);
  });

  it("every alias in --fields names its column; any other name is a field of its own", () => {
    const names = resolveColumns([
      "SERIAL",
      "device",
      "Code",
      "symbology",
      "station",
      "gateway",
      "model",
      "firmware",
      "profile",
      "type",
      "id",
      "where",
      "battery",
      "device_battery",
      "latency",
      "time",
      "hasOwnProperty",
    ]).map((c) => `${c.name}:${c.header}:${c.width}`);
    expect(names).toEqual([
      "device_serial:SERIAL:14",
      "device_serial:SERIAL:14",
      "scan_code:CODE:24",
      "scan_decode_symbology:SYMBOLOGY:20",
      "customer_gateway_station:CUSTOMER_GATEWAY_STATION:20",
      "customer_gateway_name:CUSTOMER_GATEWAY_NAME:20",
      "device_model:DEVICE_MODEL:12",
      "device_firmware:DEVICE_FIRMWARE:15",
      "configuration_profile_id:CONFIGURATION_PROFILE_ID:20",
      "event_type:EVENT_TYPE:10",
      "event_id:EVENT_ID:8",
      "where:STATION / GATEWAY:18",
      "battery:BATT:4",
      "device_battery:BATT:4",
      "latency:LATENCY:7",
      "time:TIME:12",
      "hasOwnProperty:HASOWNPROPERTY:14",
    ]);
    expect(resolveColumns(["x"])[0]).toMatchObject({ header: "X", width: 8, minWidth: 4 });
    expect(resolveColumns(["a\u001bb"])[0]!.header).toBe("A\\eB");
  });

  it("pretty puts the code last; table puts it after the symbology", () => {
    expect(resolveColumns(undefined, DEFAULT_PRETTY_COLUMNS).map((c) => c.header)).toEqual([
      "TIME",
      "SERIAL",
      "SYMBOLOGY",
      "STATION / GATEWAY",
      "BATT",
      "LATENCY",
      "CODE",
    ]);
    expect(resolveColumns([]).map((c) => c.header)).toEqual([
      "TIME",
      "SERIAL",
      "SYMBOLOGY",
      "CODE",
      "STATION / GATEWAY",
      "BATT",
      "LATENCY",
    ]);
  });

  it("ndjson projections take event fields only, naming the field to use instead", () => {
    expect(resolveProjection(["serial", "code", "time", "custom"])).toEqual([
      "device_serial",
      "scan_code",
      "time_created",
      "custom",
    ]);
    expect(() => resolveProjection(["battery"])).toThrow(
      "--fields battery is a display column; with -o ndjson name event fields (e.g. device_battery)",
    );
    expect(() => resolveProjection(["latency"])).toThrow(
      "--fields latency is a display column; with -o ndjson name event fields (e.g. time_created,time_received)",
    );
    expect(() => resolveProjection(["where"])).toThrow(UsageError);
  });
});

describe("colour", () => {
  it.each([
    ["never", { FORCE_COLOR: "3" }, true, 0],
    ["always", { COLORTERM: "24bit" }, false, 3],
    ["always", { TERM: "screen-256" }, false, 2],
    ["always", { TERM: "XTERM-256COLOR" }, false, 2],
    ["always", { TERM: "dumb" }, false, 1],
    ["always", { TERM: "xterm-256colors" }, false, 1],
    ["auto", { FORCE_COLOR: "false" }, true, 0],
    ["auto", { FORCE_COLOR: "2" }, false, 2],
    ["auto", { FORCE_COLOR: "3" }, false, 3],
    ["auto", { FORCE_COLOR: "4", TERM: "xterm-256color" }, false, 2],
    ["auto", { FORCE_COLOR: "yes" }, false, 1],
    ["auto", { FORCE_COLOR: "1", TERM: "xterm-256color" }, true, 1],
    ["auto", { FORCE_COLOR: "1.5", TERM: "xterm-256color" }, false, 2],
    ["auto", { FORCE_COLOR: "-1" }, false, 1],
    ["auto", { FORCE_COLOR: "" }, false, 0],
    ["auto", { NO_COLOR: "", TERM: "xterm-256color" }, true, 2],
    ["auto", { NO_COLOR: "1", FORCE_COLOR: "3" }, true, 0],
    ["auto", { TERM: "dumb", COLORTERM: "truecolor" }, true, 0],
  ] as const)("--color %s with %j, tty=%s → level %d", (mode, env, tty, level) => {
    expect(colorLevel(mode, env, tty)).toBe(level);
  });

  it("without colour, styling returns the text as it is, chained or called", async () => {
    expect(await loadChalk(0)).toBe(plainChalk);
    expect(plainChalk.level).toBe(0);
    expect(plainChalk.bold.underline("x")).toBe("x");
    expect(plainChalk.hex("#ff0000").bgAnsi256(3)("y")).toBe("y");
    expect(plainChalk(42 as unknown as string)).toBe("42");
    expect((plainChalk as unknown as { then?: unknown }).then).toBeUndefined();
    // Whatever FORCE_COLOR says, the level is one chalk accepts.
    for (const force of ["1.5", "2.0", "7", "-3", "0x2"]) {
      const level = colorLevel("auto", { FORCE_COLOR: force }, false);
      expect((await loadChalk(level)).level).toBe(level);
    }
    const loaded = await loadChalk(2);
    expect(loaded.level).toBe(2);
    expect(loaded.red("x")).toBe("\u001b[31mx\u001b[39m");
  });

  it("a serial keeps its colour from run to run, from a palette per colour level", () => {
    const c1 = new Chalk({ level: 1 });
    const c2 = new Chalk({ level: 2 });
    const c3 = new Chalk({ level: 3 });
    expect(serialColor(c1, "M2SR121103132")("x")).toBe("\u001b[96mx\u001b[39m");
    expect(serialColor(c1, "M3AR164331380")("x")).toBe("\u001b[91mx\u001b[39m");
    expect(serialColor(c1, "A")("x")).toBe("\u001b[94mx\u001b[39m");
    expect(serialColor(c2, "M2SR121103132")("x")).toBe("\u001b[38;5;81mx\u001b[39m");
    expect(serialColor(c2, "M3AR164331380")("x")).toBe("\u001b[38;5;45mx\u001b[39m");
    expect(serialColor(c2, "A")("x")).toBe("\u001b[38;5;69mx\u001b[39m");
    expect(serialColor(c3, "A")("x")).toBe("\u001b[38;5;69mx\u001b[39m");
    expect(serialColor(plainChalk, "A")("x")).toBe("x");
    expect(serialColor(new Chalk({ level: 0 }), "A")("x")).toBe("x");
  });

  it("eight neighbouring serials get the eight colours of a 16-colour terminal", () => {
    const c1 = new Chalk({ level: 1 });
    const shown = [0, 1, 2, 3, 4, 5, 6, 7].map((n) => serialColor(c1, `M2SR12110313${n}`)("x"));
    expect(shown).toEqual(
      (
        [
          "redBright",
          "green",
          "cyanBright",
          "blueBright",
          "yellow",
          "greenBright",
          "magenta",
          "cyan",
        ] as const
      ).map((colour) => c1[colour]("x")),
    );
  });

  it("without colour, every colour factory chalk offers is there and does nothing", () => {
    const factories = plainChalk as unknown as Record<
      string,
      (...args: unknown[]) => typeof plainChalk
    >;
    for (const name of ["ansi256", "bgAnsi256", "hex", "bgHex", "rgb", "bgRgb"]) {
      expect(factories[name]!(1, 2, 3)("x")).toBe("x");
    }
  });
});

describe("text width", () => {
  const measure = createTextWidth((t) => [...t].length * 2);

  it("printable ASCII is one cell a character; other text is measured", () => {
    expect(text.width("abc ~")).toBe(5);
    expect(text.width("条码")).toBe(4);
    expect(text.width("")).toBe(0);
    expect(measure.width("abc")).toBe(3);
    expect(measure.width("é")).toBe(2);
    expect(measure.width("a\tb")).toBe(6);
  });

  it.each([
    ["abcdef", 6, "abcdef"],
    ["abcdef", 5, "abcd…"],
    ["abcdef", 1, "…"],
    ["abcdef", 0, ""],
    ["abcdef", -1, ""],
    ["条码条码", 5, "条码…"],
    ["条码条码", 4, "条… "],
    ["a条码", 4, "a条…"],
  ])("truncate(%j, %d) is %j", (input, width, cut) => {
    expect(text.truncate(input, width)).toBe(cut);
  });

  it.each([
    ["ab", 4, "left", "ab  "],
    ["ab", 4, "right", "  ab"],
    ["ab", 2, "right", "ab"],
    ["abcdef", 4, "right", "abc…"],
    ["条码", 5, "left", "条码 "],
  ] as const)("fit(%j, %d, %s) is %j", (input, width, align, fitted) => {
    expect(text.fit(input, width, align)).toBe(fitted);
  });

  it("fit pads on the right by default", () => {
    expect(text.fit("ab", 3)).toBe("ab ");
  });

  it("the measure for formats that never align text counts code points", () => {
    expect(codePointWidth.width("条码📦")).toBe(3);
    expect(codePointWidth.truncate("条码📦x", 3)).toBe("条码…");
  });
});
