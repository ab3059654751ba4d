import { Chalk } from "chalk";
import { beforeAll, describe, expect, it } from "vitest";
import type { ScanEvent } from "../../src/events/event.js";
import { serialColor } from "../../src/format/color.js";
import { createRenderer, DeviceTable, fitDeviceColumns } from "../../src/format/devices.js";
import type { FormatOptions } from "../../src/format/registry.js";
import { loadTextWidth, type TextWidth } from "../../src/format/text-width.js";
import { formatOptions } from "../helpers/format.js";

/*
 * The devices view pinned down exactly: what each row keeps, the sort orders, how the
 * columns give way on a narrow terminal, the title line, the redraw cycle and the table
 * left behind at the end. Clocks and terminal sizes are injected; lines are compared whole.
 */

let text: TextWidth;
beforeAll(async () => {
  text = await loadTextWidth();
});

// 09:05:03 local time: pads hours, minutes and seconds.
const NOW = new Date(2026, 10, 26, 9, 5, 3).getTime();
const options = formatOptions(
  { columns: 200, rows: 30, time: "local", now: () => NOW },
  () => text,
);
/** A bare event: only what a test names. */
const bare = (o: Partial<ScanEvent> = {}): ScanEvent => ({ event_type: "scan", ...o });
const ev = (o: Partial<ScanEvent> = {}): ScanEvent =>
  bare({
    time_created: NOW - 300,
    time_received: NOW - 100,
    scan_code: "4006381333931",
    scan_decode_symbology: "EAN-13",
    device_serial: "M2SR121103132",
    device_model: "MARK 2",
    device_battery: 87,
    device_firmware: "v1.3.1",
    configuration_profile_id: "profile_picking",
    configuration_profile_revision: 6,
    customer_gateway_station: "Picking Zone A",
    customer_gateway_name: "Picking Gateway 1",
    ...o,
  });
const escapeRegExp = (s: string) => s.replace(/[[\]\\^$.|?*+()]/g, "\\$&");
const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");

describe("a device's row", () => {
  it("keeps what the newest event says and what earlier events said when it is silent", () => {
    const t = new DeviceTable();
    t.add(ev(), 5000);
    const row = t.add(
      bare({
        device_serial: "M2SR121103132",
        scan_code: "X2",
        time_created: 100,
        time_received: 130,
      }),
      4000,
    );
    expect(row).toBe(t.rows.get("M2SR121103132"));
    expect(row).toEqual({
      serial: "M2SR121103132",
      model: "MARK 2",
      gateway: "Picking Gateway 1",
      station: "Picking Zone A",
      // Code and symbology describe the last scan: they do not carry over.
      lastCode: "X2",
      symbology: "",
      scans: 2,
      battery: 87,
      firmware: "v1.3.1",
      profile: "profile_picking r6",
      lastLatency: 30,
      latencies: [200, 30],
      recent: [5000, 4000],
      // An event that arrives late does not move last seen back.
      lastSeen: 5000,
    });
    expect(t.total).toBe(2);
    expect(t.latest).toBe(5000);
  });

  it("starts empty for an event that says nothing but its serial", () => {
    const t = new DeviceTable();
    expect(t.add(bare({ device_serial: "S" }), 7)).toEqual({
      serial: "S",
      model: "",
      gateway: "",
      station: "",
      lastCode: "",
      symbology: "",
      scans: 1,
      firmware: "",
      profile: "",
      latencies: [],
      recent: [7],
      lastSeen: 7,
    });
  });

  it("groups events without a serial under (no serial)", () => {
    const t = new DeviceTable();
    t.add(bare(), 1);
    t.add(bare({ device_serial: 42 as unknown as string }), 2);
    expect([...t.rows.keys()]).toEqual(["(no serial)"]);
    expect(t.rows.get("(no serial)")!.scans).toBe(2);
  });

  it("takes the gateway id when the gateway has no name, and the name over the id", () => {
    const t = new DeviceTable();
    expect(t.add(bare({ device_serial: "A", gateway_id: "gw-7" }), 1).gateway).toBe("gw-7");
    expect(
      t.add(bare({ device_serial: "A", gateway_id: "gw-7", customer_gateway_name: "Dock" }), 2)
        .gateway,
    ).toBe("Dock");
    expect(t.add(bare({ device_serial: "A" }), 3).gateway).toBe("Dock");
  });

  it("shows a profile without its revision when the revision is missing", () => {
    const t = new DeviceTable();
    const row = t.add(bare({ device_serial: "A", configuration_profile_id: "p1" }), 1);
    expect(row.profile).toBe("p1");
    t.add(bare({ device_serial: "A", configuration_profile_revision: 9 }), 2);
    expect(row.profile).toBe("p1");
    t.add(
      bare({
        device_serial: "A",
        configuration_profile_id: "p2",
        configuration_profile_revision: 0,
      }),
      3,
    );
    expect(row.profile).toBe("p2 r0");
  });

  it("cuts stored text at 256 characters and codes at 4296, marking the cut", () => {
    const t = new DeviceTable();
    const long = (n: number) => "x".repeat(n);
    const whole = t.add(
      bare({
        device_serial: long(256),
        device_model: long(256),
        customer_gateway_name: long(256),
        customer_gateway_station: long(256),
        scan_code: long(4296),
        scan_decode_symbology: long(256),
        device_firmware: long(256),
        configuration_profile_id: long(256),
      }),
      1,
    );
    expect(whole.serial).toBe(long(256));
    for (const value of [whole.model, whole.gateway, whole.station, whole.symbology])
      expect(value).toBe(long(256));
    expect(whole.firmware).toBe(long(256));
    expect(whole.profile).toBe(long(256));
    expect(whole.lastCode).toBe(long(4296));
    const cut = t.add(
      bare({
        device_serial: long(257),
        device_model: long(300),
        customer_gateway_name: long(257),
        customer_gateway_station: long(257),
        scan_code: long(4297),
        scan_decode_symbology: long(257),
        device_firmware: long(257),
        configuration_profile_id: long(257),
        configuration_profile_revision: 2,
      }),
      2,
    );
    expect(cut.serial).toBe(`${long(256)}…`);
    for (const value of [cut.model, cut.gateway, cut.station, cut.symbology, cut.firmware])
      expect(value).toBe(`${long(256)}…`);
    expect(cut.profile).toBe(`${long(256)}… r2`);
    expect(cut.lastCode).toBe(`${long(4296)}…`);
    // Serials that differ only after the cut share a row.
    t.add(bare({ device_serial: `${long(256)}y` }), 3);
    expect(t.rows.size).toBe(2);
    expect(cut.scans).toBe(2);
  });

  it("keeps the last 200 latencies for the percentile", () => {
    const t = new DeviceTable();
    let row = t.add(bare({ device_serial: "A" }), 0);
    for (let i = 1; i <= 201; i++)
      row = t.add(bare({ device_serial: "A", time_created: 0, time_received: i }), i);
    expect(row.latencies).toHaveLength(200);
    expect(row.latencies[0]).toBe(2);
    expect(row.latencies.at(-1)).toBe(201);
    expect(row.lastLatency).toBe(201);
  });

  it("keeps the event times of the last minute, the one exactly a minute old included", () => {
    const t = new DeviceTable();
    for (const at of [0, 1000, 30_000, 61_000]) t.add(bare({ device_serial: "A" }), at);
    expect(t.rows.get("A")!.recent).toEqual([1000, 30_000, 61_000]);
    t.add(bare({ device_serial: "A" }), 90_000);
    expect(t.rows.get("A")!.recent).toEqual([30_000, 61_000, 90_000]);
  });

  it("keeps at most 10 000 event times however fast a device scans", () => {
    const t = new DeviceTable();
    for (let i = 0; i < 10_002; i++) t.add(bare({ device_serial: "A" }), 5000 + (i >> 4));
    const row = t.rows.get("A")!;
    expect(row.recent).toHaveLength(10_000);
    // The oldest go.
    expect(row.recent[0]).toBe(5000);
    expect(row.recent.at(-1)).toBe(5000 + (10_001 >> 4));
    expect(DeviceTable.perMinute(row, 6000)).toBe(10_000);
  });

  it("remembers the newest time of any device as the clock of a replay", () => {
    const t = new DeviceTable();
    t.add(bare({ device_serial: "A" }), 500);
    t.add(bare({ device_serial: "B" }), 900);
    t.add(bare({ device_serial: "A" }), 700);
    expect(t.latest).toBe(900);
    expect(t.total).toBe(3);
  });
});

