import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import type { WebSocket } from "ws";
import { MIN_HEALTHY_MS } from "../../src/feed/policy.js";
import { type MemoryStream, makeContext, runCli, startCli } from "../helpers/context.js";
import { startFakeAuth } from "../helpers/fake-auth.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});
const ctx = (extra: Parameters<typeof makeContext>[0] = {}) =>
  makeContext({ ...extra, env: { SCANTAIL_TOKEN: "resilience-token", ...extra.env } });
/** Every backoff takes 0 ms: no test waits through a real one. */
const noJitter = () => 0;
/**
 * A clock the test moves on: connections "live" as long as the test says, so a 20 ms
 * connection can count as a healthy one.
 */
function testClock() {
  let skew = 0;
  return { now: () => Date.now() + skew, advance: (ms: number) => (skew += ms) };
}
const ids = (stdout: string) =>
  stdout
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l).event_id as string);

describe("reconnect", () => {
  it("a drop mid-stream with an overlapping resend: every event exactly once, in order", async () => {
    const events = Array.from({ length: 8 }, () => event());
    server = await startTestServer({
      onConnection: (ws, n) => {
        if (n === 1) {
          for (const e of events.slice(0, 5)) ws.send(JSON.stringify(e));
          setTimeout(() => ws.terminate(), 50);
        } else {
          for (const e of events.slice(2)) ws.send(JSON.stringify(e));
        }
      },
    });
    // 0.01 of the first ceiling: a real delay of a few ms, so the message shows one.
    const r = await runCli(
      ["--url", server.url, "-n", "8", "--summary"],
      ctx({ random: () => 0.01 }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual(events.map((e) => e.event_id));
    expect(r.stderr).toMatch(/3 duplicates dropped, 1 reconnect/);
    // A real problem is reported even on a pipe; a 50 ms connection was a failed attempt.
    expect(r.stderr).toMatch(
      /closed by server \(1006 abnormal closure\).*reconnecting in \d+ms \(attempt 2\)/,
    );
  });

  it("1001 Going Away after a healthy connection reconnects at once, quietly, without counting as a failure", async () => {
    const clock = testClock();
    server = await startTestServer({
      onConnection: (ws, n) => {
        ws.send(JSON.stringify(event()));
        if (n <= 3)
          setTimeout(() => {
            clock.advance(MIN_HEALTHY_MS);
            ws.close(1001, "Going away");
          }, 20);
      },
    });
    const started = Date.now();
    const r = await runCli(
      ["--url", server.url, "-n", "4", "--max-retries", "1"],
      ctx({ now: clock.now }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(server.requests).toHaveLength(4);
    expect(r.stderr).toBe(""); // routine on a pipe: nothing to say
  });

  it("on a terminal, status lines say connected / reconnecting / renewed", async () => {
    const clock = testClock();
    server = await startTestServer({
      onConnection: (ws, n) => {
        ws.send(JSON.stringify(event()));
        if (n === 1)
          setTimeout(() => {
            clock.advance(MIN_HEALTHY_MS);
            ws.close(1001, "Going away");
          }, 20);
      },
    });
    const r = await runCli(
      ["--url", server.url, "-n", "2", "-o", "ndjson"],
      ctx({ stderrTTY: true, now: clock.now }),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/connected to ws:\/\/127\.0\.0\.1:\d+\/latest\//);
    // The first attempt after a healthy connection carries no attempt number.
    expect(r.stderr).toMatch(/closed by server \(1001 going away "Going away"\); reconnecting now/);
    expect(r.stderr).not.toMatch(/attempt/);
    expect(r.stderr, r.stderr).toMatch(/reconnected/);
  });

  it("1001 at once after every handshake is a failed attempt: --max-retries 2 gives up after 2", async () => {
    server = await startTestServer({
      onConnection: (ws) => {
        ws.send(JSON.stringify(event()));
        ws.close(1001, "Going away");
      },
    });
    const r = await runCli(
      ["--url", server.url, "--max-retries", "2", "-o", "ndjson"],
      ctx({ random: noJitter }),
    );
    expect(r.code, r.stderr).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(r.stderr).toMatch(/reconnecting now \(attempt 2 of 2\)/);
    expect(r.stderr).toMatch(
      /gave up after 2 failed connection attempts in a row: closed by server \(1001 going away/,
    );
  });

  it("demo --drop-after 1ms --max-retries 2 gives up after 2 attempts (exit 1)", async () => {
    const r = await runCli(
      ["demo", "--drop-after", "1ms", "--max-retries", "2", "-o", "ndjson"],
      ctx({ random: noJitter }),
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/gave up after 2 failed connection attempts in a row/);
  });

  it("handshake 500, 429 and 502 are retried with backoff, then the feed flows", async () => {
    const statuses = [500, 429, 502];
    server = await startTestServer({
      onUpgrade: (_req, attempt) => statuses[attempt - 1],
      onConnection: (ws) => ws.send(JSON.stringify(event())),
    });
    const r = await runCli(["--url", server.url, "-n", "1"], ctx({ random: noJitter }));
    expect(r.code, r.stderr).toBe(0);
    expect(server.requests).toHaveLength(4);
    expect(r.stderr).toMatch(/HTTP 500.*attempt 2/);
    expect(r.stderr).toMatch(/HTTP 429.*attempt 3/);
    expect(r.stderr).toMatch(/HTTP 502.*attempt 4/);
  });

  it("other 4xx stop with a clear message (exit 1)", async () => {
    server = await startTestServer({ onUpgrade: () => 404 });
    const r = await runCli(["--url", server.url], ctx());
    expect(r.code).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(r.stderr).toMatch(/answered the handshake with HTTP 404/);
  });

  it("--max-retries 2 gives up (exit 1) after 2 failed attempts in a row", async () => {
    server = await startTestServer({ onUpgrade: () => 503 });
    const r = await runCli(["--url", server.url, "--max-retries", "2"], ctx({ random: noJitter }));
    expect(r.code).toBe(1);
    expect(server.requests).toHaveLength(2);
    expect(r.stderr).toMatch(/gave up after 2 failed connection attempts in a row/);
  });

  it("a connection refused by the OS is retried too, and --no-reconnect exits 1 at once", async () => {
    const a = await runCli(["--url", "ws://127.0.0.1:1/latest/", "--no-reconnect"], ctx());
    expect(a.code).toBe(1);
    expect(a.stderr).toMatch(
      /could not connect to ws:\/\/127.0.0.1:1\/latest\/: connect ECONNREFUSED/,
    );
    const b = await runCli(
      ["--url", "ws://127.0.0.1:1/latest/", "--max-retries", "3"],
      ctx({ random: noJitter }),
    );
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/gave up after 3 failed/);
  });

  it("a run that never connected counts no reconnects, and says which attempt of how many", async () => {
    const r = await runCli(
      ["--url", "ws://127.0.0.1:1/latest/", "--max-retries", "4", "--summary"],
      ctx({ random: noJitter }),
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/ECONNREFUSED.*; retrying now \(attempt 4 of 4\)/);
    expect(r.stderr).toMatch(/0 received, 0 shown, 0 filtered out, 0 invalid in/);
    expect(r.stderr).not.toMatch(/reconnect/);
  });

  it("401 on a reconnect → one refresh → success", async () => {
    const auth = await startFakeAuth();
    try {
      const login = makeContext({ env: { SCANTAIL_COGNITO_ENDPOINT: auth.cognitoUrl } });
      login.stdinStream.end("correct horse battery staple");
      const l = await runCli(
        [
          "login",
          "--base-url",
          auth.baseUrl,
          "--customer",
          "12345",
          "--username",
          "worker@example.com",
          "--password-stdin",
        ],
        login,
      );
      expect(l.code, l.stderr).toBe(0);
      const clock = testClock();
      server = await startTestServer({
        onUpgrade: (_req, attempt) => (attempt === 2 ? 401 : undefined),
        onConnection: (ws, n) => {
          ws.send(JSON.stringify(event()));
          if (n === 1)
            setTimeout(() => {
              clock.advance(MIN_HEALTHY_MS);
              ws.close(1001);
            }, 20);
        },
      });
      const tail = makeContext({
        configDir: login.configDir,
        env: { SCANTAIL_COGNITO_ENDPOINT: auth.cognitoUrl },
        now: clock.now,
      });
      const r = await runCli(["--url", server.url, "-n", "2"], tail);
      expect(r.code, r.stderr).toBe(0);
      expect(auth.cognitoCalls.map((c) => c.AuthFlow)).toEqual([
        "USER_PASSWORD_AUTH",
        "REFRESH_TOKEN_AUTH",
      ]);
      const tokens = server.requests.map((u) => new URL(u, "ws://x").searchParams.get("token"));
      expect(tokens).toEqual([
        auth.issued[0]!.accessToken,
        auth.issued[0]!.accessToken,
        auth.issued[1]!.accessToken,
      ]);
    } finally {
      await auth.close();
    }
  });
});

describe("heartbeat", () => {
  it("a stalled server (no pong, no frames) is replaced within a few seconds with --heartbeat 1s", async () => {
    const first = event();
    const second = event();
    server = await startTestServer({
      autoPong: false,
      onConnection: (ws: WebSocket, n) => {
        if (n === 1)
          ws.send(JSON.stringify(first)); // then silence: no pong, nothing
        else {
          ws.on("ping", (d) => ws.pong(d));
          ws.send(JSON.stringify(second));
        }
      },
    });
    const started = Date.now();
    const r = await runCli(
      ["--url", server.url, "-n", "2", "--heartbeat", "1s"],
      ctx({ random: noJitter }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual([first.event_id, second.event_id]);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.stderr).toMatch(/no answer to heartbeat ping; reconnecting/);
  });
});

describe("renewal before the 2-hour cut", () => {
  it("opens the new connection before closing the old one (make before break), no event lost or repeated", async () => {
    const timeline: string[] = [];
    const events = Array.from({ length: 6 }, () => event());
    server = await startTestServer({
      onConnection: (ws, n) => {
        timeline.push(`open ${n}`);
        ws.on("close", (code) => timeline.push(`close ${n} ${code}`));
        if (n === 1) {
          for (const e of events.slice(0, 3)) ws.send(JSON.stringify(e));
          // Keeps sending while the renewal happens: overlap is de-duplicated.
          const timer = setInterval(
            () => ws.readyState === ws.OPEN && ws.send(JSON.stringify(events[3])),
            50,
          );
          ws.on("close", () => clearInterval(timer));
        } else {
          for (const e of events.slice(3)) ws.send(JSON.stringify(e));
        }
      },
    });
    const r = await runCli(
      ["--url", server.url, "-n", "6", "--renew-after", "1s"],
      ctx({ stderrTTY: true }),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual(events.map((e) => e.event_id));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(timeline.indexOf("open 2")).toBeGreaterThan(-1);
    expect(timeline.indexOf("open 2")).toBeLessThan(
      timeline.findIndex((t) => t.startsWith("close 1")),
    );
    expect(timeline).toContain("close 1 1000");
    expect(r.stderr).toMatch(/renewed the connection/);
  });
});

/** A server that sends 30 000 events of ~1 KB at once to its first client. */
async function floodServer() {
  const payload = JSON.stringify(event({ pad: "p".repeat(800) }));
  let sender: WebSocket | undefined;
  server = await startTestServer({
    onConnection: (ws) => {
      sender = ws;
      for (let i = 0; i < 30_000; i++) {
        ws.send(payload.replace(/"event_id":"[^"]+"/, `"event_id":"flood-${i}"`));
      }
    },
  });
  return { url: server.url, sender: () => sender };
}

describe("robustness against the server", () => {
  it("a 4 MiB frame is refused without killing the process; the feed goes on", async () => {
    const after = event();
    server = await startTestServer({
      onConnection: (ws, n) => {
        if (n === 1) ws.send(`{"event_id":"big","pad":"${"x".repeat(4 * 1024 * 1024)}"}`);
        else ws.send(JSON.stringify(after));
      },
    });
    const r = await runCli(["--url", server.url, "-n", "1"], ctx());
    expect(r.code, r.stderr).toBe(0);
    expect(ids(r.stdout)).toEqual([after.event_id]);
    expect(r.stderr).toMatch(/a frame was larger than the 1 MiB limit; reconnecting/);
  });

  it("an exception while displaying one event never ends the run", async () => {
    const bad = event({ time_created: 1e20 }); // Date beyond range
    const good = event();
    server = await startTestServer({
      onConnection: (ws) => {
        ws.send(JSON.stringify(bad));
        ws.send(JSON.stringify(good));
      },
    });
    const r = await runCli(
      ["--url", server.url, "-n", "2", "-o", "pretty", "--time", "utc"],
      ctx(),
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(2);
  });

  it("while stdout is not read, reading from the socket pauses; once it drains, every event arrives", async () => {
    // 3 000 frames, then a ping and one more frame. A client that stops reading the socket once 2 000 frames
    // wait for stdout leaves the rest, and the ping behind them, unread: no pong. One that
    // keeps reading answers the ping at once.
    const payload = JSON.stringify(event({ pad: "p".repeat(800) }));
    let sender: WebSocket | undefined;
    server = await startTestServer({
      onConnection: (ws) => {
        sender = ws;
        for (let i = 0; i < 3000; i++) {
          ws.send(payload.replace(/"event_id":"[^"]+"/, `"event_id":"flood-${i}"`));
        }
      },
    });
    const held: Array<() => void> = [];
    let holding = true;
    const chunks: string[] = [];
    const stdout = new Writable({
      highWaterMark: 1024,
      write(chunk, _enc, callback) {
        chunks.push(String(chunk));
        if (holding) held.push(callback);
        else callback();
      },
    });
    const c = ctx({ stdout: stdout as unknown as MemoryStream });
    const { done } = startCli(["--url", server.url, "-o", "ndjson", "-n", "3001"], c);
    while (!sender || held.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    let pongs = 0;
    sender.on("pong", () => pongs++);
    sender.ping();
    sender.send(payload.replace(/"event_id":"[^"]+"/, `"event_id":"flood-3000"`));
    // The absence of an answer can only be waited for; a client that reads answers in
    // well under a millisecond here.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(pongs, "the client kept reading the socket while stdout was full").toBe(0);
    // stdout drains: reading resumes, every event arrives once, in order, and the ping is
    // answered.
    holding = false;
    for (const release of held.splice(0)) release();
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    const got = ids(chunks.join(""));
    expect(got).toEqual(Array.from({ length: 3001 }, (_, i) => `flood-${i}`));
    while (pongs === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pongs).toBe(1);
  });

  it("30 000 events to a stdout nobody reads: the process RSS stays bounded", async () => {
    const flooding = await floodServer();
    const bin = join(import.meta.dirname, "../../bin/scantail.js");
    const child = spawn(process.execPath, [bin, "--url", flooding.url, "-o", "ndjson"], {
      env: { ...process.env, SCANTAIL_TOKEN: "t-123456", SCANTAIL_CONFIG_DIR: "/nonexistent" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.pause(); // nobody reads
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (flooding.sender()?.bufferedAmount ?? 0) < 10 * 1024 * 1024) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)![1]);
    child.kill("SIGKILL");
    // 30 000 × ~1 KB = ~30 MB of frames; most of it must still be waiting on the server.
    expect(flooding.sender()!.bufferedAmount).toBeGreaterThan(10 * 1024 * 1024);
    expect(rssKb).toBeLessThan(150 * 1024);
  });
});

describe("status for people", () => {
  it("after a quiet spell a terminal says the feed is still connected and when the last event came", async () => {
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const c = ctx({ stderrTTY: true, env: { SCANTAIL_QUIET_AFTER_MS: "200" } });
    const { done } = startCli(["--url", server.url, "-o", "ndjson"], c);
    await c.stderr.waitFor((t) => /connected, last event (just now|\ds ago)/.test(t));
    c.abort("SIGINT");
    expect((await done).code).toBe(130);
  });

  it("on a pipe, a quiet feed prints nothing", async () => {
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const c = ctx({ env: { SCANTAIL_QUIET_AFTER_MS: "100" } });
    const r = await runCli(["--url", server.url, "--timeout", "500ms"], c);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
  });
});

describe("accelerated faults soak", () => {
  it("drops, 1001 cuts, malformed frames, handshake errors: every event exactly once, none missing", async () => {
    const { startSimulator } = await import("../../src/simulator/server.js");
    const sim = await startSimulator({
      rate: 400,
      devices: 20,
      seed: 5,
      dropAfterMs: 250,
      maxAgeMs: 170,
      malformedRatio: 0.05,
      resendOnConnect: 1000,
      reject: [500, "ok", 429, "ok", 502],
    });
    const emitted: string[] = [];
    const original = sim.generator.next.bind(sim.generator);
    sim.generator.next = (at: number) => {
      const e = original(at);
      emitted.push(e.event_id!);
      return e;
    };
    try {
      const r = await runCli(
        ["--url", sim.url, "-n", "1500", "--summary"],
        ctx({ random: noJitter }),
      );
      expect(r.code, r.stderr).toBe(0);
      const out = ids(r.stdout);
      expect(new Set(out).size).toBe(out.length);
      expect(out).toEqual(emitted.slice(0, 1500));
      expect(sim.stats.connections).toBeGreaterThan(5);
      expect(r.stderr).toMatch(/duplicates? dropped/);
    } finally {
      await sim.close();
    }
  });
});
