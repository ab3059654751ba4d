import { Chalk } from "chalk";
import { beforeAll, describe, expect, it } from "vitest";
import { resolveColumns } from "../../src/format/columns.js";
import type { FormatOptions } from "../../src/format/registry.js";
import { createRenderer as createTable, fitColumns } from "../../src/format/table.js";
import { loadTextWidth, type TextWidth } from "../../src/format/text-width.js";
import { formatOptions, sampleEvent } from "../helpers/format.js";

// Exact table layouts: which columns a terminal of a given width keeps, how wide each is,
// and the lines printed (README, "Widths": the least important columns shrink, then
// drop, the scan code last; off a terminal or with --wide nothing is shortened).

let text: TextWidth;
beforeAll(async () => {
  text = await loadTextWidth();
});

const options = formatOptions({ isTTY: true }, () => text);
const ev = sampleEvent;
const GS1 = "0101234567890128172512311010ABC123XYZ";
const lines = (out: string) => out.split("\n").slice(0, -1);
const shape = (layout: ReturnType<typeof fitColumns>) =>
  layout.columns.map((c, i) => `${c.name}:${layout.widths[i]}`).join(" ");
const utcColumns = (fields?: string[]) =>
  resolveColumns(fields).map((c) => (c.name === "time" ? { ...c, width: 24 } : c));

describe("table on a terminal: exact lines at each width (--time utc, a 37-character GS1 code)", () => {
  it.each([
    [
      140,
      "TIME                     SERIAL         SYMBOLOGY            CODE                                           STATION / GATEWAY  BATT LATENCY",
      "2023-11-14T22:13:20.000Z M2SR121103132  EAN-13               0101234567890128172512311010ABC123XYZ          Packing Station N…  87%   250ms",
    ],
    [
      120,
      "TIME                     SERIAL         SYMBOLOGY            CODE                       STATION / GATEWAY  BATT LATENCY",
      "2023-11-14T22:13:20.000Z M2SR121103132  EAN-13               0101234567890128172512311… Packing Station N…  87%   250ms",
    ],
    [
      100,
      "TIME                     SERIAL         SYMBOLOGY            CODE                 STATION / GATEWAY",
      "2023-11-14T22:13:20.000Z M2SR121103132  EAN-13               0101234567890128172… Packing Station …",
    ],
    [
      90,
      "TIME                     SERIAL         SYMBOLOGY            CODE",
      "2023-11-14T22:13:20.000Z M2SR121103132  EAN-13               010123456789012817251231101…",
    ],
    [
      80,
      "TIME                     SERIAL         SYMBOLOGY          CODE",
      "2023-11-14T22:13:20.000Z M2SR121103132  EAN-13             0101234567890128172…",
    ],
    [
      70,
      "TIME                     SERIAL         SYMBOLO… CODE",
      "2023-11-14T22:13:20.000Z M2SR121103132  EAN-13   0101234567890128172…",
    ],
    [
      60,
      "TIME                     SERIAL        CODE",
      "2023-11-14T22:13:20.000Z M2SR121103132 0101234567890128172…",
    ],
    [50, "TIME                SERIAL   CODE", "2023-11-14T22:13:2… M2SR121… 0101234567890128172…"],
    [40, "TIME      SERIAL   CODE", "2023-11-… M2SR121… 0101234567890128172…"],
    [30, "TIME     SERIAL   CODE", "2023-11… M2SR121… 0101234567…"],
    // Below 21 columns the table lays out for 20 and lets the terminal wrap.
    [10, "TIME     SERIAL   CODE", "2023-11… M2SR121… 01012…"],
  ])("%d columns", (columns, header, row) => {
    const out = createTable(options({ columns })).render(ev({ scan_code: GS1 }), "");
    expect(lines(out)).toEqual([header, row]);
  });

  it("a short code keeps its whole value and pads its column on a wide terminal", () => {
    const out = createTable(options({ columns: 120, time: "local" })).render(ev(), "");
    const [header, row] = lines(out) as [string, string];
    expect(header).toBe(
      "TIME         SERIAL         SYMBOLOGY            CODE                                   STATION / GATEWAY  BATT LATENCY",
    );
    expect(row).toMatch(
      /^\d\d:\d\d:20\.000 M2SR121103132 {2}EAN-13 {15}4006381333931 {26}Packing Station N… {2}87% {3}250ms$/,
    );
  });
});