describe("scans per minute", () => {
  it.each([
    [60_000, 4],
    [60_999, 4],
    [61_000, 3],
    [89_999, 3],
    [90_000, 2],
    [119_999, 1],
    [120_000, 0],
    [180_000, 0],
  ])("at %i → %i", (now, count) => {
    const t = new DeviceTable();
    for (const at of [1000, 30_000, 31_000, 60_000]) t.add(bare({ device_serial: "A" }), at);
    expect(DeviceTable.perMinute(t.rows.get("A")!, now)).toBe(count);
  });
  it("counts a scan from before `now` only within the minute before it", () => {
    const t = new DeviceTable();
    t.add(bare({ device_serial: "A" }), 0);
    t.add(bare({ device_serial: "A" }), 60_000);
    // Both are kept; a minute after the first, only the second is in the minute before.
    expect(DeviceTable.perMinute(t.rows.get("A")!, 59_999)).toBe(2);
    expect(DeviceTable.perMinute(t.rows.get("A")!, 60_000)).toBe(1);
  });
});

describe("latency p95", () => {
  const withLatencies = (latencies: number[]) => {
    const t = new DeviceTable();
    let row = t.add(bare({ device_serial: "A" }), 0);
    for (const l of latencies)
      row = t.add(bare({ device_serial: "A", time_created: 0, time_received: l }), 0);
    return row;
  };
  it.each([
    [[], undefined],
    [[70], 70],
    [[30, 10, 20], 30],
    // 20 samples: the 19th smallest.
    [Array.from({ length: 20 }, (_v, i) => 20 - i), 19],
    // 21 samples: ceil(19.95) = 20th smallest.
    [Array.from({ length: 21 }, (_v, i) => 21 - i), 20],
    [Array.from({ length: 100 }, (_v, i) => i + 1), 95],
    // Numerically, not as text: 9 < 100.
    [[9, 100, 8], 100],
  ] as const)("%j → %s", (latencies, p95) => {
    expect(DeviceTable.p95(withLatencies([...latencies]))).toBe(p95);
  });
  it("does not reorder the samples it keeps", () => {
    const row = withLatencies([3, 1, 2]);
    DeviceTable.p95(row);
    expect(row.latencies).toEqual([3, 1, 2]);
  });
});

