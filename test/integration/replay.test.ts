import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EventGenerator } from "../../src/simulator/generator.js";
import { makeContext, runCli } from "../helpers/context.js";

function recording(dir: string, lines: string[]): string {
  const file = join(dir, "rec.ndjson");
  writeFileSync(file, lines.join("\n"));
  return file;
}

describe("replay", () => {
  const g = new EventGenerator({ devices: 5, seed: 11 });
  const events = Array.from({ length: 200 }, (_, i) => g.next(1_700_000_000_000 + i * 10));

  it("runs a recording through filters and formats, as fast as possible", async () => {
    const ctx = makeContext();
    const file = recording(
      ctx.configDir,
      events.map((e) => JSON.stringify(e)),
    );
    const serial = events[0]!.device_serial!;
    const r = await runCli(["replay", file, "-s", serial, "-o", "ndjson"], ctx);
    expect(r.code).toBe(0);
    const expected = events.filter((e) => e.device_serial === serial).map((e) => JSON.stringify(e));
    expect(r.stdout.trim().split("\n")).toEqual(expected);
  });

  it("reports bad lines with their line number and skips them; blank lines and CRLF are fine", async () => {
    const ctx = makeContext();
    const lines = [
      JSON.stringify(events[0]),
      "not json",
      "",
      `${JSON.stringify(events[1])}\r`,
      "[1]",
      JSON.stringify(events[2]),
    ];
    const file = recording(ctx.configDir, lines);
    const r = await runCli(["replay", file, "-o", "ndjson", "--summary"], ctx);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toEqual(
      [events[0], events[1], events[2]].map((e) => JSON.stringify(e)),
    );
    expect(r.stderr).toMatch(/line 2: not JSON: not json/);
    expect(r.stderr).toMatch(/line 5: not an event \(an array\)/);
    expect(r.stderr).not.toMatch(/line 3/);
    expect(r.stderr).toMatch(/5 received, 3 shown, 0 filtered out, 2 invalid/);
  });

  it("reads stdin with -", async () => {
    const ctx = makeContext();
    ctx.stdinStream.end(
      `${events
        .slice(0, 3)
        .map((e) => JSON.stringify(e))
        .join("\n")}\n`,
    );
    const r = await runCli(["replay", "-", "-o", "ndjson", "-n", "2"], ctx);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("paces by time_created with --speed", async () => {
    const ctx = makeContext();
    // Three events 200 ms apart, replayed at 2x: about 200 ms in all.
    const paced = [0, 200, 400].map((t, i) =>
      JSON.stringify({ ...events[i], time_created: 1_700_000_000_000 + t }),
    );
    const file = recording(ctx.configDir, paced);
    const started = Date.now();
    const r = await runCli(["replay", file, "--speed", "2", "-o", "ndjson"], ctx);
    const took = Date.now() - started;
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(3);
    expect(took).toBeGreaterThanOrEqual(180);
  });

  it.each([
    [
      ["replay", "/nonexistent/file.ndjson"],
      /cannot replay \/nonexistent\/file.ndjson: no such file/,
    ],
    [["replay", "."], /it is a directory/],
    [["replay", "x", "--realtime", "--speed", "2"], /either --realtime or --speed/],
    [["replay", "x", "--speed", "0"], /invalid --speed/],
    [["replay"], /missing required argument 'file'/],
  ])("%j exits 2 with one clear sentence", async (argv, message) => {
    const r = await runCli(argv as string[], makeContext());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("prints the devices table once at the end when stdout is not a terminal", async () => {
    const ctx = makeContext();
    const file = recording(
      ctx.configDir,
      events.map((e) => JSON.stringify(e)),
    );
    const r = await runCli(["replay", file, "-o", "devices"], ctx);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^SERIAL\s+MODEL/);
    expect(lines).toHaveLength(1 + 5);
  });
});
