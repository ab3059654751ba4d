import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  MemoryStream,
  makeContext,
  runCli,
  startCli,
  type TestContext,
} from "../helpers/context.js";
import { event } from "../helpers/ws-server.js";

/*
 * The run controls around the pipeline (src/run/execute.ts), in-process on recordings:
 * which stream gets colour, what a full-screen view silences, --highlight, a recording's
 * clock, resizes, keys, and how failing outputs and signals end a run.
 */

const dirs: string[] = [];
const contexts: TestContext[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const ctx of contexts.splice(0)) ctx.cleanup();
});

function recording(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), "scantail-execute-"));
  dirs.push(dir);
  const path = join(dir, "rec.ndjson");
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

const plainEnv = {
  NO_COLOR: undefined,
  FORCE_COLOR: undefined,
  TERM: "xterm",
  COLORTERM: undefined,
};

function context(options: Parameters<typeof makeContext>[0] = {}): TestContext {
  const ctx = makeContext({ ...options, env: { ...plainEnv, ...options.env } });
  contexts.push(ctx);
  return ctx;
}

const ESC = "\u001b[";

/** A stdout whose writes fail: the error comes back through the write callback. */
function failingStdout(message: string, afterWrites = 0): MemoryStream {
  const stdout = new MemoryStream();
  let writes = 0;
  stdout._write = (chunk, _enc, callback) => {
    if (writes++ < afterWrites) {
      stdout.chunks.push(String(chunk));
      callback();
    } else callback(Object.assign(new Error(message), { code: "EIO" }));
  };
  return stdout;
}

describe("colour follows each stream", () => {
  it("stdout is coloured only when it is a terminal, stderr only when it is one", async () => {
    const rec = recording([JSON.stringify(event({ scan_code: "ABC" }))]);
    const both = await runCli(
      ["replay", rec, "-o", "pretty", "--summary"],
      context({ stdoutTTY: true, stderrTTY: true }),
    );
    expect(both.code, both.stderr).toBe(0);
    expect(both.stdout).toContain(ESC);
    expect(both.stderr).toContain(ESC);

    const outOnly = await runCli(
      ["replay", rec, "-o", "pretty", "--summary"],
      context({ stdoutTTY: true }),
    );
    expect(outOnly.stdout).toContain(ESC);
    expect(outOnly.stderr).toMatch(/^scantail: 1 received, 1 shown/m);
    expect(outOnly.stderr).not.toContain(ESC);

    const errOnly = await runCli(
      ["replay", rec, "-o", "pretty", "--summary"],
      context({ stderrTTY: true }),
    );
    expect(errOnly.stdout).toContain("ABC");
    expect(errOnly.stdout).not.toContain(ESC);
    expect(errOnly.stderr).toContain(ESC);
  });
});

describe("a full-screen view owns the terminal", () => {
  const demo = ["demo", "--rate", "500", "--devices", "2", "--seed", "3", "-n", "3"];

  it("on a terminal its notes stay off stderr (they would scribble over the view); -v shows them", async () => {
    const view = await runCli(
      [...demo, "-o", "devices"],
      context({ stdoutTTY: true, stderrTTY: true }),
    );
    expect(view.code, view.stderr).toBe(0);
    expect(view.stderr).not.toMatch(/connected to/);
    const verbose = await runCli(
      [...demo, "-o", "devices", "-v"],
      context({ stdoutTTY: true, stderrTTY: true }),
    );
    expect(verbose.stderr).toMatch(/connected to/);
    const lines = await runCli(
      [...demo, "-o", "ndjson"],
      context({ stdoutTTY: true, stderrTTY: true }),
    );
    expect(lines.stderr).toMatch(/connected to/);
    // On a pipe the view prints once at the end and owns nothing: notes go to the terminal.
    const piped = await runCli([...demo, "-o", "devices"], context({ stderrTTY: true }));
    expect(piped.stderr).toMatch(/connected to/);
  });
});