describe("a fleet over 10 000 devices", () => {
  it("drops the thousand quietest devices, and only when a new one arrives", () => {
    const t = new DeviceTable();
    // Quiet order differs from arrival order: serial D<i> was last seen at 20000 - i.
    for (let i = 0; i < 10_000; i++) t.add(bare({ device_serial: `D${i}` }), 20_000 - i);
    expect(t.rows.size).toBe(10_000);
    t.add(bare({ device_serial: "D0" }), 30_000);
    expect(t.rows.size).toBe(10_000);
    t.add(bare({ device_serial: "NEW" }), 30_001);
    expect(t.rows.size).toBe(9001);
    expect(t.rows.has("NEW")).toBe(true);
    expect(t.rows.has("D8999")).toBe(true);
    expect(t.rows.has("D9000")).toBe(false);
    expect(t.rows.has("D9999")).toBe(false);
    expect(t.rows.has("D0")).toBe(true);
    expect(t.total).toBe(10_002);
  });
});

describe("sort orders", () => {
  const fleet = () => {
    const t = new DeviceTable();
    const add = (serial: string, at: number, o: Partial<ScanEvent> = {}) =>
      t.add(bare({ device_serial: serial, ...o }), at);
    add("b", 100, {
      customer_gateway_name: "G2",
      customer_gateway_station: "S1",
      device_battery: 40,
    });
    add("a", 300, {
      customer_gateway_name: "G2",
      customer_gateway_station: "S1",
      device_battery: 40,
    });
    add("c", 300, { customer_gateway_name: "G1", customer_gateway_station: "S9" });
    add("d", 200, {
      customer_gateway_name: "G2",
      customer_gateway_station: "S0",
      device_battery: 5,
    });
    add("e", 50, { time_created: 0, time_received: 900 });
    add("f", 60, { time_created: 0, time_received: 900 });
    add("f", 60, { time_created: 0, time_received: 10 });
    add("g", 70, { time_created: 0, time_received: 20 });
    return t;
  };
  it.each([
    // By gateway, then station, then serial; no gateway first.
    [undefined, "e f g c d a b"],
    ["serial", "a b c d e f g"],
    // Newest first, ties by serial.
    ["last-seen", "a c d b g f e"],
    // Lowest first, ties by serial, no battery last.
    ["battery", "d a b c e f g"],
    // Slowest p95 first, ties by serial, no latency last.
    ["latency", "e f g a b c d"],
    // Most first, ties by serial.
    ["scans", "f a b c d e g"],
  ] as const)("%s → %s", (by, serials) => {
    expect(
      fleet()
        .sorted(by)
        .map((r) => r.serial)
        .join(" "),
    ).toBe(serials);
  });
});

/** Three devices seen 6 minutes, 90 seconds and 2 seconds before NOW. */
function fleetRenderer(o: Partial<FormatOptions> = {}) {
  let now = NOW - 6 * 60_000;
  const r = createRenderer(options({ isTTY: true, rows: 10, now: () => now, ...o }));
  for (let i = 0; i < 3; i++)
    r.render(
      bare({
        device_serial: "MDSR152326113",
        customer_gateway_station: "Pack 3",
        scan_code: `X${i}`,
      }),
      "",
    );
  now = NOW - 90_000;
  r.render(
    bare({
      device_serial: "M2SR121103132",
      device_model: "MARK 2",
      customer_gateway_station: "Picking Zone A",
      customer_gateway_name: "Gateway 1",
      scan_code: "4006381333931",
      scan_decode_symbology: "EAN-13",
      device_battery: 87,
      device_firmware: "v1.3.1",
      configuration_profile_id: "picking",
      configuration_profile_revision: 6,
      time_created: 1000,
      time_received: 1200,
    }),
    "",
  );
  now = NOW - 2000;
  r.render(
    bare({
      device_serial: "M3AR136557238",
      device_model: "MARK 3",
      customer_gateway_station: "Wareneingang Halle Nord, Rampe 17",
      customer_gateway_name: "Inbound Gateway 2",
      scan_code: "01040063810000031729110510ABC123XYZ21SERIAL99",
      scan_decode_symbology: "GS1 DataMatrix",
      device_battery: 12,
      device_firmware: "v2.0.0",
      configuration_profile_id: "inbound_cold_storage",
      configuration_profile_revision: 12,
      time_created: 1000,
      time_received: 7000,
    }),
    "",
  );
  now = NOW;
  return {
    r,
    at: (ms: number) => {
      now = ms;
    },
  };
}
const screen = (out: string) => strip(out).split("\n");

