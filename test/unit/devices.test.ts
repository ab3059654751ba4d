import stringWidth from "string-width";
import { beforeAll, describe, expect, it } from "vitest";
import { planOutput } from "../../src/commands/output-options.js";
import type { ScanEvent } from "../../src/events/event.js";
import { createRenderer, DeviceTable, fitDeviceColumns } from "../../src/format/devices.js";
import { loadTextWidth, type TextWidth } from "../../src/format/text-width.js";
import { formatOptions } from "../helpers/format.js";

let text: TextWidth;
beforeAll(async () => {
  text = await loadTextWidth();
});

// 15:04:05 local time: a 12-hour clock would show 3:04:05 PM.
const NOW = new Date(2026, 10, 26, 15, 4, 5).getTime();
const options = formatOptions(
  { columns: 120, rows: 30, time: "local", now: () => NOW },
  () => text,
);
const ev = (o: Partial<ScanEvent> = {}): ScanEvent => ({
  event_type: "scan",
  event_id: "e",
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

const LONG_CODE = `0104006381000003172911051012345678901234${"\u001d"}21ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`;
const LONG_STATION = "Wareneingang Halle Nord, Rampe 17 (Kühlbereich)";
const LONG_GATEWAY = "Inbound Gateway Kühlhaus Nord-Ost 2 条码站";
const LONG_PROFILE = "profile_inbound_cold_storage_with_very_long_name";
const longFleet = (): ScanEvent[] => [
  ev({
    device_serial: "M3AR136557238",
    scan_code: LONG_CODE,
    customer_gateway_station: LONG_STATION,
    customer_gateway_name: LONG_GATEWAY,
    configuration_profile_id: LONG_PROFILE,
  }),
  ev({ device_serial: "MDSR152326113", scan_code: "条码条码条码条码", device_battery: 12 }),
  ev({ device_serial: "M2SR233398079", scan_code: "00340123450000000018" }),
  ev({ device_serial: "M2SR233398080" }),
];
const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "");
const screenLines = (screen: string) => strip(screen).split("\n");

describe("devices view off a terminal", () => {
  it("prints every value whole, however long, whatever COLUMNS says", () => {
    for (const columns of [60, 80, 120]) {
      const r = createRenderer(options({ columns }));
      for (const e of longFleet()) r.render(e, "");
      const out = r.finish!();
      expect(out).not.toContain("…");
      expect(out).toContain("\\x1d21ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
      expect(out).toContain(`${LONG_STATION} / ${LONG_GATEWAY}`);
      expect(out).toContain(`${LONG_PROFILE} r6`);
      expect(out).toContain("条码条码条码条码");
      const [header, ...rows] = out.trimEnd().split("\n");
      // Aligned: LAST SEEN's right edge is the same on every line.
      for (const row of rows) expect(stringWidth(row!)).toBe(stringWidth(header!));
    }
  });
});

describe("devices view of a recording", () => {
  it("tells last seen by the newest event, not by the wall clock", () => {
    const r = createRenderer(options({ live: false, now: () => NOW + 200 * 86_400_000 }));
    r.render(ev({ device_serial: "OLD", time_received: NOW - 5 * 60_000 }), "");
    r.render(ev({ device_serial: "NEW", time_received: NOW }), "");
    const rows = r.finish!().split("\n");
    expect(rows.find((l) => l.startsWith("OLD"))).toMatch(/5m ago$/);
    expect(rows.find((l) => l.startsWith("NEW"))).toMatch(/just now$/);
  });
});

describe("devices view on a terminal", () => {
  it.each([60, 80, 120])("fits %i columns: title and rows never wrap", (columns) => {
    const r = createRenderer(options({ isTTY: true, columns, rows: 10 }));
    for (const e of longFleet()) r.render(e, "");
    const lines = screenLines(r.tick!());
    expect(lines[0]).toMatch(/^(scantail devices {2})?4 devices, 4 scans/);
    for (const line of lines) expect(stringWidth(line)).toBeLessThan(columns);
    expect(lines[1]).toMatch(/^SERIAL\s+STATION/);
    // An EAN-13 and an SSCC with its AI are never cut; serials neither.
    expect(lines.join("\n")).toContain("4006381333931");
    expect(lines.join("\n")).toContain("00340123450000000018");
    expect(lines.join("\n")).toContain("M3AR136557238");
    const final = screenLines(r.finish!());
    for (const line of final) expect(stringWidth(line)).toBeLessThan(columns);
  });

  it("keeps the station and gateway whole at 120 columns when they fit", () => {
    const r = createRenderer(options({ isTTY: true, columns: 120 }));
    r.render(
      ev({
        customer_gateway_name: "Inbound Gateway 1",
        customer_gateway_station: "Inbound Dock 1",
      }),
      "",
    );
    const screen = strip(r.tick!());
    expect(screen).toContain("Inbound Dock 1 / Inbound Gateway 1");
    expect(screen).not.toContain("…");
  });

  it("says what the latency columns show and uses a 24-hour clock in the title", () => {
    const r = createRenderer(options({ isTTY: true, columns: 200, quitKey: true }));
    for (let i = 0; i < 20; i++)
      r.render(
        ev({ time_created: NOW - 1000, time_received: NOW - 1000 + (i === 19 ? 50 : 400) }),
        "",
      );
    const lines = screenLines(r.tick!());
    expect(lines[0]).toContain("15:04:05");
    expect(lines[0]).not.toMatch(/[AP]M/);
    expect(lines[0]).toContain("q or Ctrl-C to quit");
    // Without keys from a terminal (stdin is a pipe) only Ctrl-C quits: say so.
    const piped = createRenderer(options({ isTTY: true, columns: 200 }));
    piped.render(ev(), "");
    expect(strip(piped.tick!())).toContain("· Ctrl-C to quit");
    const header = lines[1]!;
    expect(header).toMatch(/LATENCY\s+LAT P95/);
    // The last latency (50 ms) under LATENCY, the 95th percentile (400 ms) under LAT P95.
    const row = lines[2]!;
    const cellUnder = (name: string) => {
      const end = header.indexOf(name) + name.length;
      return row.slice(0, end).trimEnd().split(/\s+/).at(-1);
    };
    expect(cellUnder("LATENCY")).toBe("50ms");
    expect(cellUnder("LAT P95")).toBe("400ms");
  });

  it("--wide prints whole values on a terminal", () => {
    const r = createRenderer(options({ isTTY: true, wide: true, columns: 60, rows: 40 }));
    for (const e of longFleet()) r.render(e, "");
    const final = r.finish!();
    expect(final).toContain(`${LONG_STATION} / ${LONG_GATEWAY}`);
    expect(final).not.toContain("…");
  });
});

describe("--sort", () => {
  const table = () => {
    const t = new DeviceTable();
    t.add(ev({ device_serial: "B", device_battery: 50, customer_gateway_station: "Z" }), 1000);
    t.add(ev({ device_serial: "A", device_battery: 90, customer_gateway_station: "Z" }), 3000);
    t.add(ev({ device_serial: "A", device_battery: 90, customer_gateway_station: "Z" }), 3000);
    t.add(ev({ device_serial: "C", device_battery: 10, customer_gateway_station: "Y" }), 2000);
    t.add(
      ev({
        device_serial: "D",
        time_created: 0,
        time_received: 9000,
        customer_gateway_station: "Y",
      }),
      500,
    );
    return t;
  };
  it.each([
    [undefined, ["C", "D", "A", "B"]],
    ["serial", ["A", "B", "C", "D"]],
    ["last-seen", ["A", "C", "B", "D"]],
    ["battery", ["C", "B", "D", "A"]],
    ["latency", ["D", "A", "B", "C"]],
    ["scans", ["A", "B", "C", "D"]],
  ] as const)("%s → %j", (by, serials) => {
    expect(
      table()
        .sorted(by)
        .map((r) => r.serial),
    ).toEqual(serials);
  });
});

describe("fitting columns", () => {
  const headers = ["SERIAL", "STATION / GATEWAY", "LAST CODE", "BATT", "LAST SEEN"];
  it("keeps natural widths when they fit and cuts nothing", () => {
    expect(fitDeviceColumns(headers, [13, 30, 20, 4, 9], 100)).toEqual({
      kept: [0, 1, 2, 3, 4],
      widths: [13, 30, 20, 4, 9],
    });
  });
  it("shortens the station before it cuts the code, and the code last", () => {
    const { kept, widths } = fitDeviceColumns(headers, [13, 30, 20, 4, 9], 60);
    expect(kept.map((i) => headers[i])).toEqual(headers);
    expect(widths[2]).toBe(20);
    expect(widths.reduce((a, b) => a + b, 0) + widths.length - 1).toBeLessThanOrEqual(60);
  });
});

describe("--sort in the output plan", () => {
  const plan = (flags: Parameters<typeof planOutput>[0]) =>
    planOutput(flags, { env: {}, stdoutIsTTY: true });
  it("reaches the devices view", () => {
    expect(plan({ format: "devices", sort: "battery" }).setup.sort).toBe("battery");
    expect(plan({ format: "devices" }).setup.sort).toBeUndefined();
  });
  it("is refused for another format and for an unknown key", () => {
    expect(() => plan({ format: "table", sort: "battery" })).toThrow(
      /--sort does not apply to -o table/,
    );
    expect(() => plan({ format: "devices", sort: "age" })).toThrow(/invalid --sort "age"/);
  });
});

describe("a fleet larger than the screen", () => {
  it("shows what fits and says how many more, without wrapping", () => {
    const r = createRenderer(options({ isTTY: true, columns: 40, rows: 8 }));
    for (let i = 0; i < 30; i++) r.render(ev({ device_serial: `M2SR2333980${10 + i}` }), "");
    const lines = screenLines(r.tick!());
    expect(lines.length).toBeLessThanOrEqual(8);
    expect(lines.at(-1)).toMatch(/^… and 25 more devices/);
    for (const line of lines) expect(stringWidth(line)).toBeLessThan(40);
  });
});