describe("--highlight through the command line", () => {
  const rec = () =>
    recording([
      JSON.stringify(event({ scan_code: "xxABCxx" })),
      JSON.stringify(event({ scan_code: "xxabcxx" })),
    ]);

  it("marks every match in the code, case by case unless -i", async () => {
    const path = rec();
    const exact = await runCli(
      ["replay", path, "-o", "ndjson", "--highlight", "ABC"],
      context({ stdoutTTY: true }),
    );
    // ndjson takes no --highlight: the option is refused for it.
    expect(exact.code).toBe(2);
    expect(exact.stderr).toMatch(/--highlight/);

    const pretty = await runCli(
      ["replay", path, "-o", "pretty", "--highlight", "B|x", "--fields", "code"],
      context({ stdoutTTY: true }),
    );
    expect(pretty.code, pretty.stderr).toBe(0);
    const [upper, lower] = pretty.stdout.trim().split("\n");
    // Every x and the capital B are marked (global), the lower-case b is not (case counts).
    expect(upper!.split(ESC).length).toBeGreaterThan(lower!.split(ESC).length);
    const strip = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "");
    expect(strip(upper!)).toContain("xxABCxx");
    expect(strip(lower!)).toContain("xxabcxx");

    const folded = await runCli(
      ["replay", path, "-o", "pretty", "--highlight", "b", "-i", "--fields", "code"],
      context({ stdoutTTY: true }),
    );
    const [u, l] = folded.stdout.trim().split("\n");
    expect(u!.split(ESC).length).toBe(l!.split(ESC).length);
    expect(u).not.toBe(strip(u!));
  });

  it("a bad pattern is a usage error naming --highlight", async () => {
    const r = await runCli(["replay", rec(), "-o", "pretty", "--highlight", "("], context());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^scantail: invalid --highlight regular expression: /m);
    expect(r.stdout).toBe("");
  });
});

describe("a recording tells time by its newest event", () => {
  it("the devices view of a replay says how long before the newest event each device was seen", async () => {
    const t = 1_700_000_000_000;
    const rec = recording([
      JSON.stringify(event({ device_serial: "OLDER", time_created: t, time_received: t + 100 })),
      JSON.stringify(
        event({ device_serial: "NEWER", time_created: t + 90_000, time_received: t + 90_100 }),
      ),
    ]);
    const r = await runCli(
      ["replay", rec, "-o", "devices"],
      context({ now: () => t + 10 * 365 * 86_400_000 }),
    );
    expect(r.code, r.stderr).toBe(0);
    const row = (serial: string) => r.stdout.split("\n").find((l) => l.includes(serial)) ?? "";
    expect(row("OLDER"), r.stdout).toMatch(/ 1m ago$/);
    expect(row("NEWER")).toMatch(/ just now$/);
  });
});