describe("the devices view fitted to a terminal", () => {
  // Columns drop and shrink in a set order as the terminal narrows; every line is at
  // most columns - 1 cells wide, so nothing wraps.
  it.each([
    [
      200,
      [
        "scantail devices  3 devices, 5 scans, 2 quiet > 1m  09:05:03 · Ctrl-C to quit",
        "SERIAL        MODEL  STATION / GATEWAY                                     LAST CODE                         SYMBOLOGY      SCANS /MIN BATT FIRMWARE PROFILE                  LATENCY LAT P95 LAST SEEN",
        "MDSR152326113        Pack 3                                                X2                                                   3    0                                                           6m ago",
        "M2SR121103132 MARK 2 Picking Zone A / Gateway 1                            4006381333931                     EAN-13             1    0  87% v1.3.1   picking r6                 200ms   200ms    1m ago",
        "M3AR136557238 MARK 3 Wareneingang Halle Nord, Rampe 17 / Inbound Gateway 2 01040063810000031729110510ABC123… GS1 DataMatrix     1    1  12% v2.0.0   inbound_cold_storage r12    6.0s    6.0s    2s ago",
      ],
    ],
    [
      150,
      [
        "scantail devices  3 devices, 5 scans, 2 quiet > 1m  09:05:03 · Ctrl-C to quit",
        "SERIAL        MODEL  STATION / GATEWAY                                     LAST CODE                 SYMBOLOGY      SCANS /MIN BATT LATENCY LAST SEEN",
        "MDSR152326113        Pack 3                                                X2                                           3    0                 6m ago",
        "M2SR121103132 MARK 2 Picking Zone A / Gateway 1                            4006381333931             EAN-13             1    0  87%   200ms    1m ago",
        "M3AR136557238 MARK 3 Wareneingang Halle Nord, Rampe 17 / Inbound Gateway 2 010400638100000317291105… GS1 DataMatrix     1    1  12%    6.0s    2s ago",
      ],
    ],
    [
      140,
      [
        "scantail devices  3 devices, 5 scans, 2 quiet > 1m  09:05:03 · Ctrl-C to quit",
        "SERIAL        STATION / GATEWAY                                     LAST CODE              SYMBOLOGY      SCANS /MIN BATT LATENCY LAST SEEN",
        "MDSR152326113 Pack 3                                                X2                                        3    0                 6m ago",
        "M2SR121103132 Picking Zone A / Gateway 1                            4006381333931          EAN-13             1    0  87%   200ms    1m ago",
        "M3AR136557238 Wareneingang Halle Nord, Rampe 17 / Inbound Gateway 2 010400638100000317291… GS1 DataMatrix     1    1  12%    6.0s    2s ago",
      ],
    ],
    [
      120,
      [
        "scantail devices  3 devices, 5 scans, 2 quiet > 1m  09:05:03 · Ctrl-C to quit",
        "SERIAL        STATION / GATEWAY                              LAST CODE            SYMBOLO… SCANS BATT LATENCY LAST SEEN",
        "MDSR152326113 Pack 3                                         X2                                3                 6m ago",
        "M2SR121103132 Picking Zone A / Gateway 1                     4006381333931        EAN-13       1  87%   200ms    1m ago",
        "M3AR136557238 Wareneingang Halle Nord, Rampe 17 / Inbound G… 0104006381000003172… GS1 Dat…     1  12%    6.0s    2s ago",
      ],
    ],
    [
      90,
      [
        "scantail devices  3 devices, 5 scans, 2 quiet > 1m  09:05:03 · Ctrl-C to quit",
        "SERIAL        STATION / GATEW… LAST CODE            SYMBOLO… SCANS BATT LATENCY LAST SEEN",
        "MDSR152326113 Pack 3           X2                                3                 6m ago",
        "M2SR121103132 Picking Zone A … 4006381333931        EAN-13       1  87%   200ms    1m ago",
        "M3AR136557238 Wareneingang Ha… 0104006381000003172… GS1 Dat…     1  12%    6.0s    2s ago",
      ],
    ],
    [
      80,
      [
        "scantail devices  3 devices, 5 scans, 2 quiet > 1m  09:05:03 · Ctrl-C to quit",
        "SERIAL        STATION / GATEW… LAST CODE                   SCANS BATT LAST SEEN",
        "MDSR152326113 Pack 3           X2                              3         6m ago",
        "M2SR121103132 Picking Zone A … 4006381333931                   1  87%    1m ago",
        "M3AR136557238 Wareneingang Ha… 01040063810000031729110510…     1  12%    2s ago",
      ],
    ],
    [
      70,
      [
        "3 devices, 5 scans, 2 quiet  09:05:03 · Ctrl-C quits",
        "SERIAL        STATION / GA… LAST CODE            SCANS BATT LAST SEEN",
        "MDSR152326113 Pack 3        X2                       3         6m ago",
        "M2SR121103132 Picking Zone… 4006381333931            1  87%    1m ago",
        "M3AR136557238 Wareneingang… 0104006381000003172…     1  12%    2s ago",
      ],
    ],
    [
      60,
      [
        "3 devices, 5 scans, 2 quiet  09:05:03 · Ctrl-C quits",
        "SERIAL        STATION /… LAST CODE                LAST SEEN",
        "MDSR152326113 Pack 3     X2                          6m ago",
        "M2SR121103132 Picking Z… 4006381333931               1m ago",
        "M3AR136557238 Wareneing… 01040063810000031729110…    2s ago",
      ],
    ],
    [
      45,
      [
        "3 devices, 5 scans, 2 quiet",
        "SERIAL        STATION /… LAST CODE LAST SEEN",
        "MDSR152326113 Pack 3     X2           6m ago",
        "M2SR121103132 Picking Z… 40063813…    1m ago",
        "M3AR136557238 Wareneing… 01040063…    2s ago",
      ],
    ],
    [
      40,
      [
        "3 devices, 5 scans, 2 quiet",
        "SERIAL        STATI… LAST CO… LAST SEEN",
        "MDSR152326113 Pack 3 X2          6m ago",
        "M2SR121103132 Picki… 4006381…    1m ago",
        "M3AR136557238 Waren… 0104006…    2s ago",
      ],
    ],
    [
      35,
      [
        "3 devices, 5 scans, 2 quiet",
        "SERIAL        STA… LAST CODE",
        "MDSR152326113 Pac… X2",
        "M2SR121103132 Pic… 4006381333931",
        "M3AR136557238 War… 01040063810000…",
      ],
    ],
    [
      25,
      [
        "3 devices, 5 scans, 2 q…",
        "SERIAL     STA… LAST CO…",
        "MDSR15232… Pac… X2",
        "M2SR12110… Pic… 4006381…",
        "M3AR13655… War… 0104006…",
      ],
    ],
    [
      20,
      [
        "3 devices, 5 scans…",
        "SERIAL STA… LAST C…",
        "MDSR1… Pac… X2",
        "M2SR1… Pic… 400638…",
        "M3AR1… War… 010400…",
      ],
    ],
  ] as const)("%i columns", (columns, lines) => {
    const { r } = fleetRenderer({ columns });
    expect(screen(r.tick!())).toEqual(lines);
    // The table left on the normal screen at the end has the same fitted rows.
    expect(screen(r.finish!())).toEqual([...lines.slice(1), ""]);
  });
});