describe("table layout: which columns shrink and drop, and how wide each stays", () => {
  it.each([
    [
      200,
      "time:24 device_serial:14 scan_decode_symbology:20 scan_code:107 where:18 battery:4 latency:7",
    ],
    [
      119,
      "time:24 device_serial:14 scan_decode_symbology:20 scan_code:26 where:18 battery:4 latency:7",
    ],
    // The code has less than its 20 cells: latency, then battery drop; the station shrinks.
    [99, "time:24 device_serial:14 scan_decode_symbology:20 scan_code:20 where:17"],
    // The station at its minimum (8) still leaves the code short: it drops.
    [89, "time:24 device_serial:14 scan_decode_symbology:20 scan_code:28"],
    [79, "time:24 device_serial:14 scan_decode_symbology:18 scan_code:20"],
    [69, "time:24 device_serial:14 scan_decode_symbology:8 scan_code:20"],
    // Then the essentials only shrink, right-most first: the serial, then the time.
    [59, "time:24 device_serial:13 scan_code:20"],
    [49, "time:19 device_serial:8 scan_code:20"],
    [39, "time:9 device_serial:8 scan_code:20"],
    // Everything at its minimum: the code takes what is left, never less than 6.
    [29, "time:8 device_serial:8 scan_code:11"],
    [20, "time:8 device_serial:8 scan_code:6"],
    [5, "time:8 device_serial:8 scan_code:6"],
  ])("default columns in %d cells", (total, expected) => {
    expect(shape(fitColumns(utcColumns(), total))).toBe(expected);
  });

  it("the exact room: code at its target keeps every other column whole", () => {
    // 24+14+20+18+4+7 + 6 separators = 93; 93 + 20 = 113 cells fit everything.
    expect(shape(fitColumns(utcColumns(), 113))).toBe(
      "time:24 device_serial:14 scan_decode_symbology:20 scan_code:20 where:18 battery:4 latency:7",
    );
    // One cell less: latency (which cannot shrink) drops, and the code gets its room.
    expect(shape(fitColumns(utcColumns(), 112))).toBe(
      "time:24 device_serial:14 scan_decode_symbology:20 scan_code:27 where:18 battery:4",
    );
  });

  it("fields the user asked for shrink (to 4 cells) but never drop, right-most first", () => {
    const columns = resolveColumns(["time", "serial", "configuration_profile_id", "code", "x"]);
    expect(shape(fitColumns(columns, 80))).toBe(
      "time:12 device_serial:14 configuration_profile_id:20 scan_code:22 x:8",
    );
    expect(shape(fitColumns(columns, 60))).toBe(
      "time:12 device_serial:14 configuration_profile_id:6 scan_code:20 x:4",
    );
    expect(shape(fitColumns(columns, 50))).toBe(
      "time:10 device_serial:8 configuration_profile_id:4 scan_code:20 x:4",
    );
    expect(shape(fitColumns(columns, 40))).toBe(
      "time:8 device_serial:8 configuration_profile_id:4 scan_code:12 x:4",
    );
  });

  it("without a code column nothing needs room: columns drop only when the row overflows", () => {
    const columns = resolveColumns(["time", "serial", "where", "latency", "battery"]);
    expect(shape(fitColumns(columns, 80))).toBe(
      "time:12 device_serial:14 where:18 latency:7 battery:4",
    );
    expect(shape(fitColumns(columns, 59))).toBe(
      "time:12 device_serial:14 where:18 latency:7 battery:4",
    );
    // Latency drops first, wherever it stands.
    expect(shape(fitColumns(columns, 58))).toBe("time:12 device_serial:14 where:18 battery:4");
    expect(shape(fitColumns(columns, 50))).toBe("time:12 device_serial:14 where:18");
    expect(shape(fitColumns(columns, 40))).toBe("time:12 device_serial:14 where:12");
    expect(shape(fitColumns(columns, 30))).toBe("time:12 device_serial:14");
    expect(shape(fitColumns(columns, 20))).toBe("time:11 device_serial:8");
    expect(shape(fitColumns(columns, 10))).toBe("time:8 device_serial:8");
  });

  it("a lone column is never dropped, only shrunk to its minimum", () => {
    expect(shape(fitColumns(resolveColumns(["where"]), 5))).toBe("where:8");
    expect(shape(fitColumns(resolveColumns(["code"]), 5))).toBe("scan_code:6");
    expect(shape(fitColumns(resolveColumns(["code"]), 30))).toBe("scan_code:30");
  });

  it("a column named twice gives up its room twice, before the essentials shrink", () => {
    const columns = resolveColumns(["where", "serial", "where", "code"]);
    expect(shape(fitColumns(columns, 60))).toBe("device_serial:14 where:18 scan_code:26");
    expect(shape(fitColumns(columns, 50))).toBe("device_serial:14 where:14 scan_code:20");
    expect(shape(fitColumns(columns, 40))).toBe("device_serial:14 scan_code:25");
  });

  it("device_battery drops like battery", () => {
    const columns = resolveColumns(["serial", "device_battery", "code"]);
    expect(shape(fitColumns(columns, 40))).toBe("device_serial:14 device_battery:4 scan_code:20");
    expect(shape(fitColumns(columns, 39))).toBe("device_serial:14 scan_code:24");
  });
});

