import { describe, expect, it } from "vitest";
import { normalizeSymbology } from "../../src/events/filter.js";
import { SYMBOLOGIES as KNOWN } from "../../src/events/symbologies.js";
import { isValidGs1, SYMBOLOGIES } from "../../src/simulator/barcodes.js";
import { EventGenerator } from "../../src/simulator/generator.js";
import { Random } from "../../src/simulator/random.js";

/** The README's `-y 'gs1databar*'` example must have something to show in the demo. */
describe("GS1 DataBar in the simulator", () => {
  const r = new Random(11);
  const make = (name: string) => SYMBOLOGIES.find(([n]) => n === name)![2];

  it("DataBar and DataBar Limited carry AI 01 and a GTIN-14 with a valid check digit", () => {
    for (let i = 0; i < 200; i++) {
      const omni = make("GS1 DATABAR")(r);
      expect(omni).toMatch(/^01\d{14}$/);
      expect(isValidGs1(omni.slice(2))).toBe(true);
      const limited = make("GS1 DATABAR LIMITED")(r);
      // Limited encodes only GTINs whose indicator digit is 0 or 1.
      expect(limited).toMatch(/^01[01]\d{13}$/);
      expect(isValidGs1(limited.slice(2))).toBe(true);
    }
  });

  it("DataBar Expanded: variable-measure GTIN, net weight, best before, maybe a lot last", () => {
    for (let i = 0; i < 200; i++) {
      const code = make("GS1 DATABAR EXPANDED")(r);
      expect(code).toMatch(/^019\d{13}3103\d{6}15\d{6}(10[0-9A-Z]{3,8})?$/);
      expect(isValidGs1(code.slice(2, 16))).toBe(true);
    }
  });

  it("uses names the -y filter knows, so the README example matches them", () => {
    const known = new Set(KNOWN.map(normalizeSymbology));
    for (const [name] of SYMBOLOGIES) expect(known.has(normalizeSymbology(name)), name).toBe(true);
  });

  it("appears in a demo of 2000 scans", () => {
    const generator = new EventGenerator({ devices: 8, seed: 1 });
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(String(generator.next(1000 + i).scan_decode_symbology));
    expect(seen).toContain("GS1 DATABAR");
    expect(seen).toContain("GS1 DATABAR LIMITED");
    expect(seen).toContain("GS1 DATABAR EXPANDED");
  });
});
