import { describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/feed/backoff.js";
import { GS, gs1CheckDigit, isValidGs1, SYMBOLOGIES } from "../../src/simulator/barcodes.js";
import { EventGenerator } from "../../src/simulator/generator.js";
import { Timeline, toRestItem } from "../../src/simulator/history.js";
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
  });

  it("drains each battery over a shift and swaps it for a charged one when empty", () => {
    const g = new EventGenerator({ devices: 6, seed: 3 });
    for (const device of g.devices) {
      let swaps = 0;
      let previous = g.batteryAt(device, 1_780_000_000_000);
      for (let minute = 1; minute < 30 * 60; minute++) {
        const level = g.batteryAt(device, 1_780_000_000_000 + minute * 60_000);
        expect(level).toBeGreaterThanOrEqual(3);
        expect(level).toBeLessThanOrEqual(100);
        if (level > previous) {
          expect(previous).toBeLessThan(3.3);
          expect(level).toBeGreaterThan(99.7);
          swaps++;
        }
        previous = level;
      }
      // A charge lasts 8–14 hours: 30 hours see two or three swaps.
      expect(swaps).toBeGreaterThanOrEqual(2);
      expect(swaps).toBeLessThanOrEqual(4);
    }
  });
});

describe("the simulated past", () => {
  const T = 1_780_000_000_000;

  it("every event is a pure function of (seed, time received, number in that millisecond)", () => {
    const a = new EventGenerator({ devices: 10, seed: 8 });
    const b = new EventGenerator({ devices: 10, seed: 8 });
    // The live path numbers events that share a millisecond in call order.
    const live = [a.next(T), a.next(T), a.next(T + 1)];
    expect(live).toEqual([b.eventAt(T, 0), b.eventAt(T, 1), b.eventAt(T + 1, 0)]);
    expect(b.eventAt(T, 1)).toEqual(b.eventAt(T, 1));
    expect(b.eventAt(T, 0).event_id).not.toBe(b.eventAt(T, 1).event_id);
    expect(b.createdAt(T, 1)).toBe(b.eventAt(T, 1).time_created);
    expect(new EventGenerator({ devices: 10, seed: 9 }).eventAt(T).event_id).not.toBe(
      b.eventAt(T).event_id,
    );
  });

  it("a timeline is deterministic per seed, at the configured rate, and never repeats an id", () => {
    const timeline = new Timeline(4, 50);
    const again = new Timeline(4, 50);
    const slot = Math.floor(T / 1000);
    expect(timeline.slot(slot)).toEqual(again.slot(slot));
    expect(new Timeline(5, 50).slot(slot)).not.toEqual(timeline.slot(slot));
    const arrivals = [...timeline.between(T, T + 600_000)];
    // Poisson: 30 000 expected in 10 minutes, standard deviation ~173.
    expect(arrivals.length).toBeGreaterThan(29_300);
    expect(arrivals.length).toBeLessThan(30_700);
    for (let i = 1; i < arrivals.length; i++) {
      const [p, q] = [arrivals[i - 1]!, arrivals[i]!];
      expect(q.at > p.at || (q.at === p.at && q.n === p.n + 1)).toBe(true);
    }
    const g = new EventGenerator({ devices: 20, seed: 4 });
    const ids = new Set(arrivals.map(({ at, n }) => g.eventAt(at, n).event_id));
    expect(ids.size).toBe(arrivals.length);
    expect(new Timeline(4, 0).slot(slot)).toEqual([]);
  });

  it("nothing of the past is generated until asked for", () => {
    const timeline = new Timeline(1, 1000);
    expect(timeline.cachedArrivals).toBe(0);
    timeline.slot(Math.floor(T / 1000));
    expect(timeline.cachedArrivals).toBeGreaterThan(900);
    // The cache stays bounded however much is read.
    for (const _ of timeline.between(T, T + 300_000));
    expect(timeline.cachedArrivals).toBeLessThanOrEqual(100_000);
  });

  it("REST items carry Insight's REST names and created in seconds", () => {
    const event = new EventGenerator({ devices: 3, seed: 1 }).eventAt(T + 999);
    const item = toRestItem(event);
    expect(Object.keys(item).slice(0, 4)).toEqual(["id", "type", "created", "device_id"]);
    expect(item.id).toBe(event.event_id);
    expect(item.created).toBe(Math.floor(event.time_created! / 1000));
    expect(item.device_id).toBe(event.device_serial);
    expect(item).not.toHaveProperty("event_id");
    expect(item).not.toHaveProperty("time_created");
    expect(item.scan_code).toBe(event.scan_code);
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