describe("the terminal changes size", () => {
  it("a table laid out at 120 columns is laid out again at 60 after a resize", async () => {
    const ctx = context({ stdoutTTY: true, columns: 120, rows: 40 });
    let resize: (() => void) | undefined;
    let stopped = false;
    ctx.onResize = (listener) => {
      resize = listener;
      return () => {
        stopped = true;
      };
    };
    const { done } = startCli(["replay", "-", "-o", "table"], ctx);
    const long = "L".repeat(150);
    ctx.stdinStream.write(
      `${JSON.stringify(event({ scan_code: long, customer_station_name: "Station" }))}\n`,
    );
    await ctx.stdout.waitFor((t) => t.includes("LLLL"));
    const wide = ctx.stdout.lines.filter((l) => l.includes("LLLL")).at(-1)!;
    ctx.stdout.columns = 60;
    resize!();
    ctx.stdinStream.write(`${JSON.stringify(event({ scan_code: long }))}\n`);
    ctx.stdinStream.end();
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    const narrow = ctx.stdout.lines.filter((l) => l.includes("LLLL")).at(-1)!;
    const width = (s: string) => s.replace(/\u001b\[[0-9;]*m/g, "").length;
    expect(width(wide)).toBeGreaterThan(60);
    expect(width(wide)).toBeLessThanOrEqual(120);
    expect(width(narrow)).toBeLessThanOrEqual(60);
    expect(stopped).toBe(true);
  });
});

describe("keys in a full-screen view", () => {
  it("other keys do nothing; Q quits like q", async () => {
    const ctx = context({ stdoutTTY: true, columns: 100, rows: 20 });
    const modes: boolean[] = [];
    Object.assign(ctx.stdinStream, {
      isTTY: true,
      setRawMode: (mode: boolean) => modes.push(mode),
    });
    const { done } = startCli(
      ["demo", "--rate", "200", "--devices", "2", "--seed", "1", "-o", "devices"],
      ctx,
    );
    await ctx.stdout.waitFor((t) => t.includes("scantail devices"));
    const titles = () => ctx.stdout.text.split("scantail devices").length;
    ctx.stdinStream.write("x");
    ctx.stdinStream.write(" ");
    const shown = titles();
    // A view that quit on those keys ends; one that did not draws its title again.
    const first = await Promise.race([
      done.then(() => "ended"),
      ctx.stdout.waitFor(() => titles() >= shown + 2).then(() => "running"),
    ]);
    expect(first).toBe("running");
    ctx.stdinStream.write("Q");
    const r = await done;
    expect(r.code).toBe(0);
    expect(modes).toEqual([true, false]);
  });
});

describe("outputs that fail", () => {
  it("stdout failing mid-run ends it with 1 and says why, once", async () => {
    const rec = recording([JSON.stringify(event()), JSON.stringify(event())]);
    const ctx = context({ stdout: failingStdout("i/o error") });
    const r = await runCli(["replay", rec, "-o", "ndjson"], ctx);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not write to stdout: i\/o error/);
    expect(r.stderr.match(/could not write/g)).toHaveLength(1);
  });

  it("a view that writes only at the end on a pipe: its failure is a warning and exit 1", async () => {
    const rec = recording([JSON.stringify(event())]);
    const ctx = context({ stdout: failingStdout("i/o error") });
    const r = await runCli(["replay", rec, "-o", "devices"], ctx);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/scantail: .*could not write to stdout: i\/o error/);
  });

  it("--tee to a full disk ends the run with 1, naming the file", async () => {
    const rec = recording([JSON.stringify(event())]);
    const r = await runCli(["replay", rec, "-o", "ndjson", "--tee", "/dev/full"], context());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^scantail: could not write to --tee file \/dev\/full: ENOSPC/m);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("a closed stdout pipe ends quietly on a pipe, with the summary for a person watching", async () => {
    const rec = recording([
      JSON.stringify(event()),
      JSON.stringify(event()),
      JSON.stringify(event()),
    ]);
    const closing = () => {
      const stdout = new MemoryStream();
      stdout._write = (_chunk, _enc, callback) =>
        callback(Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
      return stdout;
    };
    const piped = await runCli(
      ["replay", rec, "-o", "ndjson", "--summary"],
      context({ stdout: closing() }),
    );
    expect(piped.code).toBe(0);
    expect(piped.stderr).toBe("");
    const watched = await runCli(
      ["replay", rec, "-o", "ndjson"],
      context({ stdout: closing(), stderrTTY: true }),
    );
    expect(watched.code).toBe(0);
    expect(watched.stderr).toMatch(/^scantail: 3 received/m);
    expect(watched.stderr).not.toMatch(/could not write/);
  });

  it("a render failure of one event is a warning; the others are written", async () => {
    // Nested deeper than JSON.stringify can recurse on Node 20–24 (Node 26 writes it
    // iteratively): the template cannot write {{deep}} there. Either way no event is
    // dropped silently: written whole, or named in a warning.
    const deep = `${"[".repeat(20_000)}${"]".repeat(20_000)}`;
    const first = JSON.stringify(event({ scan_code: "BAD" })).replace(/}$/, `,"deep":${deep}}`);
    const rec = recording([first, JSON.stringify(event({ scan_code: "GOOD", deep: 1 }))]);
    const r = await runCli(
      ["replay", rec, "-o", "template", "--template", "{{code}} {{deep}}"],
      context(),
    );
    expect(r.code, r.stderr).toBe(0);
    let engineWritesIt = true;
    try {
      JSON.stringify(JSON.parse(deep));
    } catch {
      engineWritesIt = false;
    }
    if (engineWritesIt) {
      expect(r.stdout).toBe(`BAD ${deep}\nGOOD 1\n`);
      expect(r.stderr).not.toMatch(/could not display/);
    } else {
      expect(r.stdout).toBe("GOOD 1\n");
      expect(r.stderr).toMatch(/^scantail: warning: could not display an event: /m);
    }
  });
});

describe("signals", () => {
  it("SIGTERM while stdout is not read ends the run with 143 at once", async () => {
    const stuck = new MemoryStream({ highWaterMark: 16 });
    stuck._write = () => {};
    const ctx = context({ stdout: stuck });
    const { done } = startCli(["replay", "-", "-o", "ndjson"], ctx);
    for (let i = 0; i < 50; i++) ctx.stdinStream.write(`${JSON.stringify(event())}\n`);
    await new Promise((resolve) => setImmediate(resolve));
    ctx.abort("SIGTERM");
    expect((await done).code).toBe(143);
  });

  it("a usage error still wins over a signal that came meanwhile", async () => {
    const ctx = context();
    ctx.abort("SIGINT");
    const dir = mkdtempSync(join(tmpdir(), "scantail-execute-"));
    dirs.push(dir);
    const r = await runCli(["replay", recording(["{}"]), "--tee", dir], ctx);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^scantail: cannot append to --tee file .*: it is a directory$/m);
  });

  it("other failures after a signal end with the signal's code", async () => {
    const ctx = context();
    ctx.abort("SIGTERM");
    const r = await runCli(["replay", recording([JSON.stringify(event())]), "-o", "ndjson"], ctx);
    expect(r.code).toBe(143);
  });
});
