import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { idKey, liveDedupe } from "../../src/run/dedupe.js";
import { makeContext, runCli, startCli } from "../helpers/context.js";
import { event, startTestServer } from "../helpers/ws-server.js";

/*
 * Hostile servers, odd files and blocked pipes: each case broke scantail once (issue
 * "Unbreakable"); each test here failed before its fix.
 */
const BIN = join(import.meta.dirname, "../../bin/scantail.js");
const tmp = () => mkdtempSync(join(tmpdir(), "scantail-hostile-"));
const deep = (depth: number) =>
  `{"event_id":"deep","event_type":"scan","a" : ${"[".repeat(depth)}${"]".repeat(depth)} }`;

function spawnBin(args: string[], options: { stdio?: Array<"pipe" | "ignore" | number> } = {}) {
  return spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, SCANTAIL_CONFIG_DIR: tmp(), NO_COLOR: "1", SCANTAIL_TOKEN: "t" },
    stdio: options.stdio ?? ["pipe", "pipe", "pipe"],
  });
}

async function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = await once(child, "exit");
  return code as number | null;
}

describe("hostile frames", () => {
  it("a small frame nested thousands deep neither kills a piped tail nor loses its batch", async () => {
    const server = await startTestServer({
      onConnection: (ws) => {
        ws.send(JSON.stringify(event({ event_id: "before" })));
        ws.send(deep(8000));
        ws.send(JSON.stringify(event({ event_id: "after" })));
      },
    });
    const ctx = makeContext({ env: { SCANTAIL_TOKEN: "t" } });
    const r = await runCli(["--url", server.url, "-o", "ndjson", "-n", "3"], ctx);
    await server.close();
    expect(r.code).toBe(0);
    const ids = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).event_id);
    expect(ids).toEqual(["before", "deep", "after"]);
    expect(r.stderr).not.toMatch(/call stack/);
  });

  it("the same frame in a recording, under every format", async () => {
    const file = join(tmp(), "deep.ndjson");
    writeFileSync(file, `${deep(8000)}\n${JSON.stringify(event({ event_id: "ok" }))}\n`);
    for (const format of ["ndjson", "pretty", "table", "csv", "tsv", "devices"]) {
      const r = await runCli(["replay", file, "-o", format, "--tee", join(tmp(), "t.ndjson")]);
      expect(r.code, `${format}: ${r.stderr}`).toBe(0);
      expect(r.stderr).not.toMatch(/unexpected error/);
    }
  });

  it.each([
    ['{"event_id":null}'],
    ['{"event_type":false}'],
    ['{"event_id":{}}'],
    ['{"event_id":[]}'],
  ])("%s never reaches stdout", async (frame) => {
    const server = await startTestServer({
      onConnection: (ws) => {
        ws.send(frame);
        ws.send(JSON.stringify(event({ event_id: "real" })));
      },
    });
    const r = await runCli(
      ["--url", server.url, "-o", "ndjson", "-n", "1", "--summary"],
      makeContext({ env: { SCANTAIL_TOKEN: "t" } }),
    );
    await server.close();
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).event_id),
    ).toEqual(["real"]);
    expect(r.stderr).toMatch(/1 invalid/);
  });

  it("a filter never hides a frame that is not an event (API Gateway's own texts)", async () => {
    const server = await startTestServer({
      onConnection: (ws) => {
        ws.send("Internal server error");
        ws.send('{"message":"Forbidden","connectionId":"c","requestId":"r"}');
        ws.send(JSON.stringify(event({ device_serial: "M2SR121103132" })));
      },
    });
    const r = await runCli(
      ["--url", server.url, "-o", "ndjson", "-n", "1", "-s", "M2SR121103132", "--summary"],
      makeContext({ env: { SCANTAIL_TOKEN: "t" } }),
    );
    await server.close();
    expect(r.stderr).toMatch(/Internal server error/);
    expect(r.stderr).toMatch(/Forbidden/);
    expect(r.stderr).toMatch(/2 invalid/);
    expect(r.stderr).toMatch(/0 filtered out/);
  });
});

