import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadChalk, plainChalk } from "../../src/format/color.js";
import { EventGenerator } from "../../src/simulator/generator.js";
import { openRecording, scanNeedle } from "../../src/sources/recording.js";
import { makeContext, runCli } from "../helpers/context.js";

/*
 * The byte-level pre-scan of `replay` (grep-like: only lines holding the filter's literal
 * bytes, or a backslash, are decoded) must never change what is printed. These tests run
 * every recording both ways and compare.
 */
const g = new EventGenerator({ devices: 12, seed: 77 });
const events = Array.from({ length: 1500 }, (_, i) => g.next(1_700_000_000_000 + i * 37));
const serials = [...new Set(events.map((e) => e.device_serial!))];
const target = serials[3]!;
const escaped = (s: string) => s.replace(/[0-9]/, (d) => `\\u003${d}`);

const tricky = [
  // The serial spelled with a JSON escape: no literal bytes to find, must still match.
  `{"event_id":"esc-1","device_serial":"${escaped(target)}","scan_code":"x"}`,
  // Lower case in the data; the filter is case-insensitive.
  `{"event_id":"lower-1","device_serial":"${target.toLowerCase()}"}`,
  // Pretty-printed with spaces, CRLF line end.
  `{ "event_id" : "spaced-1", "device_serial" : "${target}" }\r`,
  // The serial appears only inside another field: pre-scan finds it, the filter drops it.
  `{"event_id":"decoy-1","device_serial":"OTHER","scan_code":"${target}"}`,
  // Invalid lines that contain the serial: reported with their line numbers both ways.
  `{"event_id":"broken","device_serial":"${target}"`,
  `not json ${target}`,
  "",
  "   ",
];

function recording(dir: string, name: string, lines: string[], trailingNewline = true): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join("\n") + (trailingNewline ? "\n" : ""));
  return file;
}

async function bothWays(argv: string[]) {
  const fast = await runCli(argv, makeContext());
  const slow = await runCli(argv, makeContext({ env: { SCANTAIL_FAST_PATH: "0" } }));
  return { fast, slow };
}

