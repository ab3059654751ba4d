import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FORMAT_NAMES } from "../../src/format/names.js";

const BIN = join(import.meta.dirname, "../../bin/scantail.js");

/** The built binary with a fresh config dir and none of the caller's SCANTAIL_* settings. */
function scantail(args: string[], extraEnv: Record<string, string> = {}) {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: "1" };
  for (const key of Object.keys(env)) if (key.startsWith("SCANTAIL_")) delete env[key];
  env.SCANTAIL_CONFIG_DIR = mkdtempSync(join(tmpdir(), "scantail-e2e-"));
  Object.assign(env, extraEnv);
  const r = spawnSync(process.execPath, [BIN, ...args], {
    env,
    input: "",
    encoding: "utf8",
    timeout: 20_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const ENVIRONMENT = [
  "SCANTAIL_PROFILE",
  "SCANTAIL_URL",
  "SCANTAIL_CUSTOMER",
  "SCANTAIL_TOKEN",
  "SCANTAIL_TOKEN_KIND",
  "SCANTAIL_FORMAT",
  "SCANTAIL_BASE_URL",
  "SCANTAIL_CONFIG_DIR",
  "SCANTAIL_COGNITO_ENDPOINT",
  "SCANTAIL_SIMULATE_TOKEN",
  "SCANTAIL_FORWARD_SECRET",
  "NO_COLOR",
  "FORCE_COLOR",
];

describe("help, version and mistakes, as a person types them", () => {
  it("`scantail help` is the top-level help: commands, every environment variable, where to go next", () => {
    const r = scantail(["help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: scantail \[command\] \[options\]/);
    for (const command of [
      "tail",
      "demo",
      "simulate",
      "replay",
      "login",
      "status",
      "config",
      "doctor",
    ])
      expect(r.stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    for (const name of ENVIRONMENT) expect(r.stdout).toContain(name);
    expect(r.stdout).toContain("scantail <command> --help");
    expect(r.stderr).toBe("");
    expect(scantail(["--help"]).stdout).toBe(r.stdout);
  });

  it("`scantail help tail` = `scantail tail --help`: grouped options, defaults as written, examples", () => {
    const r = scantail(["help", "tail"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: scantail tail/);
    const headings = [...r.stdout.matchAll(/^(\w[\w ]*):$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      "Filters",
      "Output",
      "Connection",
      "History",
      "Options",
      "Global Options",
      "Examples",
    ]);
    expect(r.stdout).toMatch(/--heartbeat <duration>[\s\S]*?\(default: 30s\)/);
    expect(r.stdout).toMatch(/--renew-after <duration>[\s\S]*?\(default: 110m\)/);
    expect(r.stdout).not.toMatch(/default: "/);
    // --color names its choices once.
    expect(r.stdout.match(/always/g)).toHaveLength(1);
    for (const name of FORMAT_NAMES) expect(r.stdout).toContain(`"${name}"`);
    expect(scantail(["tail", "--help"]).stdout).toBe(r.stdout);
  });

  it("every command's help has an Examples section; demo explains its fault switches", () => {
    for (const command of [
      "demo",
      "simulate",
      "replay",
      "login",
      "logout",
      "status",
      "config",
      "doctor",
    ]) {
      const r = scantail(["help", command]);
      expect(r.code, command).toBe(0);
      expect(r.stdout, command).toMatch(/\nExamples:\n {2}scantail /);
    }
    const demo = scantail(["demo", "--help"]).stdout;
    expect(demo).toMatch(/Simulator faults:/);
    expect(demo).toMatch(/--stall-after <duration>\s+after this long, keep the connection open/);
    expect(demo).toMatch(/--rate <events\/s>[\s\S]*?\(default: 5\)/);
  });

  it("`scantail version` and `-V` print the version", () => {
    const r = scantail(["version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\S*\n$/);
    expect(scantail(["-V"]).stdout).toBe(r.stdout);
  });

  it.each([
    [["dmeo"], "scantail: unknown command 'dmeo' (did you mean 'demo'?)"],
    [["help", "replya"], "scantail: unknown command 'replya' (did you mean 'replay'?)"],
    [["demo", "--seriel", "X"], "scantail: unknown option '--seriel' (did you mean '--serial'?)"],
    [["--seriel", "X", "demo"], "scantail: unknown option '--seriel' (did you mean '--serial'?)"],
    [
      ["config", "lst"],
      "scantail: unknown action 'lst' (did you mean 'list'?): expected get, set, unset, list or path",
    ],
    [
      ["demo", "--time", "utx"],
      `scantail: invalid --time "utx" (did you mean 'utc'?): expected local, utc, relative or epoch`,
    ],
  ])("%j exits 2 with one line naming the closest name", (args, line) => {
    const r = scantail(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe("");
  });

  it("options before the command name mean the same as after it", () => {
    const before = scantail([
      "-o",
      "Table",
      "-n",
      "2",
      "--seed",
      "7",
      "--rate",
      "500",
      "demo",
      "--fields",
      "serial,code",
    ]);
    const after = scantail([
      "demo",
      "-o",
      "Table",
      "-n",
      "2",
      "--seed",
      "7",
      "--rate",
      "500",
      "--fields",
      "serial,code",
    ]);
    expect(before.code).toBe(0);
    expect(after.code).toBe(0);
    // The simulated feed follows the wall clock (its history and live side share one
    // timeline), so two runs show different scans: compare what the options decide.
    const shape = (out: string) =>
      out
        .trimEnd()
        .split("\n")
        .map((line, i) => (i === 0 ? line.trim() : /^M\w+ {2,}\S/.test(line)));
    expect(shape(before.stdout)).toEqual(shape(after.stdout));
    expect(shape(before.stdout)).toEqual(["SERIAL         CODE", true, true]);
  });

  it("typos in values are warned about once on stderr, and the run goes on", () => {
    const r = scantail([
      "demo",
      "-n",
      "1",
      "--rate",
      "500",
      "--seed",
      "3",
      "--fields",
      "sreial,code",
      "-y",
      "ean14,ean-13",
      "--event-type",
      "sacn,scan",
      "-o",
      "json",
    ]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(
      `warning: --fields "sreial" is not a known field (did you mean 'serial'?)`,
    );
    expect(r.stderr).toContain(
      `warning: -y "ean14" is not a known symbology (did you mean 'EAN-13'?)`,
    );
    expect(r.stderr).toContain(
      `warning: --event-type "sacn" is not a known event type (did you mean 'scan'?)`,
    );
    expect(r.stderr.match(/sreial/g)).toHaveLength(1);
  });

  it("replay -s X file: a multi-value option does not swallow the file", () => {
    const file = join(mkdtempSync(join(tmpdir(), "scantail-e2e-")), "rec.ndjson");
    const event = (serial: string) =>
      JSON.stringify({
        event_id: serial,
        event_type: "scan",
        device_serial: serial,
        scan_code: "1",
      });
    writeFileSync(file, `${event("A1")}\n${event("B2")}\n`);
    const r = scantail(["replay", "-s", "B2", file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${event("B2")}\n`);
  });

  it("a stored format applies to demo and replay alike, on a pipe too; -o beats it", () => {
    const dir = mkdtempSync(join(tmpdir(), "scantail-e2e-"));
    const env = { SCANTAIL_CONFIG_DIR: dir };
    expect(scantail(["config", "set", "format", "Table"], env).code).toBe(0);
    const demo = scantail(["demo", "-n", "1", "--rate", "500", "--seed", "1"], env);
    expect(demo.stdout).toMatch(/^TIME\s+SERIAL/);
    const file = join(dir, "rec.ndjson");
    writeFileSync(
      file,
      `${JSON.stringify({ event_id: "1", event_type: "scan", device_serial: "A1" })}\n`,
    );
    expect(scantail(["replay", file], env).stdout).toMatch(/^TIME\s+SERIAL/);
    expect(scantail(["demo", "-n", "1", "--rate", "500", "-o", "json"], env).stdout).toMatch(
      /^\{"/,
    );
  });

  it("-v prints durations as people write them", () => {
    const r = scantail(["--url", "ws://127.0.0.1:1/latest/", "--no-reconnect", "-v"], {
      SCANTAIL_TOKEN: "any",
    });
    expect(r.stderr).toContain("heartbeat 30s; renew after 1h50m");
  });

  it("status: exit 3 when not signed in, 0 when a token is there to use", () => {
    const r = scantail(["status"]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^signed in\s+no$/m);
    expect(scantail(["status", "--json"]).code).toBe(3);
    const withToken = scantail(["status"], { SCANTAIL_TOKEN: "any" });
    expect(withToken.code).toBe(0);
    expect(withToken.stdout).toMatch(/^signed in\s+yes$/m);
  });

  it("errors quote what was typed escaped: an escape sequence in argv never reaches the terminal", () => {
    for (const argv of [["dm\u001b]0;x\u0007eo"], ["-o", "t\u001b[31mable"], ["--frob\u001b[2J"]]) {
      const r = scantail(argv);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("\\e");
      expect(r.stderr).not.toMatch(/\u001b/);
    }
  });
});