describe("memory stays bounded by bytes, not entries", () => {
  it("keeps long ids as fixed-size digests, short ones as they are", () => {
    const long = "x".repeat(1_000_000);
    expect(idKey(long).length).toBeLessThan(64);
    expect(idKey("5a2eb866-f037-4b19-8122-82692ff64f93")).toBe(
      "5a2eb866-f037-4b19-8122-82692ff64f93",
    );
    expect(idKey(long)).not.toBe(idKey(`${long}y`));
    const recent = liveDedupe(() => 1_700_000_000_000);
    expect(recent.seen(long, 1_700_000_000_000)).toBe(false);
    expect(recent.seen(long, 1_700_000_000_000)).toBe(true);
    expect(recent.seen(`${long}y`, 1_700_000_000_000)).toBe(false);
  });
});

describe("odd files", () => {
  it("replays a named FIFO without killing its writer", async () => {
    const dir = tmp();
    const fifo = join(dir, "feed.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const child = spawnBin(["replay", fifo, "-o", "ndjson"]);
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
    });
    // The writer: opening blocks until scantail opens the read end.
    const writer = spawn("sh", [
      "-c",
      `printf '%s\\n%s\\n' '{"event_id":"a"}' '{"event_id":"b"}' > ${fifo}`,
    ]);
    const [writerCode, writerSignal] = await once(writer, "exit");
    expect(writerSignal).toBeNull();
    expect(writerCode).toBe(0);
    expect(await exitOf(child)).toBe(0);
    expect(out.trim().split("\n")).toHaveLength(2);
  });

  it("drops a UTF-8 byte-order mark instead of line 1", async () => {
    const file = join(tmp(), "bom.ndjson");
    writeFileSync(file, `\ufeff${JSON.stringify(event({ event_id: "first" }))}\n`);
    const r = await runCli(["replay", file, "-o", "ndjson", "--summary"]);
    expect(r.stdout).toContain('"first"');
    expect(r.stderr).toMatch(/0 invalid/);
  });

  it("reports an over-long line by number and skips it without holding it (also with -s)", async () => {
    const file = join(tmp(), "long.ndjson");
    const fd = openSync(file, "w");
    writeSync(fd, `${JSON.stringify(event({ event_id: "one" }))}\n`);
    const block = Buffer.alloc(1 << 20, 0x61);
    writeSync(fd, '{"pad":"');
    for (let i = 0; i < 20; i++) writeSync(fd, block);
    writeSync(fd, '"}\n');
    writeSync(fd, `${JSON.stringify(event({ event_id: "three" }))}\n`);
    closeSync(fd);
    for (const extra of [[], ["-s", "M2SR121103132"]]) {
      const r = await runCli(["replay", file, "-o", "ndjson", ...extra]);
      expect(r.code).toBe(0);
      expect(
        r.stdout
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).event_id),
      ).toEqual(["one", "three"]);
      expect(r.stderr).toMatch(/line 2: line longer than 16 MiB/);
    }
  });
});

describe("odd values", () => {
  it("--fields names that live on Object.prototype neither crash nor reach the terminal raw", async () => {
    const file = join(tmp(), "r.ndjson");
    writeFileSync(file, `${JSON.stringify(event({ constructor: "real" }))}\n`);
    const fields = "__proto__,constructor,toString,\u001b]0;x\u0007";
    for (const format of ["pretty", "table", "csv", "tsv", "ndjson"]) {
      const r = await runCli(["replay", file, "-o", format, "--fields", fields]);
      expect(r.code, `${format}: ${r.stderr}`).toBe(0);
      expect(r.stdout + r.stderr).not.toContain("\u001b]0;x");
      if (format === "ndjson") expect(JSON.parse(r.stdout)).toEqual({ constructor: "real" });
      else expect(r.stdout).toContain("real");
    }
  });

  it("--timeout longer than a Node timer can wait (30d) does not fire at once", async () => {
    const file = join(tmp(), "r.ndjson");
    writeFileSync(file, `${JSON.stringify(event())}\n`);
    const r = await runCli(["replay", file, "-o", "ndjson", "-n", "1", "--timeout", "30d"]);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/TimeoutOverflow/);
  });

  it("/dev/zero with a filter: memory stays bounded and Ctrl-C ends it", async () => {
    const { done, ctx } = startCli(["replay", "/dev/zero", "-s", "M2SR121103132", "-o", "ndjson"]);
    const before = process.memoryUsage().rss;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const grown = process.memoryUsage().rss - before;
    ctx.abort("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
    expect(grown).toBeLessThan(200 * 1024 * 1024);
  });
});

