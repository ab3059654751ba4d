import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const BIN = join(import.meta.dirname, "../../bin/scantail.js");
const env = () => ({
  ...process.env,
  SCANTAIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "scantail-e2e-")),
  NO_COLOR: "1",
});

function runBin(args: string[], input?: string) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: env(),
    input,
    encoding: "utf8",
    timeout: 20_000,
  });
}

describe("the built binary", () => {
  it("prints the version", () => {
    const r = runBin(["--version"]);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("a bad flag exits 2 with one line and no stack trace", () => {
    const r = runBin(["--frobnicate"]);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\s+at /);
    expect(r.stdout).toBe("");
  });

  it("demo -o ndjson gives clean JSON lines on stdout and nothing else", () => {
    const r = runBin(["demo", "-o", "ndjson", "-n", "25", "--rate", "500", "--seed", "5"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines).toHaveLength(25);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
  });

  it("replays a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "scantail-e2e-"));
    const file = join(dir, "r.ndjson");
    writeFileSync(
      file,
      '{"event_id":"a","device_serial":"X"}\n{"event_id":"b","device_serial":"Y"}\n',
    );
    const r = runBin(["replay", file, "-s", "y", "-o", "ndjson"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('{"event_id":"b","device_serial":"Y"}\n');
  });

  it("ends quietly with exit 0 when the reading end of the pipe closes (scantail | head)", async () => {
    const r = spawnSync(
      "bash",
      [
        "-o",
        "pipefail",
        "-c",
        `"${process.execPath}" "${BIN}" demo -o ndjson --rate 2000 | head -n 3`,
      ],
      {
        env: env(),
        encoding: "utf8",
        timeout: 20_000,
      },
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(3);
    expect(r.stderr).toBe("");
  });

  it("SIGINT stops the demo cleanly with exit 130 and the summary", async () => {
    const child = spawn(
      process.execPath,
      [BIN, "demo", "-o", "ndjson", "--rate", "200", "--summary"],
      { env: env() },
    );
    let stdout = "";
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    await new Promise<void>((resolve) => {
      child.stdout.on("data", (d) => {
        stdout += d;
        if (stdout.includes("\n")) resolve();
      });
    });
    child.kill("SIGINT");
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toMatch(/received, \d+ shown/);
    expect(stderr).not.toMatch(/\s+at /);
  });
});
