import { createConnection, createServer, type Socket } from "node:net";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterEach, describe, expect, it } from "vitest";
import { DestinationError } from "../../src/errors.js";
import {
  type DeliveryItem,
  type DeliveryReport,
  type DestinationOptions,
  openDestination,
} from "../../src/outputs/destination.js";
import { type NatsServer, startNatsServer } from "../helpers/nats-server.js";

function item(n: number, serial = "M2.AB 7"): DeliveryItem {
  const event = { event_id: `e${n}`, event_type: "scan", device_serial: serial };
  return { id: `e${n}`, body: JSON.stringify({ ...event, scan_code: `c${n}` }), event };
}

function setup(overrides: Partial<DestinationOptions> = {}) {
  const reports: DeliveryReport[] = [];
  const options: DestinationOptions = {
    headers: [],
    requestTimeoutMs: 1000,
    insecure: false,
    subject: "insight.events",
    signal: new AbortController().signal,
    now: Date.now,
    random: () => 0,
    onReport: (report) => reports.push(report),
    ...overrides,
  };
  return { options, reports };
}

const servers: NatsServer[] = [];
const connections: NatsConnection[] = [];
afterEach(async () => {
  for (const nc of connections.splice(0)) await nc.close();
  for (const server of servers.splice(0)) await server.close();
});

async function server(auth?: { user: string; pass: string } | { token: string }) {
  const started = await startNatsServer(auth);
  servers.push(started);
  return started;
}

async function manager(
  nats: NatsServer,
  auth: { user?: string; pass?: string; token?: string } = {},
) {
  const nc = await connect({ servers: `127.0.0.1:${nats.port}`, ...auth });
  connections.push(nc);
  return jetstreamManager(nc);
}

async function storedIds(nats: NatsServer, stream: string) {
  const jsm = await manager(nats);
  const info = await jsm.streams.info(stream);
  const ids: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const message = await jsm.streams.getMessage(stream, { seq });
    ids.push(message?.header.get("Nats-Msg-Id") ?? "");
  }
  return { count: info.state.messages, ids };
}

/**
 * A real TCP proxy in front of nats-server that can swallow what the server sends (the
 * acks) and cut the client's connection: the way an ack is lost in production.
 */