describe("signals always end the run", () => {
  it("SIGINT while replay - waits for a silent writer", async () => {
    const { done, ctx } = startCli(["replay", "-", "-o", "ndjson"]);
    ctx.stdinStream.write(`${JSON.stringify(event())}\n`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    ctx.abort("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
    expect(r.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("SIGTERM while stdout is blocked (`| sleep`) ends the run with 143 and the summary", async () => {
    let sent!: () => void;
    const allSent = new Promise<void>((resolve) => {
      sent = resolve;
    });
    const server = await startTestServer({
      onConnection: (ws) => {
        const big = JSON.stringify(event({ pad: "p".repeat(4000) }));
        for (let i = 0; i < 2000; i++) ws.send(big, i === 1999 ? () => sent() : undefined);
      },
    });
    const err = join(tmp(), "stderr.txt");
    // A reader that never reads: once the pipe is full every write waits.
    const shell = spawn(
      "sh",
      [
        "-c",
        `"${process.execPath}" "${BIN}" --url ${server.url} -o ndjson --summary 2>"${err}" | sleep 30`,
      ],
      {
        env: { ...process.env, SCANTAIL_CONFIG_DIR: tmp(), NO_COLOR: "1", SCANTAIL_TOKEN: "t" },
        stdio: "ignore",
        detached: true,
      },
    );
    const pid = async () => {
      for (let i = 0; i < 100; i++) {
        const found = spawnSync("pgrep", ["-f", `${BIN} --url ${server.url}`], {
          encoding: "utf8",
        });
        if (found.stdout.trim()) return Number(found.stdout.trim().split("\n")[0]);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error("scantail did not start");
    };
    const node = await pid();
    // 8 MB for a 64 KB pipe: once the server has sent it all, scantail is waiting to write.
    await allSent;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const started = Date.now();
    process.kill(node, "SIGTERM");
    while (spawnSync("kill", ["-0", String(node)]).status === 0) {
      if (Date.now() - started > 5000) break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const elapsed = Date.now() - started;
    process.kill(-shell.pid!, "SIGKILL"); // the shell and its sleep
    await server.close();
    expect(elapsed).toBeLessThan(2500);
    expect(readFileSync(err, "utf8")).toMatch(/received/);
  });
});

describe("--tee", () => {
  it("to /dev/full fails at once with exit 1 and the reason", async () => {
    if (!existsSync("/dev/full")) throw new Error("/dev/full is missing on this machine");
    const file = join(tmp(), "r.ndjson");
    writeFileSync(
      file,
      `${Array.from({ length: 50 }, () => JSON.stringify(event())).join("\n")}\n`,
    );
    const r = await runCli(["replay", file, "-o", "ndjson", "--tee", "/dev/full"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not write to --tee file \/dev\/full: .*(ENOSPC|no space)/i);
  });

  it("to a FIFO without a reader does not block signals", async () => {
    const fifo = join(tmp(), "tee.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    const file = join(tmp(), "r.ndjson");
    writeFileSync(file, `${JSON.stringify(event())}\n`);
    const { done, ctx } = startCli(["replay", file, "-o", "ndjson", "--tee", fifo]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    ctx.abort("SIGINT");
    const r = await done;
    expect(r.code).toBe(130);
  });
});
