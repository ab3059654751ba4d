import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FORMAT_NAMES } from "../../src/format/names.js";

const BIN = join(import.meta.dirname, "../../bin/scantail.js");
const work = mkdtempSync(join(tmpdir(), "scantail-completion-"));
const configDir = join(work, "config");
const env = { ...process.env, SCANTAIL_CONFIG_DIR: configDir, NO_COLOR: "1" };

function runBin(args: string[], extraEnv: Record<string, string> = {}) {
  return spawnSync(process.execPath, [BIN, ...args], {
    env: { ...env, ...extraEnv },
    encoding: "utf8",
    timeout: 20_000,
  });
}

function script(shell: string): string {
  const r = runBin(["completion", shell]);
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const file = join(work, `scantail.${shell}`);
  writeFileSync(file, r.stdout);
  return file;
}

let bashFile: string;
/** Sources the bash script and calls its function as bash does on Tab: COMPREPLY. */
function bashComplete(...words: string[]): string[] {
  const quoted = words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(" ");
  const r = spawnSync(
    "bash",
    [
      "-c",
      `source '${bashFile}'
COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}
_scantail
printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { env, encoding: "utf8", cwd: work },
  );
  expect(r.stderr).toBe("");
  return r.stdout.split("\n").filter(Boolean);
}

beforeAll(() => {
  mkdirSync(configDir, { recursive: true });
  writeFileSync(
    join(configDir, "config.json"),
    JSON.stringify({
      profiles: {
        default: { customer: "c1", auth: { source: "stdin", accessToken: "SECRET-TOKEN" } },
        staging: {},
        // A name a shell would expand: never offered.
        "x$(touch pwned)": {},
      },
    }),
  );
  writeFileSync(join(work, "events.ndjson"), "");
  bashFile = script("bash");
});

describe("scantail completion bash", () => {
  it("completes command names", () => {
    expect(bashComplete(BIN, "de")).toEqual(["demo"]);
    expect(bashComplete(BIN, "")).toEqual(expect.arrayContaining(["tail", "replay", "config"]));
    expect(bashComplete(BIN, "help", "dem")).toEqual(["demo"]);
  });

  it("completes the options of the command being typed, the program's own included", () => {
    expect(bashComplete(BIN, "demo", "--fo")).toEqual(["--format"]);
    expect(bashComplete(BIN, "demo", "--ra")).toEqual(["--rate"]);
    expect(bashComplete(BIN, "replay", "--re")).toEqual(["--realtime"]);
    expect(bashComplete(BIN, "status", "--pro")).toEqual(["--profile"]);
    // No command yet: the default command's (tail's) options.
    expect(bashComplete(BIN, "--heart")).toEqual(["--heartbeat"]);
  });

  it("offers every option --help shows, for every command", () => {
    for (const command of [
      "tail",
      "demo",
      "simulate",
      "replay",
      "events",
      "login",
      "doctor",
      "forward",
    ]) {
      // The options, not the examples (`jq -r` is no option of scantail's).
      const help = runBin([command, "--help"]).stdout.split("\nExamples:")[0]!;
      const flags = [
        ...new Set(help.match(/(?<=^ {2}(?:-\w, )?)--?[a-zA-Z][\w-]*|(?<=^ {2})-\w(?=,)/gm)),
      ];
      expect(flags.length).toBeGreaterThan(2);
      expect(bashComplete(BIN, command, "-")).toEqual(expect.arrayContaining(flags));
    }
  });

  it("completes format names after -o, --format and --format=", () => {
    expect(bashComplete(BIN, "demo", "-o", "")).toEqual([...FORMAT_NAMES]);
    expect(bashComplete(BIN, "-o", "nd")).toEqual(["ndjson"]);
    // bash splits --format=nd at the = (COMP_WORDBREAKS).
    expect(bashComplete(BIN, "replay", "--format", "=", "")).toEqual([...FORMAT_NAMES]);
    // An option's value is not taken for the command name.
    expect(bashComplete(BIN, "-o", "table", "de")).toEqual(["demo"]);
  });

  it("completes the values of --time, --color, --token-kind, -y, config and completion", () => {
    expect(bashComplete(BIN, "--time", "")).toEqual(["local", "utc", "relative", "epoch"]);
    expect(bashComplete(BIN, "demo", "--color", "")).toEqual(["auto", "always", "never"]);
    expect(bashComplete(BIN, "doctor", "--token-kind", "")).toEqual(["access", "id"]);
    expect(bashComplete(BIN, "-y", "ean")).toEqual(["ean13", "ean13+2", "ean13+5", "ean8"]);
    expect(bashComplete(BIN, "-y", "ean13", "-y", "qr")).toEqual(["qrcode"]);
    // An option's value is not taken for the command name.
    expect(bashComplete(BIN, "-y", "ean13", "de")).toEqual(["demo"]);
    expect(bashComplete(BIN, "config", "")).toEqual(["get", "set", "unset", "list", "path"]);
    expect(bashComplete(BIN, "config", "set", "tok")).toEqual(["tokenKind"]);
    expect(bashComplete(BIN, "completion", "")).toEqual(["bash", "zsh", "fish"]);
  });

  it("completes stored profile names, asking the binary, and file names for replay", () => {
    expect(bashComplete(BIN, "--profile", "")).toEqual(["default", "staging"]);
    expect(existsSync(join(work, "pwned"))).toBe(false);
    expect(bashComplete(BIN, "replay", "eve")).toEqual(["events.ndjson"]);
  });
});

describe("scantail completion --list-profiles", () => {
  it("prints profile names only, never a secret", () => {
    const r = runBin(["completion", "--list-profiles"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("default\nstaging\n");
    expect(r.stdout + r.stderr).not.toContain("SECRET");
  });

  it("prints nothing, and creates nothing, without a readable store", () => {
    const missing = join(work, "no-config");
    const r = runBin(["completion", "--list-profiles"], { SCANTAIL_CONFIG_DIR: missing });
    expect([r.status, r.stdout, r.stderr]).toEqual([0, "", ""]);
    expect(existsSync(missing)).toBe(false);
    const corrupt = join(work, "corrupt");
    mkdirSync(corrupt);
    writeFileSync(join(corrupt, "config.json"), "{not json");
    const c = runBin(["completion", "--list-profiles"], { SCANTAIL_CONFIG_DIR: corrupt });
    expect([c.status, c.stdout, c.stderr]).toEqual([0, "", ""]);
  });
});

describe("scantail completion zsh and fish", () => {
  it("the zsh script passes zsh -n", () => {
    const r = spawnSync("zsh", ["-n", script("zsh")], { encoding: "utf8" });
    expect(r.error, "zsh is needed (.ci/run installs it)").toBeUndefined();
    expect([r.status, r.stderr]).toEqual([0, ""]);
  });

  it("the zsh script completes commands, options and values (zsh's builtins stubbed)", () => {
    const file = script("zsh");
    // Outside a completion widget words, CURRENT and PREFIX are plain parameters, so the
    // function can be called with the builtins it hands candidates to replaced by stubs
    // that print what they were given, matched against PREFIX as zsh would.
    const complete = (...words: string[]) =>
      spawnSync(
        "zsh",
        [
          "-f",
          "-c",
          `source '${file}'
match() { local w; for w in "$@"; do [[ $w == "$PREFIX"* ]] && print -r -- $w; done }
compadd() { if [[ $1 == -a ]]; then match "\${(P@)2}"; else match "$@"; fi }
_describe() { local -a items; items=("\${(P@)4}"); match "\${items[@]%%:*}"; }
compset() { [[ $1 == -P ]] && PREFIX=\${PREFIX#*=}; }
_files() { print -r -- FILES; }
words=("$@"); CURRENT=$#; PREFIX=\${words[-1]}
_scantail`,
          "zsh",
          ...words,
        ],
        { env, encoding: "utf8" },
      )
        .stdout.split("\n")
        .filter(Boolean);
    expect(complete("scantail", "de")).toEqual(["demo"]);
    expect(complete("scantail", "demo", "--fo")).toEqual(["--format"]);
    expect(complete("scantail", "demo", "-o", "")).toEqual([...FORMAT_NAMES]);
    expect(complete("scantail", "--format=nd")).toEqual(["ndjson"]);
    expect(complete("scantail", "-y", "ean13", "-y", "qr")).toEqual(["qrcode"]);
    expect(complete("scantail", "config", "set", "tok")).toEqual(["tokenKind"]);
    expect(complete("scantail", "replay", "")).toEqual(["FILES"]);
  });

  it("the fish script passes fish --no-execute and completes in fish", () => {
    const file = script("fish");
    const check = spawnSync("fish", ["--no-execute", file], { encoding: "utf8" });
    expect(check.error, "fish is needed (.ci/run installs it)").toBeUndefined();
    expect([check.status, check.stderr]).toEqual([0, ""]);
    const complete = (line: string) =>
      spawnSync("fish", ["-c", `source '${file}'; complete -C '${line}' | cut -f1`], {
        env: { ...env, HOME: work, XDG_CONFIG_HOME: work, XDG_DATA_HOME: work },
        encoding: "utf8",
      })
        .stdout.split("\n")
        .filter(Boolean);
    expect(complete("scantail demo -o ")).toEqual([...FORMAT_NAMES].sort());
    expect(complete("scantail demo --fo")).toEqual(["--format"]);
    expect(complete("scantail conf")).toEqual(["config"]);
  });
});

describe("scantail completion without a known shell", () => {
  it("exits 2 with one line naming the shells", () => {
    for (const args of [["completion"], ["completion", "tcsh"]]) {
      const r = runBin(args);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toMatch(/bash, zsh, fish/);
    }
  });
});