describe("table off a terminal and with --wide", () => {
  const whole = [
    "TIME                     SERIAL         SYMBOLOGY            CODE                     STATION / GATEWAY  BATT LATENCY",
    "2023-11-14T22:13:20.000Z M2SR121103132  EAN-13               4006381333931            Packing Station North 12  87%   250ms",
  ];
  it("every column keeps its preferred width (the code at least 24) and no value is cut", () => {
    expect(lines(createTable(options({ isTTY: false, columns: 40 })).render(ev(), ""))).toEqual(
      whole,
    );
    expect(lines(createTable(options({ wide: true, columns: 40 })).render(ev(), ""))).toEqual(
      whole,
    );
    const out = createTable(options({ isTTY: false })).render(ev({ scan_code: GS1 }), "");
    expect(lines(out)[1]).toBe(
      `2023-11-14T22:13:20.000Z M2SR121103132  EAN-13               ${GS1} Packing Station North 12  87%   250ms`,
    );
  });

  it.each([
    ["local", "TIME         CODE", /^\d\d:\d\d:20\.000 4006381333931$/],
    ["utc", "TIME                     CODE", /^2023-11-14T22:13:20\.000Z 4006381333931$/],
    ["relative", "TIME       CODE", /^\+00:00\.000 4006381333931$/],
    ["epoch", "TIME          CODE", /^1700000000000 4006381333931$/],
  ] as const)("the time column fits --time %s", (time, header, row) => {
    const out = createTable(options({ isTTY: false, time, fields: ["time", "code"] })).render(
      ev(),
      "",
    );
    const [h, r] = lines(out) as [string, string];
    expect(h).toBe(header);
    expect(r).toMatch(row);
  });

  it("a field named in --fields that is not a built-in column gets its own width", () => {
    const out = createTable(
      options({ isTTY: false, fields: ["code", "configuration_profile_id", "x"] }),
    ).render(ev({ configuration_profile_id: "profile0", x: 1 }), "");
    expect(lines(out)).toEqual([
      "CODE                     CONFIGURATION_PROFILE_ID X",
      "4006381333931            profile0                 1",
    ]);
  });

  it("battery and latency are right-aligned under their headers", () => {
    const out = createTable(
      options({ isTTY: false, fields: ["battery", "latency", "code"] }),
    ).render(ev({ device_battery: 5, time_received: 1_700_000_012_000 }), "");
    expect(lines(out)).toEqual(["BATT LATENCY CODE", "  5%     12s 4006381333931"]);
  });
});

