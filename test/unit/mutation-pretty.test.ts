import { Chalk } from "chalk";
import { beforeAll, describe, expect, it } from "vitest";
import type { ScanEvent } from "../../src/events/event.js";
import { plainChalk } from "../../src/format/color.js";
import { createRenderer as createPretty } from "../../src/format/pretty.js";
import type { FormatOptions } from "../../src/format/registry.js";
import { loadTextWidth, type TextWidth } from "../../src/format/text-width.js";

// Exact pretty lines (README, "Widths"): on a terminal no line is wider than it, the least
// important fields drop first, a code longer than the room left continues under the code
// column; off a terminal or with --wide nothing is cut and each event is one line.

let text: TextWidth;
beforeAll(async () => {
  text = await loadTextWidth();
});

const options = (o: Partial<FormatOptions> = {}): FormatOptions => ({
  chalk: plainChalk,
  isTTY: true,
  columns: 80,
  rows: 24,
  time: "utc",
  now: () => 0,
  text,
  header: true,
  wide: false,
  ...o,
});
const ev = (o: Partial<ScanEvent> = {}): ScanEvent => ({
  event_id: "e1",
  event_type: "scan",
  time_created: 1_700_000_000_000,
  time_received: 1_700_000_000_250,
  scan_code: "4006381333931",
  scan_decode_symbology: "EAN-13",
  device_serial: "M2SR121103132",
  device_battery: 87,
  customer_gateway_station: "Packing Station North 12",
  customer_gateway_name: "Inbound Gateway 1",
  ...o,
});
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