describe("replay pre-scan gives exactly the slow path's output", () => {
  const lines = events.map((e) => JSON.stringify(e));
  for (let i = 0; i < tricky.length; i++) lines.splice(100 + i * 150, 0, tricky[i]!);

  it.each([
    ["--serial exact", ["--serial", target]],
    ["--serial lower case", ["--serial", target.toLowerCase()]],
    ["--serial plus --symbology", ["--serial", target, "-y", "ean13,code128"]],
    ["--station literal", ["--station", events[0]!.customer_gateway_station!]],
    [
      "--serial and --station",
      ["--serial", target, "--station", events[0]!.customer_gateway_station!],
    ],
    ["--event-type scan", ["--event-type", "scan"]],
  ])("%s", async (_name, filter) => {
    const dir = makeContext().configDir;
    for (const trailing of [true, false]) {
      const file = recording(dir, `r-${trailing}.ndjson`, lines, trailing);
      const { fast, slow } = await bothWays([
        "replay",
        file,
        "-o",
        "ndjson",
        "--summary",
        ...filter,
      ]);
      expect(fast.code).toBe(0);
      expect(fast.stdout).toBe(slow.stdout);
      // A fast path must not change what the user is told: every bad line is reported,
      // by number, whatever the filter — also those that cannot match it.
      const reports = (s: string) => s.split("\n").filter((l) => /line \d+:/.test(l));
      expect(reports(fast.stderr)).toEqual(reports(slow.stderr));
      expect(reports(fast.stderr).length).toBeGreaterThanOrEqual(2);
    }
  });

  it("finds the escaped, lower-case and spaced spellings, and reports invalid candidate lines by number", async () => {
    const dir = makeContext().configDir;
    const file = recording(dir, "r.ndjson", lines);
    const r = await runCli(["replay", file, "-o", "ndjson", "--serial", target], makeContext());
    const ids = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).event_id);
    expect(ids).toEqual(expect.arrayContaining(["esc-1", "lower-1", "spaced-1"]));
    expect(ids).not.toContain("decoy-1");
    const broken = lines.indexOf(tricky[4]!) + 1;
    expect(r.stderr).toContain(`line ${broken}: not JSON`);
  });

  it("reports broken lines that do not hold the filter's bytes, in every mode", async () => {
    const dir = makeContext().configDir;
    const file = recording(dir, "broken.ndjson", [
      lines[0]!,
      '{"broken": ',
      "garbage without the serial",
      lines[1]!,
    ]);
    for (const extra of [[], ["--strict"]]) {
      const r = await runCli(
        ["replay", file, "-o", "ndjson", "--serial", target, ...extra],
        makeContext(),
      );
      expect(r.stderr).toMatch(/line 2: not JSON/);
      expect(r.stderr).toMatch(/line 3: not JSON/);
    }
  });

  it("the pre-scan handles lines split across any chunk boundary", async () => {
    const text = `${lines.slice(0, 300).join("\n")}\n`;
    const all = text.split("\n").slice(0, -1);
    const needle = scanNeedle({ serial: [target] })!;
    const results: string[] = [];
    for (const size of [1, 7, 100, 4096, text.length]) {
      const chunks: Buffer[] = [];
      const bytes = Buffer.from(text);
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      const got: Array<[number, string]> = [];
      let total = 0;
      const source = openRecording({
        input: Readable.from(chunks),
        needle,
        textPrecheck: true,
        now: Date.now,
        sleep: async () => {},
      });
      for await (const chunk of source.items(new AbortController().signal)) {
        if (chunk.kind !== "frames") throw new Error(`unexpected ${chunk.kind}`);
        for (let i = 0; i < chunk.frames.length; i++)
          got.push([chunk.lineNumbers![i]!, chunk.frames[i] as string]);
        total += chunk.frames.length + (chunk.skipped ?? 0);
      }
      expect(total).toBe(300);
      // Every line holding the needle is a candidate; candidates are whole lines with
      // their right numbers; anything else is there only for an escape.
      for (const [no, line] of got) {
        expect(line).toBe(all[no - 1]!.replace(/\r$/, ""));
        expect(line.includes(needle.toString()) || line.includes("\\")).toBe(true);
      }
      const numbers = new Set(got.map(([no]) => no));
      all.forEach((line, i) => {
        if (line.includes(needle.toString())) expect(numbers.has(i + 1), line).toBe(true);
      });
      results.push(JSON.stringify(got));
    }
    expect(new Set(results).size).toBe(1);
  });

  it("reads a file whose lines are longer than the read buffer, with or without a last newline", async () => {
    const dir = makeContext().configDir;
    const long = JSON.stringify({
      event_id: "long-1",
      device_serial: target,
      pad: "p".repeat(5 * 1024 * 1024),
    });
    const shortOne = JSON.stringify({ event_id: "short-1", device_serial: target });
    for (const trailing of [true, false]) {
      const file = recording(
        dir,
        `long-${trailing}.ndjson`,
        [shortOne, long, "x", shortOne.replace("short-1", "short-2")],
        trailing,
      );
      const { fast, slow } = await bothWays(["replay", file, "-o", "ndjson", "--serial", target]);
      expect(fast.stdout).toBe(slow.stdout);
      expect(
        fast.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).event_id),
      ).toEqual(["short-1", "long-1", "short-2"]);
    }
  });

  it("uses only case-free bytes of a literal pattern, and nothing for globs", () => {
    expect(scanNeedle({ serial: ["M2SR121103132"] })?.toString()).toBe("1103132");
    expect(scanNeedle({ serial: ["M2*"] })).toBeUndefined();
    expect(scanNeedle({ serial: ["a", "b"] })).toBeUndefined();
    expect(scanNeedle({ station: ["Dock"] })).toBeUndefined();
    expect(scanNeedle({ station: ["Pack Station 3"] })).toBeUndefined(); // " 3" is too short
    expect(scanNeedle({ station: ["Dock 123"] })?.toString()).toBe(" 123");
  });
});

describe("colourless output does not load chalk", () => {
  it("plainChalk is chainable, callable, level 0 — and not a thenable", async () => {
    expect(await loadChalk(0)).toBe(plainChalk);
    expect(plainChalk.red.bold("x")).toBe("x");
    expect(plainChalk.ansi256(12)("y")).toBe("y");
    expect(plainChalk.level).toBe(0);
  });
});