async function lossyProxy(target: number) {
  const clients: Socket[] = [];
  let swallow = false;
  let drop = false;
  const proxy = createServer((client) => {
    clients.push(client);
    const upstream = createConnection(target, "127.0.0.1");
    client.on("data", (chunk) => {
      if (!drop) upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      if (!swallow) client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", end).on("error", end);
    upstream.on("close", end).on("error", end);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as { port: number };
  return {
    url: `nats://127.0.0.1:${port}`,
    swallowAcks(on: boolean) {
      swallow = on;
    },
    dropPublishes(on: boolean) {
      drop = on;
    },
    cutClients() {
      for (const client of clients.splice(0)) client.destroy();
    },
    close: () => new Promise((resolve) => proxy.close(resolve)),
  };
}

describe("JetStream destination", () => {
  it("creates the stream for the subject and publishes to subject-safe subjects with Nats-Msg-Id", async () => {
    const nats = await server();
    const { options, reports } = setup({
      subject: "scans.{device_serial}",
      createStream: "SCANS",
      headers: ["X-Team: scanners"],
    });
    const destination = await openDestination(nats.url, options);
    expect(destination.label).toBe(nats.url);
    for (const n of [1, 2, 3]) await destination.send(item(n));
    await destination.flush(5000);
    await destination.close();

    const jsm = await manager(nats);
    const info = await jsm.streams.info("SCANS");
    expect(info.config.subjects).toEqual(["scans.*"]);
    expect(info.config.duplicate_window).toBe(60 * 60 * 1e9);
    expect(info.state.messages).toBe(3);
    const first = await jsm.streams.getMessage("SCANS", { seq: 1 });
    expect(first?.subject).toBe("scans.M2_AB_7");
    expect(first?.header.get("Nats-Msg-Id")).toBe("e1");
    expect(first?.header.get("X-Team")).toBe("scanners");
    expect(first?.string()).toBe(item(1).body);
    expect(reports.map((r) => [r.outcome, r.id, r.status])).toEqual([
      ["delivered", "e1", "ack"],
      ["delivered", "e2", "ack"],
      ["delivered", "e3", "ack"],
    ]);
  });

  it("uses an existing stream that takes the subject instead of creating one", async () => {
    const nats = await server();
    const jsm = await manager(nats);
    await jsm.streams.add({ name: "ALL", subjects: ["insight.>"] });
    const { options } = setup({ createStream: "OTHER" });
    const destination = await openDestination(nats.url, options);
    await destination.send(item(1));
    await destination.flush(5000);
    await destination.close();
    expect((await jsm.streams.info("ALL")).state.messages).toBe(1);
    expect(await jsm.streams.names().next()).toEqual(["ALL"]);
  });

  it("fails with a DestinationError naming the subject that has no stream", async () => {
    const nats = await server();
    const { options } = setup({ subject: "scans.{event_type}" });
    const opened = openDestination(nats.url, options);
    await expect(opened).rejects.toBeInstanceOf(DestinationError);
    await expect(opened).rejects.toThrow("no JetStream stream takes subject 'scans.*'");
  });

  it("gives up with a DestinationError when the stream disappears mid-run", async () => {
    const nats = await server();
    const { options, reports } = setup({ createStream: "EVENTS" });
    const destination = await openDestination(nats.url, options);
    await destination.send(item(1));
    await destination.flush(5000);
    await (await manager(nats)).streams.delete("EVENTS");
    await destination.send(item(2));
    await expect(destination.flush(5000)).rejects.toThrow(
      "no JetStream stream takes subject 'insight.events'",
    );
    await expect(destination.send(item(3))).rejects.toBeInstanceOf(DestinationError);
    await destination.close();
    expect(reports.at(-1)).toMatchObject({ outcome: "failed", id: "e2" });
  });

  it("stores each event once when two forwarders publish the same events, duplicates included", async () => {
    const nats = await server();
    const a = setup({ createStream: "EVENTS" });
    const b = setup();
    const first = await openDestination(nats.url, a.options);
    const second = await openDestination(nats.url, b.options);
    // Both see the whole feed; the first also gets a resend of e5..e8 (a reconnect).
    for (let n = 1; n <= 20; n++) {
      await first.send(item(n));
      await second.send(item(n));
      if (n === 8) for (const m of [5, 6, 7, 8]) await first.send(item(m));
    }
    await Promise.all([first.flush(5000), second.flush(5000)]);
    await Promise.all([first.close(), second.close()]);

    const stored = await storedIds(nats, "EVENTS");
    expect(stored.count).toBe(20);
    expect(new Set(stored.ids).size).toBe(20);
    const all = [...a.reports, ...b.reports];
    expect(all.filter((r) => r.outcome === "delivered")).toHaveLength(20);
    expect(all.filter((r) => r.outcome === "duplicate")).toHaveLength(24);
    expect(a.reports.filter((r) => r.outcome === "duplicate").map((r) => r.id)).toEqual(
      expect.arrayContaining(["e5", "e6", "e7", "e8"]),
    );
  });

  it("loses nothing when NATS restarts mid-run", async () => {
    const nats = await server();
    const { options, reports } = setup({
      createStream: "EVENTS",
      requestTimeoutMs: 300,
      window: 8,
    });
    const destination = await openDestination(nats.url, options);
    for (let n = 1; n <= 10; n++) await destination.send(item(n));
    await destination.flush(5000);
    await nats.stop();
    // While NATS is down the window fills, then send waits (backpressure) until it is back.
    const feeding = (async () => {
      for (let n = 11; n <= 30; n++) await destination.send(item(n));
    })();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await nats.restart();
    await feeding;
    await destination.flush(10_000);
    await destination.close();

    const stored = await storedIds(nats, "EVENTS");
    expect(stored.count).toBe(30);
    expect(stored.ids).toEqual(Array.from({ length: 30 }, (_, i) => `e${i + 1}`));
    const acknowledged = new Set(
      reports
        .filter((r) => r.outcome === "delivered" || r.outcome === "duplicate")
        .map((r) => r.id),
    );
    expect(acknowledged.size).toBe(30);
    expect(reports.some((r) => r.outcome === "retrying")).toBe(true);
  });

  it("publishes again with the same Nats-Msg-Id when an ack is lost, so the event is stored once", async () => {
    const nats = await server();
    const proxy = await lossyProxy(nats.port);
    const { options, reports } = setup({ createStream: "EVENTS", requestTimeoutMs: 300 });
    const destination = await openDestination(proxy.url, options);
    await destination.send(item(1));
    await destination.flush(5000);
    proxy.swallowAcks(true);
    await destination.send(item(2));
    const jsm = await manager(nats);
    while ((await jsm.streams.info("EVENTS")).state.messages < 2) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // e2 is stored, its ack never reached the forwarder; now the connection dies.
    proxy.cutClients();
    proxy.swallowAcks(false);
    await destination.flush(10_000);
    await destination.close();
    await proxy.close();

    expect((await storedIds(nats, "EVENTS")).ids).toEqual(["e1", "e2"]);
    const e2 = reports.filter((r) => r.id === "e2").map((r) => r.outcome);
    expect(e2[0]).toBe("retrying");
    expect(e2.at(-1)).toBe("duplicate");
  });

  it("republishes lost events in feed order even when a later one's retry comes due first", async () => {
    const nats = await server();
    const proxy = await lossyProxy(nats.port);
    // The first retry (e2's) draws the longest jitter, every later one none at all.
    const draws = [0.99];
    const { options, reports } = setup({
      createStream: "EVENTS",
      requestTimeoutMs: 300,
      random: () => draws.shift() ?? 0,
      onReport: (report) => {
        reports.push(report);
        if (report.id === "e5" && report.outcome === "retrying") proxy.dropPublishes(false);
      },
    });
    const destination = await openDestination(proxy.url, options);
    await destination.send(item(1));
    await destination.flush(5000);
    proxy.dropPublishes(true);
    for (const n of [2, 3, 4, 5]) await destination.send(item(n));
    await destination.flush(10_000);
    await destination.close();
    await proxy.close();
    expect((await storedIds(nats, "EVENTS")).ids).toEqual(["e1", "e2", "e3", "e4", "e5"]);
    expect(reports.find((r) => r.outcome === "retrying")).toMatchObject({
      id: "e2",
      retryInMs: 495,
    });
  });

  it("waits for the window: a full window holds the next send until an ack arrives", async () => {
    const nats = await server();
    const { options } = setup({ createStream: "EVENTS", window: 2, requestTimeoutMs: 300 });
    const destination = await openDestination(nats.url, options);
    await destination.send(item(1));
    await destination.flush(5000);
    await nats.stop();
    await destination.send(item(2));
    await destination.send(item(3));
    let third = false;
    const pending = destination.send(item(4)).then(() => {
      third = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(third).toBe(false);
    await nats.restart();
    await pending;
    await destination.flush(10_000);
    await destination.close();
    expect((await storedIds(nats, "EVENTS")).count).toBe(4);
  });

  it("signs in with credentials from the URL and never shows the password", async () => {
    const nats = await server({ user: "forwarder", pass: "pa55w0rd-xyz" });
    const jsm = await manager(nats, { user: "forwarder", pass: "pa55w0rd-xyz" });
    await jsm.streams.add({ name: "EVENTS", subjects: ["insight.events"] });
    const good = `nats://forwarder:pa55w0rd-xyz@127.0.0.1:${nats.port}`;
    const { options } = setup();
    const destination = await openDestination(good, options);
    expect(destination.label).toBe(`nats://forwarder:***@127.0.0.1:${nats.port}`);
    await destination.send(item(1));
    await destination.flush(5000);
    await destination.close();
    expect((await jsm.streams.info("EVENTS")).state.messages).toBe(1);

    const bad = `nats://forwarder:wr0ng-pa55@127.0.0.1:${nats.port}`;
    const failed = openDestination(bad, setup().options);
    await expect(failed).rejects.toBeInstanceOf(DestinationError);
    const message = await failed.catch((error: Error) => error.message);
    expect(message).toMatch(/cannot connect to NATS at nats:\/\/forwarder:\*\*\*@/);
    expect(message).not.toContain("wr0ng-pa55");
  });

  it("signs in with NATS_USER and NATS_PASSWORD from the environment", async () => {
    const nats = await server({ user: "envuser", pass: "env-pa55word" });
    const jsm = await manager(nats, { user: "envuser", pass: "env-pa55word" });
    await jsm.streams.add({ name: "EVENTS", subjects: ["insight.events"] });
    const { options } = setup({ env: { NATS_USER: "envuser", NATS_PASSWORD: "env-pa55word" } });
    const destination = await openDestination(nats.url, options);
    await destination.send(item(1));
    await destination.flush(5000);
    await destination.close();
    expect((await jsm.streams.info("EVENTS")).state.messages).toBe(1);
  });

  it("takes a token as the URL's user name", async () => {
    const nats = await server({ token: "s3cr3t-t0ken" });
    const jsm = await manager(nats, { token: "s3cr3t-t0ken" });
    await jsm.streams.add({ name: "EVENTS", subjects: ["insight.events"] });
    const destination = await openDestination(
      `nats://s3cr3t-t0ken@127.0.0.1:${nats.port}`,
      setup().options,
    );
    expect(destination.label).toBe(`nats://***@127.0.0.1:${nats.port}`);
    await destination.send(item(1));
    await destination.flush(5000);
    await destination.close();
    expect((await jsm.streams.info("EVENTS")).state.messages).toBe(1);
  });

  it("on abort counts an unacknowledged event as failed, never delivered, and takes no more", async () => {
    const nats = await server();
    const controller = new AbortController();
    const { options, reports } = setup({
      createStream: "EVENTS",
      requestTimeoutMs: 200,
      signal: controller.signal,
    });
    const destination = await openDestination(nats.url, options);
    await destination.send(item(1));
    await destination.flush(5000);
    await nats.stop();
    await destination.send(item(2));
    controller.abort();
    await destination.flush(5000);
    await expect(destination.send(item(3))).rejects.toMatchObject({ name: "AbortError" });
    await destination.close();
    expect(reports.map((r) => [r.outcome, r.id])).toEqual([
      ["delivered", "e1"],
      ["failed", "e2"],
    ]);
    expect(reports[1]?.detail).toBe("interrupted before acknowledgement");
  });

  it("on abort during a retry wait publishes the event no more", async () => {
    const nats = await server();
    const controller = new AbortController();
    const { options, reports } = setup({
      createStream: "EVENTS",
      requestTimeoutMs: 200,
      signal: controller.signal,
      sleep: async () => controller.abort(),
    });
    const destination = await openDestination(nats.url, options);
    await nats.stop();
    await destination.send(item(1));
    await destination.flush(5000);
    await destination.close();
    expect(reports.map((r) => [r.outcome, r.attempt])).toEqual([
      ["retrying", 1],
      ["failed", 1],
    ]);
  });

  it("fails flush with a DestinationError when acks do not come in time", async () => {
    const nats = await server();
    const { options, reports } = setup({ createStream: "EVENTS", requestTimeoutMs: 200 });
    const destination = await openDestination(nats.url, options);
    await nats.stop();
    await destination.send(item(1));
    await expect(destination.flush(300)).rejects.toThrow(
      "1 event was not acknowledged by JetStream within 300 ms",
    );
    await destination.close();
    expect(reports.filter((r) => r.outcome === "delivered")).toEqual([]);
    expect(reports.at(-1)).toMatchObject({ outcome: "failed", id: "e1", status: "no ack" });
  });
});
