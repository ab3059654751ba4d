import { writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BinaryFrame } from "../../src/feed/frame.js";
import { createClassifier } from "../../src/run/classify.js";
import { makeContext, runCli } from "../helpers/context.js";

/*
 * Property tests with generated hostile input (bounded in CI; `npm run fuzz` runs them
 * longer with FUZZ_RUNS). Invariants: nothing but events on stdout, every non-event
 * counted, no crash.
 */
const RUNS = Number(process.env.FUZZ_RUNS) || 150;

const eventLike = fc.record(
  {
    event_id: fc.oneof(fc.uuid(), fc.string(), fc.integer(), fc.constant(null), fc.object()),
    event_type: fc.oneof(fc.constant("scan"), fc.string(), fc.boolean()),
    device_serial: fc.oneof(fc.string(), fc.constant("M2SR121103132"), fc.integer()),
    scan_code: fc.oneof(fc.string({ unit: "binary" }), fc.string()),
    scan_decode_symbology: fc.oneof(fc.constant("EAN-13"), fc.string()),
    time_created: fc.oneof(fc.integer(), fc.double(), fc.string()),
    nested: fc.jsonValue({ maxDepth: 6 }),
  },
  { requiredKeys: [] },
);

const hostileLine = fc.oneof(
  eventLike.map((e) => JSON.stringify(e)),
  eventLike.map((e) => JSON.stringify(e, null, 1).replace(/\n/g, " ")),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? "null"),
  fc.string({ unit: "binary" }),
  fc.string({ unit: "grapheme" }),
  fc.constantFrom(
    "Internal server error",
    '{"message":"Forbidden","connectionId":"x"}',
    '{"broken": ',
    "{}",
    "[]",
    '{"event_id":"__proto__","__proto__":{"x":1}}',
    `{"event_id":"d","a":${"[".repeat(3000)}${"]".repeat(3000)}}`,
    "\u001b[2J\u001b]0;pwned\u0007",
  ),
);

/** Whether a line would be an event (the contract's rule, written independently). */
function isEvent(line: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return false;
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  const id = Object.hasOwn(v, "event_id") ? v.event_id : undefined;
  const type = Object.hasOwn(v, "event_type") ? v.event_type : undefined;
  if (id === undefined && type === undefined) return false;
  if (id !== undefined && !((typeof id === "string" && id !== "") || typeof id === "number"))
    return false;
  return type === undefined || typeof type === "string";
}

describe("fuzz: the frame classifier", () => {
  it("never throws, and calls an event exactly what the contract calls one", () => {
    const classify = createClassifier({ serial: ["M2SR121103132", "*1*"], code: "^\\d" });
    fc.assert(
      fc.property(hostileLine, fc.boolean(), (line, asBytes) => {
        const verdict = classify(asBytes ? Buffer.from(line) : line, {
          recording: false,
          textPrecheck: false,
        });
        if (isEvent(line)) expect(["event", "filtered"]).toContain(verdict.kind);
        else expect(verdict.kind).toBe("invalid");
      }),
      { numRuns: RUNS * 10 },
    );
    expect(
      classify(new BinaryFrame(new Uint8Array([0, 255])), { recording: false, textPrecheck: false })
        .kind,
    ).toBe("invalid");
  });
});

describe("fuzz: the NDJSON reader and every format", () => {
  it("writes only events to stdout and counts every other line, for any input", async () => {
    const ctx0 = makeContext();
    let round = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(hostileLine, { minLength: 1, maxLength: 30 }),
        fc.constantFrom("ndjson", "pretty", "table", "csv", "tsv", "devices"),
        fc.constantFrom([], ["-s", "M2SR121103132"], ["--strict"], ["--code", "^[0-9]"]),
        async (lines, format, filter) => {
          const file = join(ctx0.configDir, `f${round++}.ndjson`);
          // No line may hold a raw newline: a recording's line ends there.
          const clean = lines.map((l) => l.replace(/[\r\n]/g, " "));
          writeFileSync(file, `${clean.join("\n")}\n`);
          const r = await runCli(
            ["replay", file, "-o", format, "--summary", ...filter],
            makeContext(),
          );
          expect(r.code, r.stderr).toBe(0);
          expect(r.stderr).not.toMatch(/unexpected error/);
          const nonBlank = clean.filter((l) => l.trim() !== "");
          const bad = nonBlank.filter((l) => !isEvent(l)).length;
          const summary = /(\d+) received, (\d+) shown, (\d+) filtered out, (\d+) invalid/.exec(
            r.stderr,
          );
          expect(summary, r.stderr).not.toBeNull();
          const [, received, shown, , invalid] = summary!.map(Number);
          expect(received).toBe(nonBlank.length);
          // With a filter, a recording's line that looks like an object may be ruled out
          // unread (the documented pre-scan); every other bad line is always reported.
          const objectShaped = (l: string) => /^\s*\{[\s\S]*\}\s*$/.test(l);
          const mustReport = nonBlank.filter((l) => !isEvent(l) && !objectShaped(l)).length;
          if (filter.length === 0 || filter[0] === "--strict") expect(invalid).toBe(bad);
          else {
            expect(invalid).toBeGreaterThanOrEqual(mustReport);
            expect(invalid).toBeLessThanOrEqual(bad);
          }
          if (format === "ndjson") {
            const out = r.stdout === "" ? [] : r.stdout.trimEnd().split("\n");
            expect(out).toHaveLength(shown!);
            for (const line of out) expect(isEvent(line)).toBe(true);
          }
          // Nothing from the feed reaches a terminal unescaped.
          if (format !== "ndjson") expect(r.stdout).not.toMatch(/\u001b(?!\[[0-9;]*m)/);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