describe("a pane only a few cells wide", () => {
  // Even then no line is wider than the pane: columns go from the right, the last is cut.
  it.each([
    [14, ["2 devices, 2…", "SERIAL STA… …", "MDSR1…      X", "M2SR1… Pac… …"]],
    [13, ["2 devices, …", "SERIAL STA…", "MDSR1…", "M2SR1… Pac…"]],
    [11, ["2 devices…", "SERIAL", "MDSR1…", "M2SR1…"]],
    [7, ["2 dev…", "SERIAL", "MDSR1…", "M2SR1…"]],
    [6, ["2 de…", "SERI…", "MDSR…", "M2SR…"]],
    [2, ["…", "…", "…", "…"]],
    [1, ["", "", "", ""]],
  ] as const)("%i columns", (columns, lines) => {
    const r = createRenderer(options({ isTTY: true, columns, rows: 6 }));
    r.render(
      bare({
        device_serial: "M2SR121103132",
        customer_gateway_station: "Pack 3",
        scan_code: "4006381333931",
      }),
      "",
    );
    r.render(bare({ device_serial: "MDSR152326113", scan_code: "X" }), "");
    expect(screen(r.tick!())).toEqual(lines);
  });
});

describe("the title line", () => {
  const titleOf = (o: Partial<FormatOptions>, events: number, serials = ["A"]) => {
    const r = createRenderer(options({ isTTY: true, ...o }));
    for (let i = 0; i < events; i++)
      r.render(bare({ device_serial: serials[i % serials.length]! }), "");
    return screen(r.tick!())[0];
  };
  it.each([
    [{}, 1, "scantail devices  1 device, 1 scans  09:05:03 · Ctrl-C to quit"],
    [{}, 4, "scantail devices  2 devices, 4 scans  09:05:03 · Ctrl-C to quit", ["A", "B"]],
    [{ quitKey: true }, 1, "scantail devices  1 device, 1 scans  09:05:03 · q or Ctrl-C to quit"],
    // Each variant at the exact width that holds it, and one cell less.
    [{ columns: 63 }, 1, "scantail devices  1 device, 1 scans  09:05:03 · Ctrl-C to quit"],
    [{ columns: 62 }, 1, "scantail devices  1 device, 1 scans  09:05:03 · Ctrl-C quits"],
    [{ columns: 61 }, 1, "scantail devices  1 device, 1 scans  09:05:03 · Ctrl-C quits"],
    [{ columns: 61, quitKey: true }, 1, "scantail devices  1 device, 1 scans  09:05:03 · q quits"],
    [{ columns: 56, quitKey: true }, 1, "scantail devices  1 device, 1 scans  09:05:03 · q quits"],
    [{ columns: 55, quitKey: true }, 1, "1 device, 1 scans  09:05:03 · q quits"],
    [{ columns: 60 }, 1, "1 device, 1 scans  09:05:03 · Ctrl-C quits"],
    [{ columns: 43 }, 1, "1 device, 1 scans  09:05:03 · Ctrl-C quits"],
    [{ columns: 42 }, 1, "1 device, 1 scans"],
    [{ columns: 18 }, 1, "1 device, 1 scans"],
    [{ columns: 17 }, 1, "1 device, 1 sca…"],
  ] as Array<[Partial<FormatOptions>, number, string, string[]?]>)(
    "%j, %i events → %s",
    (o, events, line, serials = ["A"]) => {
      expect(titleOf(o, events, serials)).toBe(line);
    },
  );

  it("counts devices quiet for more than a minute", () => {
    let now = NOW;
    const r = createRenderer(options({ isTTY: true, now: () => now }));
    r.render(bare({ device_serial: "A" }), "");
    r.render(bare({ device_serial: "B" }), "");
    now = NOW + 60_000;
    r.render(bare({ device_serial: "C" }), "");
    expect(screen(r.tick!())[0]).toBe(
      "scantail devices  3 devices, 3 scans  09:06:03 · Ctrl-C to quit",
    );
    now = NOW + 60_001;
    expect(screen(r.tick!())[0]).toBe("");
    now = NOW + 61_001;
    expect(screen(r.tick!())[0]).toBe(
      "scantail devices  3 devices, 3 scans, 2 quiet > 1m  09:06:04 · Ctrl-C to quit",
    );
  });
});

