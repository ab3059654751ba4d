import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/feed/backoff.js";
import { GS, gs1CheckDigit, isValidGs1, SYMBOLOGIES } from "../../src/simulator/barcodes.js";
import { EventGenerator } from "../../src/simulator/generator.js";
import { Random } from "../../src/simulator/random.js";

describe("GS1 check digits", () => {
  it.each([
    ["400638133393", "1"], // EAN-13 4006381333931
    ["9638507", "4"], // EAN-8 96385074
    ["03600029145", "2"], // UPC-A 036000291452
    ["1234567890123", "1"], // GTIN-14 12345678901231
    ["00614141123456789", "0"], // SSCC 006141411234567890
  ])("%s → %s", (digits, check) => expect(gs1CheckDigit(digits)).toBe(check));
});

describe("generated codes fit their symbology", () => {
  const r = new Random(7);
  const make = (name: string) => SYMBOLOGIES.find(([n]) => n === name)![2];
  it.each([
    ["EAN-13", /^\d{13}$/],
    ["EAN-8", /^\d{8}$/],
    ["UPCA", /^\d{12}$/],
    ["ITF", /^\d{14}$/],
  ])("%s has the right length and a valid check digit", (name, shape) => {
    for (let i = 0; i < 200; i++) {
      const code = make(name)(r);
      expect(code).toMatch(shape);
      expect(isValidGs1(code)).toBe(true);
    }
  });
  it("GS1-128 carries application identifiers with valid GTIN/SSCC check digits", () => {
    for (let i = 0; i < 200; i++) {
      const code = make("GS1-128")(r);
      if (code.startsWith("00")) {
        expect(code).toMatch(/^00\d{18}$/);
        expect(isValidGs1(code.slice(2))).toBe(true);
      } else {
        expect(code).toMatch(/^01\d{14}17\d{6}/);
        expect(isValidGs1(code.slice(2, 16))).toBe(true);
        if (code.includes(GS)) expect(code).toMatch(new RegExp(`${GS}21\\d{8}$`));
      }
    }
  });
});

describe("EventGenerator", () => {
  it("is deterministic for a seed", () => {
    const a = new EventGenerator({ devices: 10, seed: 99 });
    const b = new EventGenerator({ devices: 10, seed: 99 });
    for (let i = 0; i < 100; i++) expect(a.next(1000 + i)).toEqual(b.next(1000 + i));
    const c = new EventGenerator({ devices: 10, seed: 100 });
    expect(c.next(1000)).not.toEqual(new EventGenerator({ devices: 10, seed: 99 }).next(1000));
  });

  it("produces realistic, complete events", () => {
    const g = new EventGenerator({ devices: 12, seed: 1 });
    const events = Array.from({ length: 2000 }, (_, i) => g.next(1_700_000_000_000 + i * 100));
    const ids = new Set(events.map((e) => e.event_id));
    expect(ids.size).toBe(events.length);
    for (const e of events) {
      expect(e.api_version).toBe("0.5");
      expect(e.event_id).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(e.device_serial).toMatch(/^(M2SR|M3AR|MDSR|MBSR|LEOR)\d{9}$/);
      expect(e.time_received! - e.time_created!).toBeGreaterThan(0);
      expect(e.device_battery).toBeGreaterThanOrEqual(0);
      expect(e.device_battery).toBeLessThanOrEqual(100);
      expect(e.metrics?.[0]?.metric_name).toBe("bce_duration");
      expect(e.scan_duration).toBeCloseTo((e.metrics![0]!.values as number[])[0]! / 1000);
    }
    expect(new Set(events.map((e) => e.device_serial)).size).toBe(12);
    expect(new Set(events.map((e) => e.scan_decode_symbology)).size).toBeGreaterThan(8);
    // Battery drains with use and only ever jumps up when a nearly empty scanner is swapped.
    let drops = 0;
    for (const device of new Set(events.map((e) => e.device_serial))) {
      const levels = events.filter((e) => e.device_serial === device).map((e) => e.device_battery!);
      for (let i = 1; i < levels.length; i++) {
        if (levels[i]! > levels[i - 1]!) expect(levels[i - 1]).toBeLessThanOrEqual(3);
        if (levels[i]! < levels[i - 1]!) drops++;
      }
    }
    expect(drops).toBeGreaterThan(20);
  });
});

describe("backoff", () => {
  it("uses full jitter under a doubling ceiling, capped at 30 s", () => {
    expect(backoffDelay(0, () => 0.999)).toBeLessThan(500);
    expect(backoffDelay(1, () => 0.999)).toBeLessThan(1000);
    expect(backoffDelay(3, () => 0.999)).toBeLessThan(4000);
    expect(backoffDelay(30, () => 0.999)).toBeLessThan(30_000);
    expect(backoffDelay(30, () => 0)).toBe(0);
    const delays = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
    expect(delays.size).toBeGreaterThan(10);
  });
});