describe("table header", () => {
  const render = (o: Partial<FormatOptions>, count: number) => {
    const r = createTable(options(o));
    let out = "";
    for (let i = 0; i < count; i++) out += r.render(ev({ scan_code: `C${i}` }), "");
    return lines(out).map((l) => (l.startsWith("TIME") ? "H" : l.split(/\s+/)[2]));
  };

  it("on a terminal comes back every screenful: the header and rows - 2 rows", () => {
    expect(render({ rows: 6, fields: ["time", "serial", "code"] }, 10)).toEqual([
      "H",
      "C0",
      "C1",
      "C2",
      "C3",
      "H",
      "C4",
      "C5",
      "C6",
      "C7",
      "H",
      "C8",
      "C9",
    ]);
  });

  it("never comes back more often than every 3 rows, however short the terminal", () => {
    expect(render({ rows: 2, fields: ["time", "serial", "code"] }, 7)).toEqual([
      "H",
      "C0",
      "C1",
      "C2",
      "H",
      "C3",
      "C4",
      "C5",
      "H",
      "C6",
    ]);
    expect(render({ rows: 5, fields: ["time", "serial", "code"] }, 4)).toEqual([
      "H",
      "C0",
      "C1",
      "C2",
      "H",
      "C3",
    ]);
  });

  it("on a pipe is printed once, and never with --no-header", () => {
    expect(render({ isTTY: false, rows: 6, fields: ["time", "serial", "code"] }, 10)).toEqual([
      "H",
      ...Array.from({ length: 10 }, (_, i) => `C${i}`),
    ]);
    expect(render({ header: false, rows: 6, fields: ["time", "serial", "code"] }, 5)).toEqual([
      "C0",
      "C1",
      "C2",
      "C3",
      "C4",
    ]);
  });

  it("after a resize comes back at once, laid out for the new width and height", () => {
    const r = createTable(options({ columns: 120, rows: 24 }));
    const first = lines(r.render(ev({ scan_code: GS1 }), ""));
    expect(first[0]).toMatch(/LATENCY$/);
    expect(lines(r.render(ev(), ""))).toHaveLength(1);
    r.resize?.(60, 6);
    expect(lines(r.render(ev({ scan_code: GS1 }), ""))).toEqual([
      "TIME                     SERIAL        CODE",
      "2023-11-14T22:13:20.000Z M2SR121103132 0101234567890128172…",
    ]);
    // The new height: a screenful is now the header and 4 rows.
    const after = [1, 2, 3, 4].map((i) => lines(r.render(ev({ scan_code: `C${i}` }), "")).length);
    expect(after).toEqual([1, 1, 1, 2]);
  });
});

describe("table styling", () => {
  const chalk = new Chalk({ level: 1 });

  it("bolds and underlines the header text only when colour is on", () => {
    const out = createTable(options({ chalk, isTTY: false, fields: ["code", "battery"] })).render(
      ev({ device_battery: undefined }),
      "",
    );
    expect(lines(out)).toEqual([
      `${chalk.bold.underline("CODE")}                     ${chalk.bold.underline("BATT")}`,
      chalk.bold("4006381333931"),
    ]);
  });

  it("--highlight marks matches in the code column only, inside the cut", () => {
    const out = createTable(
      options({ chalk, columns: 40, highlight: /13/g, fields: ["serial", "code"] }),
    ).render(ev({ scan_code: `4006381333931${"9".repeat(30)}` }), "");
    expect(lines(out)[1]).toBe(
      `${chalk.cyanBright("M2SR121103132")}  ${chalk.bold(`400638${chalk.inverse("13")}33931${"9".repeat(10)}…`)}`,
    );
    const plainOut = createTable(
      options({ columns: 40, highlight: /13/g, fields: ["serial", "code"] }),
    ).render(ev(), "");
    expect(lines(plainOut)[1]).toBe("M2SR121103132  4006381333931");
  });

  it("without --highlight nothing is marked, even a code that reads 'undefined'", () => {
    const out = createTable(options({ chalk, isTTY: false, fields: ["code"] })).render(
      ev({ scan_code: "undefined" }),
      "",
    );
    expect(lines(out)[1]).toBe(chalk.bold("undefined"));
  });

  it("a cut double-width code ends its styling at the …, with the padding outside", () => {
    const out = createTable(options({ chalk, columns: 40, fields: ["code", "symbology"] })).render(
      ev({ scan_code: "条码".repeat(6) }),
      "",
    );
    expect(lines(out)[1]).toBe(`${chalk.bold("条码条码条码条码条…")}  EAN-13`);
    const plainOut = createTable(options({ columns: 40, fields: ["code", "symbology"] })).render(
      ev({ scan_code: "条码".repeat(6) }),
      "",
    );
    expect(lines(plainOut)[1]).toBe("条码条码条码条码条…  EAN-13");
  });
});
