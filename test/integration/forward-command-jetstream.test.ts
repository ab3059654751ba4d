import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { makeContext, runCli, startCli } from "../helpers/context.js";
import { type NatsServer, startNatsServer } from "../helpers/nats-server.js";
import { runBin } from "../helpers/spawn-bin.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

const TOKEN = "test-token-abcdef123456";

let feedServer: TestServer | undefined;
let nats: NatsServer | undefined;
const connections: NatsConnection[] = [];
afterEach(async () => {
  for (const nc of connections.splice(0)) await nc.close();
  await feedServer?.close();
  await nats?.close();
  feedServer = undefined;
  nats = undefined;
});

const ctx = () => makeContext({ env: { SCANTAIL_TOKEN: TOKEN }, random: () => 0 });

async function manager(server: NatsServer) {
  const nc = await connect({ servers: `127.0.0.1:${server.port}` });
  connections.push(nc);
  return jetstreamManager(nc);
}

/** Every stored message of the stream: its Nats-Msg-Id and its body as text. */
async function stored(server: NatsServer, stream: string) {
  const jsm = await manager(server);
  const info = await jsm.streams.info(stream);
  const messages: Array<{ id: string; body: string; subject: string }> = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    if (message) {
      messages.push({
        id: message.header.get("Nats-Msg-Id"),
        body: new TextDecoder().decode(message.data),
        subject: message.subject,
      });
    }
  }
  return { count: info.state.messages, messages, config: info.config };
}

describe("scantail forward <nats://…>", () => {
  it("two forwarders on one feed with resent duplicates store each event once", async () => {
    nats = await startNatsServer();
    const jsm = await manager(nats);
    await jsm.streams.add({ name: "SCANS", subjects: ["insight.events"] });
    const events = Array.from({ length: 30 }, () => event());
    const frames = events.map((e) => JSON.stringify(e));
    // Each connection: the first 20, then (as a reconnect's resend would) 10–19 again,
    // then the rest. Each forwarder drops its own repeats; JetStream drops the twin's.
    feedServer = await startTestServer({
      onConnection: (ws) => {
        for (const frame of [...frames.slice(0, 20), ...frames.slice(10, 20), ...frames.slice(20)])
          ws.send(frame);
      },
    });
    const argv = ["forward", nats.url, "--url", feedServer.url, "-n", "30"];
    const [a, b] = await Promise.all([runCli(argv, ctx()), runCli(argv, ctx())]);
    for (const run of [a, b]) {
      expect(run.code).toBe(0);
      expect(run.stdout).toBe("");
    }
    const { count, messages } = await stored(nats, "SCANS");
    const distinct = new Set(events.map((e) => e.event_id));
    expect(count).toBe(distinct.size);
    expect(new Set(messages.map((m) => m.id))).toEqual(distinct);
    // Each body is the frame as received, under its own id.
    for (const m of messages)
      expect(m.body).toBe(frames[events.findIndex((e) => e.event_id === m.id)]);
    // Between them the two summaries account for every event twice: once stored, once deduplicated.
    const parse = (stderr: string) => {
      const m = /: (\d+) delivered, \d+ retried, 0 rejected, (\d+) deduplicated\n$/.exec(stderr);
      expect(m, stderr).not.toBeNull();
      return { delivered: Number(m![1]), deduplicated: Number(m![2]) };
    };
    const [sa, sb] = [parse(a.stderr), parse(b.stderr)];
    expect(sa.delivered + sb.delivered).toBe(30);
    expect(sa.deduplicated + sb.deduplicated).toBe(30);
  });

  it("no stream for the subject: exit 1 naming the subject, before the feed is opened", async () => {
    nats = await startNatsServer();
    feedServer = await startTestServer();
    const { code, stdout, stderr } = await runCli(
      ["forward", nats.url, "--url", feedServer.url, "--subject", "scans.{device_serial}"],
      ctx(),
    );
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toMatch(
      /^scantail: no JetStream stream takes subject 'scans\.\*'\n {2}create one/m,
    );
    expect(feedServer.requests).toEqual([]);
  });

  it("--create-stream creates it with the subject filter and a long duplicate window", async () => {
    nats = await startNatsServer();
    const events = [event({ device_serial: "M2.SR 1" }), event({ device_serial: "M2SR2" })];
    const frames = events.map((e) => JSON.stringify(e, null, 1));
    feedServer = await startTestServer({
      onConnection: (ws) => {
        for (const frame of frames) ws.send(frame);
      },
    });
    const { code, stdout, stderr } = await runCli(
      [
        "forward",
        nats.url,
        "--url",
        feedServer.url,
        "--subject",
        "scans.{device_serial}",
        "--create-stream",
        "SCANS",
        "-n",
        "2",
      ],
      ctx(),
    );
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/forwarded 2 events to nats:\/\/127\.0\.0\.1:\d+: 2 delivered/);
    const { count, messages, config } = await stored(nats, "SCANS");
    expect(count).toBe(2);
    expect(config.subjects).toEqual(["scans.*"]);
    expect(config.duplicate_window).toBe(60 * 60 * 1e9);
    expect(messages).toEqual([
      { id: events[0]!.event_id, body: frames[0], subject: "scans.M2_SR_1" },
      { id: events[1]!.event_id, body: frames[1], subject: "scans.M2SR2" },
    ]);
  });

  it("SIGTERM: the outstanding acknowledgements are awaited, exit 143; every event counted delivered is stored", async () => {
    nats = await startNatsServer();
    const { done, ctx: running } = startCli(
      ["forward", nats.url, "--demo", "--rate", "300", "--create-stream", "SCANS"],
      makeContext({ stderrTTY: true, env: { NO_COLOR: "1" }, random: () => 0 }),
    );
    await running.stderr.waitFor((text) => (text.match(/\[ack\]/g) ?? []).length >= 15);
    running.abort("SIGTERM");
    const { code, stdout, stderr } = await done;
    expect(code).toBe(143);
    expect(stdout).toBe("");
    const m = /: (\d+) delivered, 0 retried, 0 rejected, 0 deduplicated(?:, (\d+) failed)?\n/.exec(
      stderr,
    );
    expect(m, stderr).not.toBeNull();
    const delivered = Number(m![1]);
    const failed = Number(m![2] ?? 0);
    expect(delivered).toBeGreaterThanOrEqual(15);
    const { count } = await stored(nats, "SCANS");
    // Nothing acknowledged is lost; an event cut off before its ack may be stored, uncounted.
    expect(count).toBeGreaterThanOrEqual(delivered);
    expect(count).toBeLessThanOrEqual(delivered + failed);
  });

  it("the built binary loads the NATS client (CommonJS inside the bundle) and forwards --demo", async () => {
    nats = await startNatsServer();
    const config = mkdtempSync(join(tmpdir(), "scantail-forward-"));
    try {
      const { code, stdout, stderr } = await runBin(
        ["forward", nats.url, "--demo", "--rate", "500", "-n", "20", "--create-stream", "DEMO"],
        { env: { SCANTAIL_CONFIG_DIR: config } },
      );
      expect(stderr).toMatch(/forwarded 20 events to nats:\/\/127\.0\.0\.1:\d+: 20 delivered/);
      expect(code).toBe(0);
      expect(stdout).toBe("");
      expect((await stored(nats, "DEMO")).count).toBe(20);
    } finally {
      rmSync(config, { recursive: true, force: true });
    }
  });
});
