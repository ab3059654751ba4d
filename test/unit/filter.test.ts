import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import type { ScanEvent } from "../../src/events/event.js";
import {
  compileFilter,
  compileRawPrecheck,
  type FilterOptions,
  normalizeSymbology,
  splitList,
} from "../../src/events/filter.js";
import { EventGenerator } from "../../src/simulator/generator.js";

const ev = (o: Partial<ScanEvent> = {}): ScanEvent => ({
  event_id: "1",
  event_type: "scan",
  device_serial: "M2SR121103132",
  scan_decode_symbology: "EAN-13",
  scan_code: "4006381333931",
  gateway_id: "36f00d2a-33a4-43ed-ba8e-2827f0c0ef08",
  customer_gateway_name: "Proglove Gateway",
  customer_gateway_station: "Packing 3",
  ...o,
});

describe("normalizeSymbology", () => {
  it.each([
    ["EAN-13", "ean13"],
    ["ean13", "ean13"],
    ["Ean_13", "ean13"],
    ["QR CODE", "qrcode"],
    ["qrcode", "qrcode"],
    ["GS1 DATABAR-14", "gs1databar14"],
    ["CODE 128", "code128"],
    ["EAN-13 + 2", "ean13+2"],
    ["  data  matrix ", "datamatrix"],
  ])("%j → %j", (input, out) => expect(normalizeSymbology(input)).toBe(out));
});

describe("splitList", () => {
  it("splits repeated and comma-separated values", () => {
    expect(splitList(["a,b", "c", " d , ,e"])).toEqual(["a", "b", "c", "d", "e"]);
    expect(splitList(undefined)).toEqual([]);
  });
});

describe("compileFilter", () => {
  const cases: Array<[string, FilterOptions, Partial<ScanEvent>, boolean]> = [
    ["no filters keep everything", {}, {}, true],
    ["serial exact, any case", { serial: ["m2sr121103132"] }, {}, true],
    ["serial other", { serial: ["M2SR999"] }, {}, false],
    ["serial glob *", { serial: ["M2SR*"] }, {}, true],
    ["serial glob ?", { serial: ["M2SR12110313?"] }, {}, true],
    ["serial glob is anchored", { serial: ["SR12*"] }, {}, false],
    ["serial OR via comma", { serial: ["X1,M2SR121103132"] }, {}, true],
    ["serial OR via repeat", { serial: ["X1", "m2sr*"] }, {}, true],
    ["serial regex chars are literal", { serial: ["M2SR.21103132"] }, {}, false],
    ["serial missing on event", { serial: ["*"] }, { device_serial: undefined }, false],
    ["symbology ean13 = EAN-13", { symbology: ["ean13"] }, {}, true],
    ["symbology EAN_13", { symbology: ["EAN_13"] }, {}, true],
    [
      "symbology qrcode = QR CODE",
      { symbology: ["qrcode"] },
      { scan_decode_symbology: "QR CODE" },
      true,
    ],
    [
      "symbology 'qr code' = QR CODE",
      { symbology: ["qr code"] },
      { scan_decode_symbology: "QR CODE" },
      true,
    ],
    [
      "symbology code128 = CODE 128",
      { symbology: ["code128"] },
      { scan_decode_symbology: "CODE 128" },
      true,
    ],
    [
      "symbology gs1-128 = GS1-128",
      { symbology: ["gs1_128"] },
      { scan_decode_symbology: "GS1-128" },
      true,
    ],
    [
      "symbology glob gs1databar*",
      { symbology: ["gs1databar*"] },
      { scan_decode_symbology: "GS1 DATABAR EXPANDED" },
      true,
    ],
    [
      "symbology glob no match",
      { symbology: ["gs1databar*"] },
      { scan_decode_symbology: "GS1-128" },
      false,
    ],
    [
      "symbology ean13 ≠ EAN-13 + 2",
      { symbology: ["ean13"] },
      { scan_decode_symbology: "EAN-13 + 2" },
      false,
    ],
    [
      "symbology ean13* = EAN-13 + 2",
      { symbology: ["ean13*"] },
      { scan_decode_symbology: "EAN-13 + 2" },
      true,
    ],
    ["symbology ean8 ≠ EAN-13", { symbology: ["ean8"] }, {}, false],
    ["exclude serial", { excludeSerial: ["M2SR*"] }, {}, false],
    ["exclude serial other", { excludeSerial: ["LEO*"] }, {}, true],
    ["exclude after keep", { serial: ["M2SR*"], excludeSerial: ["*132"] }, {}, false],
    ["exclude symbology normalised", { excludeSymbology: ["ean 13"] }, {}, false],
    ["gateway by name", { gateway: ["proglove*"] }, {}, true],
    ["gateway by id", { gateway: ["36f00d2a-*"] }, {}, true],
    ["gateway none", { gateway: ["other"] }, {}, false],
    ["station", { station: ["packing ?"] }, {}, true],
    ["station none", { station: ["inbound*"] }, {}, false],
    ["event type default any", { eventType: ["scan"] }, {}, true],
    ["event type other", { eventType: ["telemetry"] }, {}, false],
    ["code regex", { code: "^4006" }, {}, true],
    ["code regex no", { code: "^5" }, {}, false],
    ["code regex unicode", { code: "\\p{Nd}{13}" }, {}, true],
    ["kinds AND", { serial: ["M2SR*"], symbology: ["qrcode"] }, {}, false],
    [
      "kinds AND both",
      { serial: ["M2SR*"], symbology: ["ean13"], station: ["Packing*"] },
      {},
      true,
    ],
  ];
  it.each(cases)("%s", (_name, options, overrides, expected) => {
    expect(compileFilter(options)(ev(overrides))).toBe(expected);
  });

  it("rejects an invalid --code regex with a UsageError (exit 2)", () => {
    expect(() => compileFilter({ code: "([" })).toThrow(UsageError);
    expect(() => compileFilter({ code: "([" })).toThrow(/invalid --code regular expression/);
  });

  it("accepts a pattern only valid without the u flag", () => {
    expect(compileFilter({ code: "^\\-" })(ev({ scan_code: "-x" }))).toBe(true);
  });
});

