import { createHash, createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { makeContext, runCli, startCli } from "../helpers/context.js";
import { liveFrame, restItems, startFakeRest } from "../helpers/fake-rest.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

const TOKEN = "test-token-abcdef123456";
const SECRET = "whsec_forward_secret_42";

let server: TestServer | undefined;
let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await server?.close();
  await receiver?.close();
  server = undefined;
  receiver = undefined;
});

/** Jitter 0: every backoff without Retry-After is 0 ms, so retries need no waiting. */
const ctxWith = (env: Record<string, string> = {}, extra: Parameters<typeof makeContext>[0] = {}) =>
  makeContext({ env: { SCANTAIL_TOKEN: TOKEN, ...env }, random: () => 0, ...extra });

/** A feed that sends these frames, as they are, to every connection. */
async function feed(frames: string[]) {
  server = await startTestServer({
    onConnection: (ws) => {
      for (const frame of frames) ws.send(frame);
    },
  });
  return server;
}

const ids = (r: WebhookReceiver) =>
  r.requests.map((request) => request.headers["scantail-event-id"]);

describe("scantail forward <webhook>", () => {
  it("POSTs each frame byte for byte, in order, with the id, extra header and a signature; nothing on stdout", async () => {
    const events = [event(), event({ scan_code: "Grüße ✓" }), event()];
    // Spacing, key order and escapes a re-serialisation would change.
    const frames = [
      JSON.stringify(events[0]),
      JSON.stringify(events[1], null, 2),
      `{ "event_type" : "scan","scan_code":"no id here" , "n": 1.50 }`,
      JSON.stringify(events[2]).replace('"scan"', '"\\u0073can"'),
    ];
    await feed(frames);
    receiver = await startWebhookReceiver();
    const { code, stdout, stderr } = await runCli(
      ["forward", receiver.url, "--url", server!.url, "--header", "X-Team: a, b", "-n", "4"],
      ctxWith({ SCANTAIL_FORWARD_SECRET: SECRET }),
    );
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(receiver.requests.map((r) => r.body.toString("utf8"))).toEqual(frames);
    const hashId = `sha256-${createHash("sha256").update(frames[2]!).digest("hex")}`;
    expect(ids(receiver)).toEqual([
      events[0]!.event_id,
      events[1]!.event_id,
      hashId,
      events[2]!.event_id,
    ]);
    for (const request of receiver.requests) {
      expect(request.method).toBe("POST");
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers["x-team"]).toBe("a, b");
      const signature = String(request.headers["scantail-signature"]);
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(signature) ?? [];
      const mac = createHmac("sha256", SECRET).update(`${t}.`).update(request.body).digest("hex");
      expect(v1).toBe(mac);
      expect(Math.abs(Number(t) - Date.now() / 1000)).toBeLessThan(60);
    }
    // Keep-alive: one connection carried every delivery.
    expect(new Set(receiver.requests.map((r) => r.remotePort)).size).toBe(1);
    // The closing summary, also on a pipe; the secret nowhere.
    expect(stderr).toMatch(
      /forwarded 4 events to http:\/\/127\.0\.0\.1:\d+\/hook: 4 delivered, 0 retried, 0 rejected, 0 deduplicated\n$/,
    );
    expect(stderr).not.toMatch(/\[200\]/); // success lines only on a terminal
    expect(stderr).not.toContain(SECRET);
  });

  it("retries a 503 while the feed waits: nothing overtakes the retried event", async () => {
    const events = [event(), event(), event(), event()];
    await feed(events.map((e) => JSON.stringify(e)));
    let failures = 0;
    receiver = await startWebhookReceiver((request, _i, res) => {
      if (request.headers["scantail-event-id"] === events[1]!.event_id && failures < 2) {
        failures++;
        res.writeHead(503).end("busy");
        return;
      }
      res.end("ok");
    });
    const { code, stdout, stderr } = await runCli(
      ["forward", receiver.url, "--url", server!.url, "-n", "4"],
      ctxWith(),
    );
    expect(code).toBe(0);
    expect(stdout).toBe("");
    const [a, b, c, d] = events.map((e) => e.event_id);
    expect(ids(receiver)).toEqual([a, b, b, b, c, d]);
    // Retries are problems: shown on a pipe too.
    expect(stderr).toMatch(new RegExp(`\\[503\\] ${b}  \\d+ ms retrying in 0 ms: busy`));
    expect(stderr).toMatch(/\[503\] \S+ {2}\d+ ms \(attempt 2\) retrying/);
    expect(stderr).toMatch(/: 4 delivered, 1 retried, 0 rejected, 0 deduplicated\n$/);
  });

  it("--request-timeout: a receiver that never answers is timed out and retried; -q keeps the problem lines", async () => {
    const events = [event(), event()];
    await feed(events.map((e) => JSON.stringify(e)));
    receiver = await startWebhookReceiver((_r, index, res) => {
      if (index > 0) res.end("ok"); // the first request hangs
    });
    const { code, stdout, stderr } = await runCli(
      [
        "forward",
        receiver.url,
        "--url",
        server!.url,
        "-n",
        "2",
        "--request-timeout",
        "150ms",
        "-q",
      ],
      ctxWith(),
    );
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(ids(receiver)).toEqual([events[0]!.event_id, events[0]!.event_id, events[1]!.event_id]);
    expect(stderr).toMatch(
      /^\d\d:\d\d:\d\d {2}\[timeout\] \S+ {2}\d+ ms retrying in 0 ms: no answer within 150 ms\n$/,
    );
  });

  it("a 400 is reported on stderr, counted as rejected and skipped; the run goes on (exit 0)", async () => {
    const events = [event(), event(), event()];
    await feed(events.map((e) => JSON.stringify(e)));
    receiver = await startWebhookReceiver((request, _i, res) => {
      if (request.headers["scantail-event-id"] === events[1]!.event_id)
        res.writeHead(400).end("missing field station");
      else res.end("ok");
    });
    const { code, stdout, stderr } = await runCli(
      ["forward", receiver.url, "--url", server!.url, "-n", "3"],
      ctxWith(),
    );
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(ids(receiver)).toEqual(events.map((e) => e.event_id));
    expect(stderr).toContain(`[400] ${events[1]!.event_id}`);
    expect(stderr).toMatch(/rejected, skipped: missing field station/);
    expect(stderr).toMatch(
      /forwarded 3 events .*: 2 delivered, 0 retried, 1 rejected, 0 deduplicated\n$/,
    );
  });

  it("--max-attempts exhausted: exit 1 with one line naming the event, after the summary", async () => {
    const events = [event(), event()];
    await feed(events.map((e) => JSON.stringify(e)));
    receiver = await startWebhookReceiver((_r, _i, res) => res.writeHead(503).end("down"));
    const { code, stdout, stderr } = await runCli(
      ["forward", receiver.url, "--url", server!.url, "--max-attempts", "3"],
      ctxWith(),
    );
    expect(code).toBe(1);
    expect(stdout).toBe("");
    // Three attempts of the first event; the second was never sent.
    expect(ids(receiver)).toEqual([events[0]!.event_id, events[0]!.event_id, events[0]!.event_id]);
    const lines = stderr.trimEnd().split("\n");
    expect(lines.at(-3)).toMatch(/: 0 delivered, 1 retried, 0 rejected, 0 deduplicated, 1 failed$/);
    expect(lines.at(-1)).toMatch(/^ {2}raise --max-attempts/);
    expect(lines.at(-4)).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d  \\[503\\] ${events[0]!.event_id} .*\\(attempt 3\\) failed: down$`,
      ),
    );
    expect(stderr).toMatch(
      new RegExp(
        `scantail: gave up on event ${events[0]!.event_id} after 3 attempts: .* answered 503`,
      ),
    );
    expect(stderr).not.toMatch(/at \S+\.ts:\d+/); // no stack trace
  });

  it("SIGINT during a retry wait: no new attempt, exit 130 with the summary; SIGTERM → 143", async () => {
    for (const [signal, exit] of [
      ["SIGINT", 130],
      ["SIGTERM", 143],
    ] as const) {
      const events = [event(), event()];
      await server?.close();
      await receiver?.close();
      await feed(events.map((e) => JSON.stringify(e)));
      receiver = await startWebhookReceiver((_r, _i, res) =>
        res.writeHead(503, { "Retry-After": "120" }).end("later"),
      );
      const { done, ctx } = startCli(["forward", receiver.url, "--url", server!.url], ctxWith());
      await ctx.stderr.waitFor((text) => text.includes("retrying in 2 m 0 s"));
      ctx.abort(signal);
      const { code, stdout, stderr } = await done;
      expect(code).toBe(exit);
      expect(stdout).toBe("");
      expect(receiver.requests).toHaveLength(1);
      expect(stderr).toMatch(/\[503\] \S+ {2}0 ms failed: interrupted before delivery/);
      expect(stderr).toMatch(
        /forwarded 1 event .*: 0 delivered, 1 retried, 0 rejected, 0 deduplicated, 1 failed\n$/,
      );
    }
  });

  it("--timeout during a retry wait ends the run as tail's --timeout does (0; 124 with --count)", async () => {
    for (const [extra, exit] of [
      [[], 0],
      [["-n", "5"], 124],
    ] as const) {
      await server?.close();
      await receiver?.close();
      await feed([JSON.stringify(event())]);
      receiver = await startWebhookReceiver((_r, _i, res) =>
        res.writeHead(429, { "Retry-After": "120" }).end("slow down"),
      );
      const { code, stdout, stderr } = await runCli(
        ["forward", receiver.url, "--url", server!.url, "--timeout", "300ms", ...extra],
        ctxWith(),
      );
      expect(code).toBe(exit);
      expect(stdout).toBe("");
      expect(stderr).not.toMatch(/unexpected error|AbortError/);
      expect(stderr).toMatch(/: 0 delivered, 1 retried, 0 rejected, 0 deduplicated, 1 failed\n$/);
    }
  });

  it("gap fill is tail's: after a dropped connection the gap's events are forwarded from the history, in order, each once", async () => {
    for (const [extra, expected] of [
      [
        ["-n", "5"],
        [0, 1, 2, 3, 4],
      ],
      [
        ["-n", "3", "--no-gap-fill"],
        [0, 1, 4],
      ],
    ] as const) {
      const items = restItems(5, Math.floor(Date.now() / 1000) - 20);
      const live = liveFrame;
      const rest = await startFakeRest({ items });
      server = await startTestServer({
        onConnection: (ws, index) => {
          if (index === 1) {
            ws.send(live(items[0]!));
            ws.send(live(items[1]!), () => ws.terminate()); // dropped: 2 and 3 are lost
          } else ws.send(live(items[4]!));
        },
      });
      receiver = await startWebhookReceiver();
      const { code, stdout, stderr } = await runCli(
        [
          "forward",
          receiver.url,
          "--url",
          server.url,
          "--base-url",
          rest.baseUrl,
          "--customer",
          "c1",
          "--timeout",
          "5s",
          ...extra,
        ],
        ctxWith(),
      );
      await rest.close();
      expect(code, stderr).toBe(0);
      expect(stdout).toBe("");
      expect(ids(receiver)).toEqual(expected.map((i) => items[i]!.id));
      await server.close();
      await receiver.close();
      server = undefined;
      receiver = undefined;
    }
  });

  it("on a terminal: one line per delivery on stderr; -q silences them and the summary", async () => {
    const events = [event(), event()];
    await feed(events.map((e) => JSON.stringify(e)));
    receiver = await startWebhookReceiver();
    const tty = await runCli(
      ["forward", receiver.url, "--url", server!.url, "-n", "2"],
      ctxWith({}, { stderrTTY: true, env: { SCANTAIL_TOKEN: TOKEN, NO_COLOR: "1" } }),
    );
    expect(tty.code).toBe(0);
    expect(tty.stdout).toBe("");
    for (const e of events)
      expect(tty.stderr).toMatch(
        new RegExp(`\\d\\d:\\d\\d:\\d\\d {2}\\[200\\] ${e.event_id} {2}\\d+ ms\\n`),
      );
    expect(tty.stderr).toMatch(/forwarded 2 events .*: 2 delivered/);

    const quiet = await runCli(
      ["forward", receiver.url, "--url", server!.url, "-n", "2", "-q"],
      ctxWith({}, { stderrTTY: true, env: { SCANTAIL_TOKEN: TOKEN, NO_COLOR: "1" } }),
    );
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    expect(receiver.requests).toHaveLength(4);
  });

  it("--demo forwards the simulated feed with no account: valid events, one request each", async () => {
    receiver = await startWebhookReceiver();
    const { code, stdout, stderr } = await runCli(
      ["forward", receiver.url, "--demo", "--rate", "400", "--seed", "7", "-n", "25"],
      makeContext({ random: () => 0 }),
    );
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(receiver.requests).toHaveLength(25);
    const bodies = receiver.requests.map((r) => JSON.parse(r.body.toString("utf8")));
    expect(bodies.map((b) => b.event_id)).toEqual(ids(receiver));
    expect(new Set(ids(receiver)).size).toBe(25);
    expect(bodies.every((b) => typeof b.scan_code === "string" && b.device_serial)).toBe(true);
    expect(stderr).toMatch(/forwarded 25 events .*: 25 delivered/);
  });

  it("bad input exits 2 with one line before anything connects", async () => {
    server = await startTestServer();
    receiver = await startWebhookReceiver();
    const cases: Array<[string[], RegExp]> = [
      [["forward", "ftp://x"], /unsupported destination scheme 'ftp'/],
      [["forward", "http://example.com/hook"], /over unencrypted http:\/\//],
      [["forward", receiver.url, "--header", "no colon"], /invalid --header/],
      [["forward", receiver.url, "--header", "Scantail-Event-Id: x"], /set by scantail/],
      [["forward", receiver.url, "--max-attempts", "0"], /--max-attempts/],
      [["forward", receiver.url, "--request-timeout", "soon"], /--request-timeout/],
      [["forward", receiver.url, "--subject", "a.b"], /--subject is for nats:\/\//],
      [["forward", "nats://127.0.0.1:1", "--subject", "a.*"], /invalid --subject/],
      [["forward", "nats://127.0.0.1:1", "--create-stream", "a.b"], /invalid --create-stream/],
      [["forward", receiver.url, "--rate", "5"], /--rate needs --demo/],
      [["forward", receiver.url, "--demo", "--url", server.url], /--url does not go with --demo/],
      [["forward", receiver.url, "--demo", "--rate", "fast"], /invalid --rate/],
      [
        ["forward", receiver.url, "--demo", "--base-url", "http://127.0.0.1:1"],
        /--base-url does not go with --demo/,
      ],
      [["forward", receiver.url, "--since", "yesterday-ish"], /--since/],
      [["forward", receiver.url, "-n", "x"], /invalid --count/],
      [["forward", receiver.url, "--code", "("], /--code/],
      [["forward"], /missing required argument 'destination'/],
    ];
    for (const [argv, message] of cases) {
      const url = argv.includes("--demo") ? [] : ["--url", server.url];
      const { code, stdout, stderr } = await runCli([...argv, ...url], ctxWith());
      expect({ argv, code }).toEqual({ argv, code: 2 });
      expect(stdout).toBe("");
      expect(stderr).toMatch(message);
      expect(stderr.trimEnd().split("\n").length).toBeLessThanOrEqual(2);
    }
    expect(server.requests).toEqual([]);
    expect(receiver.requests).toEqual([]);
  });
});