describe("colour on a terminal", () => {
  const c = new Chalk({ level: 1 });
  it("styles the header, the title parts and each cell by what it says", () => {
    const { r } = fleetRenderer({ chalk: c, columns: 80 });
    const [title, header, pack, picking, inbound] = r.tick!().split("\n");
    expect(title).toBe(
      `\u001b[?1049h\u001b[?25l\u001b[H${c.bold("scantail devices  ")}3 devices, 5 scans${c.yellow(", 2 quiet > 1m")}${c.dim("  09:05:03 · Ctrl-C to quit")}\u001b[K`,
    );
    expect(header).toBe(
      `${c.bold.underline("SERIAL        STATION / GATEW… LAST CODE                   SCANS BATT LAST SEEN")}\u001b[K`,
    );
    const serial = (s: string) => serialColor(c, s)(s);
    // Blank cells are not styled; padding stays outside the styles.
    expect(pack).toBe(
      `${serial("MDSR152326113")} Pack 3           ${c.bold("X2")}                              3         ${c.red("6m ago")}\u001b[K`,
    );
    expect(picking).toBe(
      `${serial("M2SR121103132")} Picking Zone A … ${c.bold("4006381333931")}                   1  ${c.dim("87%")}    ${c.dim("1m ago")}\u001b[K`,
    );
    expect(inbound).toBe(
      `${serial("M3AR136557238")} Wareneingang Ha… ${c.bold("01040063810000031729110510…")}     1  ${c.red.bold("12%")}    2s ago\u001b[K\u001b[J`,
    );
  });
  it("colours latency by how slow it is", () => {
    const r = createRenderer(options({ isTTY: true, chalk: c }));
    r.render(bare({ device_serial: "A", time_created: 0, time_received: 200 }), "");
    r.render(bare({ device_serial: "B", time_created: 0, time_received: 1500 }), "");
    const lines = r.tick!().split("\n");
    expect(lines[2]).toContain(`   ${c.dim("200ms")}   ${c.dim("200ms")}  just now`);
    expect(lines[3]).toContain(`    ${c.yellow("1.5s")}    ${c.yellow("1.5s")}  just now`);
  });
  it("dims a device quiet for over a minute and reddens one quiet for over five", () => {
    let now = NOW;
    const r = createRenderer(options({ isTTY: true, chalk: c, columns: 40, now: () => now }));
    for (const [serial, quiet] of [
      ["A", 60_000],
      ["B", 60_001],
      ["C", 300_000],
      ["D", 300_001],
    ] as const) {
      now = NOW - quiet;
      r.render(bare({ device_serial: serial }), "");
    }
    now = NOW;
    const rows = r.tick!().split("\n").slice(2);
    expect(rows[0]).toMatch(/ 1m ago\u001b\[K$/);
    expect(rows[1]).toMatch(new RegExp(` ${escapeRegExp(c.dim("1m ago"))}\u001b\\[K$`));
    expect(rows[2]).toMatch(new RegExp(` ${escapeRegExp(c.dim("5m ago"))}\u001b\\[K$`));
    expect(rows[3]).toMatch(new RegExp(` ${escapeRegExp(c.red("5m ago"))}\u001b\\[K\u001b\\[J$`));
  });
  it("styles the shorter titles and the line about devices that do not fit", () => {
    const r = createRenderer(options({ isTTY: true, chalk: c, columns: 45, rows: 3 }));
    r.render(bare({ device_serial: "A" }), "");
    r.render(bare({ device_serial: "B" }), "");
    const [title, , more] = r.tick!().split("\n");
    expect(title).toBe(
      `\u001b[?1049h\u001b[?25l\u001b[H2 devices, 2 scans${c.dim("  09:05:03 · Ctrl-C quits")}\u001b[K`,
    );
    expect(more).toBe(`${c.dim("… and 2 more devices (enlarge the terminal …")}\u001b[K\u001b[J`);
    let now = NOW;
    const quiet = createRenderer(options({ isTTY: true, chalk: c, columns: 60, now: () => now }));
    quiet.render(bare({ device_serial: "A" }), "");
    now = NOW + 61_000;
    expect(quiet.tick!().split("\n")[0]).toBe(
      `\u001b[?1049h\u001b[?25l\u001b[H1 device, 1 scans${c.yellow(", 1 quiet")}${c.dim("  09:06:04 · Ctrl-C quits")}\u001b[K`,
    );
    const narrow = createRenderer(options({ isTTY: true, chalk: c, columns: 30, now: () => now }));
    narrow.render(bare({ device_serial: "A" }), "");
    now = NOW + 122_000;
    expect(narrow.tick!().split("\n")[0]).toBe(
      `\u001b[?1049h\u001b[?25l\u001b[H1 device, 1 scans${c.yellow(", 1 quiet")}\u001b[K`,
    );
  });
  it("leaves a blank value unstyled", () => {
    const r = createRenderer(options({ chalk: c }));
    r.render(bare({ device_serial: "A", scan_code: "   " }), "");
    r.render(bare({ device_serial: "B", scan_code: "X" }), "");
    const [, a, b] = r.finish!().split("\n");
    expect(a).not.toContain(c.bold("   "));
    expect(b).toContain(c.bold("X"));
  });
  it("sends no escape codes besides the screen's own without colour", () => {
    const { r } = fleetRenderer({ columns: 80 });
    expect(r.tick!().replace(/\u001b\[(\?1049h|\?25l|H|K|J)/g, "")).not.toContain("\u001b");
  });
});

describe("redrawing in place", () => {
  const ON = "\u001b[?1049h\u001b[?25l";
  const OFF = "\u001b[?25h\u001b[?1049l";
  it("enters the alternate screen once, redraws on change or each second, and leaves the table at the end", () => {
    let now = NOW;
    const restores: Array<string | undefined> = [];
    const r = createRenderer(
      options({
        isTTY: true,
        columns: 40,
        now: () => now,
        setTerminalRestore: (s) => restores.push(s),
      }),
    );
    expect(r.tickInterval).toBe(250);
    expect(r.render(bare({ device_serial: "A", scan_code: "C1" }), "")).toBe("");
    expect(restores).toEqual([]);
    const first = [
      "1 device, 1 scans",
      "SERIAL STATION / G… LAST CODE LAST SEEN",
      "A                   C1         just now",
    ];
    expect(r.tick!()).toBe(`${ON}\u001b[H${first.join("\u001b[K\n")}\u001b[K\u001b[J`);
    expect(restores).toEqual([OFF]);
    // Nothing new within the second: nothing to draw.
    now = NOW + 999;
    expect(r.tick!()).toBe("");
    now = NOW + 1000;
    expect(r.tick!()).toBe(
      `\u001b[H${[...first.slice(0, 2), "A                   C1           1s ago"].join("\u001b[K\n")}\u001b[K\u001b[J`,
    );
    now = NOW + 1500;
    r.render(bare({ device_serial: "B", scan_code: "C2" }), "");
    expect(screen(r.tick!())).toEqual([
      "2 devices, 2 scans",
      "SERIAL STATION / G… LAST CODE LAST SEEN",
      "A                   C1           1s ago",
      "B                   C2         just now",
    ]);
    // A resize redraws at once at the new size.
    r.resize!(30, 4);
    expect(screen(r.tick!())).toEqual([
      "2 devices, 2 scans",
      "SERIAL STATION / G… LAST CODE",
      "A                   C1",
      "B                   C2",
    ]);
    r.resize!(30, 3);
    expect(screen(r.tick!())).toEqual([
      "2 devices, 2 scans",
      "SERIAL STATION / G… LAST CODE",
      "… and 2 more devices (enlarg…",
    ]);
    expect(r.finish!()).toBe(
      `${OFF}SERIAL STATION / G… LAST CODE\nA                   C1\nB                   C2\n`,
    );
    expect(restores).toEqual([OFF, undefined]);
  });

  it("never drawn: the end prints the table without leaving a screen it never entered", () => {
    const restores: Array<string | undefined> = [];
    const r = createRenderer(
      options({ isTTY: true, columns: 40, setTerminalRestore: (s) => restores.push(s) }),
    );
    r.render(bare({ device_serial: "A", scan_code: "C1" }), "");
    expect(r.finish!()).toBe(
      "SERIAL STATION / G… LAST CODE LAST SEEN\nA                   C1         just now\n",
    );
    expect(restores).toEqual([]);
  });

  it("prints nothing at the end when no event came", () => {
    const r = createRenderer(options({ isTTY: true, columns: 40 }));
    expect(screen(r.tick!())).toEqual([
      "0 devices, 0 scans",
      "SERIAL STATION / G… LAST CODE LAST SEEN",
    ]);
    expect(r.finish!()).toBe(OFF);
    expect(createRenderer(options()).finish!()).toBe("");
  });

  it("shows as many devices as the screen holds and says how many more there are", () => {
    const fleet = (n: number, rows: number) => {
      const r = createRenderer(options({ isTTY: true, columns: 40, rows }));
      for (let i = 0; i < n; i++) r.render(bare({ device_serial: `D${i}` }), "");
      return screen(r.tick!()).slice(1);
    };
    const header = "SERIAL STATION / G… LAST CODE LAST SEEN";
    const row = (i: number) => `D${i}                             just now`;
    // 6 rows: the title, the header and four lines.
    expect(fleet(4, 6)).toEqual([header, row(0), row(1), row(2), row(3)]);
    expect(fleet(5, 6)).toEqual([
      header,
      row(0),
      row(1),
      row(2),
      "… and 2 more devices (enlarge the term…",
    ]);
    // A terminal of one or two rows still shows a row.
    expect(fleet(3, 1)).toEqual([header, "… and 3 more devices (enlarge the term…"]);
    expect(fleet(3, 3)).toEqual([header, "… and 3 more devices (enlarge the term…"]);
    expect(fleet(3, 4)).toEqual([header, row(0), "… and 2 more devices (enlarge the term…"]);
  });
});

describe("--wide on a terminal", () => {
  // Every column at its full width: the header alone is 109 cells.
  const wide = (columns: number, rows: number, code = "C") => {
    const r = createRenderer(options({ isTTY: true, wide: true, columns, rows }));
    for (const serial of ["A", "B", "C"])
      r.render(bare({ device_serial: serial, scan_code: code }), "");
    return r;
  };
  const header =
    "SERIAL MODEL STATION / GATEWAY LAST CODE SYMBOLOGY SCANS /MIN BATT FIRMWARE PROFILE LATENCY LAT P95 LAST SEEN";
  const row = (serial: string) =>
    `${serial}${" ".repeat(30)}C${" ".repeat(23)}1    1${" ".repeat(40)}just now`;
  it("stops before the row that would not fit", () => {
    expect(screen(wide(110, 5).tick!())).toEqual([
      "scantail devices  3 devices, 3 scans  09:05:03 · Ctrl-C to quit",
      header,
      row("A"),
      row("B"),
    ]);
  });
  it("counts the rows a wrapped line takes", () => {
    // At 108 columns each line takes two rows: the title, the header and one device fill five.
    expect(screen(wide(108, 6).tick!())).toEqual([
      "scantail devices  3 devices, 3 scans  09:05:03 · Ctrl-C to quit",
      header,
      row("A"),
    ]);
    expect(screen(wide(108, 5).tick!())).toEqual([
      "scantail devices  3 devices, 3 scans  09:05:03 · Ctrl-C to quit",
      header,
    ]);
    // And the final table is whole.
    expect(screen(wide(30, 4, "C".repeat(40)).finish!())).toHaveLength(5);
  });
});

describe("the clock of the view", () => {
  it("live: a device was last seen when its event arrived here", () => {
    let now = NOW;
    const r = createRenderer(options({ isTTY: true, columns: 40, now: () => now }));
    r.render(bare({ device_serial: "A", time_received: NOW - 3_600_000 }), "");
    now = NOW + 5000;
    expect(screen(r.tick!())[2]).toBe("A                                5s ago");
  });
  it("replay: by the event's time received, else its time created, and the clock is the newest event", () => {
    let now = NOW + 86_400_000;
    const r = createRenderer(options({ isTTY: true, live: false, columns: 40, now: () => now }));
    r.render(bare({ device_serial: "A", time_received: NOW - 120_000, time_created: 0 }), "");
    r.render(bare({ device_serial: "B", time_created: NOW - 30_000 }), "");
    r.render(bare({ device_serial: "C", time_received: NOW }), "");
    expect(screen(r.tick!())).toEqual([
      "3 devices, 3 scans, 1 quiet",
      "SERIAL STATION / G… LAST CODE LAST SEEN",
      "A                                2m ago",
      "B                               30s ago",
      "C                              just now",
    ]);
    // An event without times counts at the wall clock, which then is the newest.
    r.render(bare({ device_serial: "D" }), "");
    now += 1;
    expect(screen(r.tick!()).slice(2, 6)).toEqual([
      "A                                1d ago",
      "B                                1d ago",
      "C                                1d ago",
      "D                              just now",
    ]);
  });
  it("off a terminal, rows are whole and times come from the events", () => {
    const r = createRenderer(options({ columns: 20, now: () => NOW + 10_000 }));
    r.render(bare({ device_serial: "A", time_received: NOW, scan_code: "C".repeat(30) }), "");
    r.render(bare({ device_serial: "B", time_created: NOW - 5000 }), "");
    r.render(bare({ device_serial: "C" }), "");
    const out = r.finish!();
    expect(out.split("\n").map((l) => l.replace(/ {2,}/g, "|"))).toEqual([
      "SERIAL MODEL STATION / GATEWAY LAST CODE|SYMBOLOGY SCANS /MIN BATT FIRMWARE PROFILE LATENCY LAT P95 LAST SEEN",
      // Scans in the minute before the wall clock.
      `A|${"C".repeat(30)}|1|1|10s ago`,
      "B|1|1|15s ago",
      "C|1|1|just now",
      "",
    ]);
  });
});

describe("fitting columns to a width", () => {
  const where = ["SERIAL", "STATION / GATEWAY", "LAST SEEN"];
  const code = ["SERIAL", "LAST CODE", "LAST SEEN"];
  it.each([
    // Without a code column the station gives way first, down to what the width needs.
    [where, [13, 30, 9], 54, [0, 1, 2], [13, 30, 9]],
    [where, [13, 30, 9], 40, [0, 1, 2], [13, 16, 9]],
    [where, [13, 30, 9], 30, [0, 1, 2], [13, 6, 9]],
    // Last seen goes; the room it leaves goes back to the station.
    [where, [13, 30, 9], 20, [0, 1], [13, 6]],
    [where, [13, 30, 9], 10, [0], [6]],
    // A long code counts as 20 cells while columns give way, then takes what is left.
    [code, [13, 40, 9], 64, [0, 1, 2], [13, 40, 9]],
    [code, [13, 40, 9], 50, [0, 1, 2], [13, 26, 9]],
    [code, [13, 40, 9], 44, [0, 1, 2], [13, 20, 9]],
    [code, [13, 40, 9], 41, [0, 1, 2], [13, 17, 9]],
    [code, [13, 40, 9], 40, [0, 1, 2], [13, 16, 9]],
    [code, [13, 40, 9], 30, [0, 1], [13, 16]],
    // A very narrow terminal: the serial down to 6, then the code gives up the rest, then
    // columns go from the right and the serial is cut to the width.
    [code, [13, 40, 9], 10, [0, 1], [6, 3]],
    [code, [13, 40, 9], 8, [0, 1], [6, 1]],
    [code, [13, 40, 9], 7, [0], [6]],
    [code, [13, 40, 9], 5, [0], [5]],
    // A short code cut to 8 gets its room back, and no more, when a drop frees it.
    [code, [13, 10, 9], 25, [0, 1], [13, 10]],
    // The symbology, cut to 8, grows back to its whole value with room to spare.
    [["SERIAL", "SYMBOLOGY", "/MIN"], [13, 10, 4], 25, [0, 1], [13, 10]],
    [["SERIAL", "SYMBOLOGY", "/MIN"], [13, 14, 4], 25, [0, 1], [13, 11]],
    // The room a drop frees goes to the code first, then to the station.
    [
      ["SERIAL", "STATION / GATEWAY", "LAST CODE", "LAST SEEN"],
      [13, 30, 10, 9],
      30,
      [0, 1, 2],
      [13, 5, 10],
    ],
    // Wherever the code column is, even first; likewise a column that grows back.
    [["SYMBOLOGY", "SERIAL", "/MIN"], [14, 13, 4], 25, [0, 1], [11, 13]],
    [["LAST CODE", "SERIAL", "LAST SEEN"], [40, 13, 9], 30, [0, 1], [16, 13]],
    [["LAST CODE", "SERIAL"], [40, 13], 10, [0, 1], [3, 6]],
  ] as const)("%j %j in %i → kept %j, widths %j", (headers, natural, total, kept, widths) => {
    expect(fitDeviceColumns([...headers], [...natural], total)).toEqual({ kept, widths });
  });
  it("leaves the natural widths it was given alone", () => {
    const natural = [13, 40, 9];
    fitDeviceColumns(code, natural, 30);
    expect(natural).toEqual([13, 40, 9]);
  });
});