describe("compileRawPrecheck (fast path) never changes the result", () => {
  const generator = new EventGenerator({ devices: 30, seed: 42 });
  const events = Array.from({ length: 3000 }, (_, i) => generator.next(1_700_000_000_000 + i));
  const serials = [...new Set(events.map((e) => e.device_serial!))];
  const stations = [...new Set(events.map((e) => e.customer_gateway_station!))];
  const gateways = [...new Set(events.map((e) => e.customer_gateway_name!))];
  const raws = events.map((e) => JSON.stringify(e));
  // Lines that spell values with escapes, odd case and extra spacing.
  const tricky = [
    JSON.stringify(ev({ device_serial: serials[0]!.toLowerCase() })),
    `{"event_id":"x","device_serial":"\\u004d${serials[0]!.slice(1)}","customer_gateway_station":"${stations[0]}"}`,
    `{ "event_id" : "y", "device_serial" : "${serials[1]}" , "customer_gateway_station": "${stations[1]}" }`,
    `{"event_id":"z","device_serial":"${serials[2]}","customer_gateway_name":"${gateways[0]!.replace("G", "\\u0047")}"}`,
  ];
  const filters: FilterOptions[] = [
    { serial: [serials[0]!] },
    { serial: [serials[1]!, serials[2]!.toLowerCase()] },
    { serial: ["M2SR*"] },
    { station: [stations[0]!.toUpperCase()] },
    { gateway: [gateways[0]!] },
    { serial: [serials[0]!], symbology: ["ean13"] },
    { eventType: ["scan"], station: [stations[1]!] },
  ];
  it.each(filters.map((f) => [JSON.stringify(f), f] as const))("%s", (_name, options) => {
    const filter = compileFilter(options);
    const precheck = compileRawPrecheck(options);
    for (const raw of [...raws, ...tricky]) {
      const full = filter(JSON.parse(raw));
      if (precheck && !precheck(raw)) expect(full, raw).toBe(false);
    }
  });

  it("rejects most lines for a one-serial filter (the point of the fast path)", () => {
    const precheck = compileRawPrecheck({ serial: [serials[0]!] })!;
    const passed = raws.filter(precheck).length;
    expect(passed).toBeLessThan(raws.length / 5);
  });

  it("is not built for glob patterns or symbology-only filters", () => {
    expect(compileRawPrecheck({ serial: ["M2*"] })).toBeUndefined();
    expect(compileRawPrecheck({ symbology: ["ean13"] })).toBeUndefined();
  });
});
