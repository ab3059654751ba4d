import { afterEach, describe, expect, it } from "vitest";
import { DestinationError } from "../../src/errors.js";
import {
  type DeliveryItem,
  type DeliveryReport,
  type DestinationOptions,
  openDestination,
} from "../../src/outputs/destination.js";
import { verifySignature } from "../../src/outputs/signature.js";
import { startWebhookReceiver, type WebhookReceiver } from "../helpers/webhook-receiver.js";

const NOW = Date.parse("2026-11-26T12:00:00Z");

function item(n: number): DeliveryItem {
  const event = { event_id: `e${n}`, event_type: "scan", scan_code: `code ${n}` };
  // Spacing and key order a re-serialisation would change: the body must arrive as is.
  return { id: `e${n}`, body: `{ "event_id":"e${n}",  "scan_code":"code ${n}" ,"x":1.0}`, event };
}

function setup(overrides: Partial<DestinationOptions> = {}) {
  const reports: DeliveryReport[] = [];
  const sleeps: number[] = [];
  const controller = new AbortController();
  const options: DestinationOptions = {
    headers: [],
    requestTimeoutMs: 2000,
    insecure: false,
    subject: "insight.events",
    signal: controller.signal,
    now: () => NOW,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    onReport: (report) => reports.push(report),
    ...overrides,
  };
  return { options, reports, sleeps, controller };
}

const ids = (receiver: WebhookReceiver) =>
  receiver.requests.map((request) => request.headers["scantail-event-id"]);

let receiver: WebhookReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

describe("webhook destination", () => {
  it("POSTs each body exactly as received with the contract's headers, signed, on one connection", async () => {
    receiver = await startWebhookReceiver();
    const secret = "whsec_0123456789";
    const { options, reports } = setup({
      secret,
      headers: ["X-Team: scanners", "Authorization: Bearer abcdefgh"],
    });
    const destination = await openDestination(receiver.url, options);
    for (const n of [1, 2, 3]) await destination.send(item(n));
    await destination.flush(1000);
    await destination.close();

    expect(receiver.requests).toHaveLength(3);
    for (const [index, request] of receiver.requests.entries()) {
      const sent = item(index + 1);
      expect(request.method).toBe("POST");
      expect(request.url).toBe("/hook");
      expect(request.body.toString("utf8")).toBe(sent.body);
      expect(request.headers["content-type"]).toBe("application/json");
      expect(request.headers["scantail-event-id"]).toBe(sent.id);
      expect(request.headers["x-team"]).toBe("scanners");
      expect(request.headers.authorization).toBe("Bearer abcdefgh");
      const signature = request.headers["scantail-signature"] as string;
      expect(signature).toMatch(/^t=1795694400,v1=[0-9a-f]{64}$/);
      expect(verifySignature(secret, signature, request.body, NOW / 1000)).toBe(true);
      expect(verifySignature("whsec_wrong", signature, request.body, NOW / 1000)).toBe(false);
    }
    // Keep-alive: every request came over the same connection.
    expect(new Set(receiver.requests.map((request) => request.remotePort)).size).toBe(1);
    expect(reports.map((r) => [r.outcome, r.id, r.status, r.attempt])).toEqual([
      ["delivered", "e1", "200", 1],
      ["delivered", "e2", "200", 1],
      ["delivered", "e3", "200", 1],
    ]);
  });

  it("sends no signature without a secret", async () => {
    receiver = await startWebhookReceiver();
    const { options } = setup();
    const destination = await openDestination(receiver.url, options);
    await destination.send(item(1));
    await destination.close();
    expect(receiver.requests[0]?.headers["scantail-signature"]).toBeUndefined();
  });

  it("retries 503 with jittered backoff and lets no later event overtake the retried one", async () => {
    receiver = await startWebhookReceiver((_request, index, res) => {
      res.statusCode = index < 3 ? 503 : 200;
      res.end(index < 3 ? "busy" : "ok");
    });
    const { options, reports, sleeps } = setup();
    const destination = await openDestination(receiver.url, options);
    for (const n of [1, 2, 3, 4]) await destination.send(item(n));
    await destination.close();

    expect(ids(receiver)).toEqual(["e1", "e1", "e1", "e1", "e2", "e3", "e4"]);
    // Full jitter with random 0.5: half of 500, 1000, 2000 ms.
    expect(sleeps).toEqual([250, 500, 1000]);
    expect(reports.slice(0, 4).map((r) => [r.outcome, r.status, r.attempt, r.retryInMs])).toEqual([
      ["retrying", "503", 1, 250],
      ["retrying", "503", 2, 500],
      ["retrying", "503", 3, 1000],
      ["delivered", "200", 4, undefined],
    ]);
  });

  it.each([
    ["seconds", "7", 7000],
    ["an HTTP date", "Thu, 26 Nov 2026 12:00:30 GMT", 30_000],
  ])("honours Retry-After given in %s", async (_kind, value, delay) => {
    receiver = await startWebhookReceiver((_request, index, res) => {
      if (index === 0) {
        res.writeHead(429, { "Retry-After": value });
        res.end();
      } else res.end();
    });
    const { options, sleeps, reports } = setup();
    const destination = await openDestination(receiver.url, options);
    await destination.send(item(1));
    await destination.close();
    expect(sleeps).toEqual([delay]);
    expect(reports.map((r) => r.outcome)).toEqual(["retrying", "delivered"]);
  });

  it("reports a 400 as rejected, skips it without retrying, and goes on", async () => {
    receiver = await startWebhookReceiver((request, _index, res) => {
      const rejected = request.headers["scantail-event-id"] === "e2";
      res.statusCode = rejected ? 400 : 200;
      res.end(rejected ? "missing field\x1b[31m station" : "ok");
    });
    const { options, reports, sleeps } = setup();
    const destination = await openDestination(receiver.url, options);
    for (const n of [1, 2, 3]) await destination.send(item(n));
    await destination.close();
    expect(ids(receiver)).toEqual(["e1", "e2", "e3"]);
    expect(sleeps).toEqual([]);
    expect(reports.map((r) => [r.outcome, r.id, r.status])).toEqual([
      ["delivered", "e1", "200"],
      ["rejected", "e2", "400"],
      ["delivered", "e3", "200"],
    ]);
    // The receiver's words, without its escape sequences.
    expect(reports[1]?.detail).toBe("missing field [31m station");
  });

  it("times out a receiver that never answers, then retries", async () => {
    receiver = await startWebhookReceiver((_request, index, res) => {
      if (index > 0) res.end("ok");
      // The first request is never answered.
    });
    const { options, reports } = setup({ requestTimeoutMs: 150 });
    const destination = await openDestination(receiver.url, options);
    await destination.send(item(1));
    await destination.close();
    expect(ids(receiver)).toEqual(["e1", "e1"]);
    expect(reports.map((r) => [r.outcome, r.status, r.attempt])).toEqual([
      ["retrying", "timeout", 1],
      ["delivered", "200", 2],
    ]);
  });

  it("gives up after --max-attempts with a DestinationError that names the event and hides secrets", async () => {
    receiver = await startWebhookReceiver((request, _index, res) => {
      res.statusCode = 502;
      res.end(`upstream said ${request.headers.authorization}`);
    });
    const { options, reports } = setup({
      maxAttempts: 3,
      headers: ["Authorization: Bearer s3cr3t-token"],
    });
    const destination = await openDestination(receiver.url, options);
    const sent = destination.send(item(1));
    await expect(sent).rejects.toBeInstanceOf(DestinationError);
    await expect(sent).rejects.toThrow(/gave up on event e1 after 3 attempts: .* answered 502/);
    await destination.close();
    expect(receiver.requests).toHaveLength(3);
    expect(reports.map((r) => r.outcome)).toEqual(["retrying", "retrying", "failed"]);
    const everything = JSON.stringify(reports) + String(await sent.catch((e) => e.message));
    expect(everything).not.toContain("s3cr3t-token");
    expect(everything).toMatch(/upstream said (Bearer )?\*\*\*/);
  });

  it("retries a refused connection", async () => {
    receiver = await startWebhookReceiver();
    const url = receiver.url;
    await receiver.close();
    receiver = undefined;
    const { options, reports } = setup({ maxAttempts: 2 });
    const destination = await openDestination(url, options);
    await expect(destination.send(item(1))).rejects.toThrow(/answered ECONNREFUSED/);
    await destination.close();
    expect(reports.map((r) => [r.outcome, r.status])).toEqual([
      ["retrying", "ECONNREFUSED"],
      ["failed", "ECONNREFUSED"],
    ]);
  });

  it("on abort lets the request in flight finish, then starts nothing new", async () => {
    const { options, reports, controller } = setup();
    receiver = await startWebhookReceiver((_request, index, res) => {
      if (index === 0) {
        // Ctrl-C arrives while the receiver is still working on the first event.
        controller.abort();
        setTimeout(() => res.end("ok"), 50);
      } else res.end("ok");
    });
    const destination = await openDestination(receiver.url, options);
    await destination.send(item(1));
    await expect(destination.send(item(2))).rejects.toMatchObject({ name: "AbortError" });
    await destination.close();
    expect(ids(receiver)).toEqual(["e1"]);
    expect(reports.map((r) => [r.outcome, r.id])).toEqual([["delivered", "e1"]]);
  });

  it("on abort during a retry wait starts no new attempt and reports nothing delivered", async () => {
    receiver = await startWebhookReceiver((_request, _index, res) => {
      res.statusCode = 503;
      res.end();
    });
    const controller = new AbortController();
    const { options, reports } = setup({
      signal: controller.signal,
      sleep: async () => {
        controller.abort();
      },
    });
    const destination = await openDestination(receiver.url, options);
    await expect(destination.send(item(1))).rejects.toMatchObject({ name: "AbortError" });
    await destination.close();
    expect(receiver.requests).toHaveLength(1);
    expect(reports.map((r) => [r.outcome, r.attempt, r.detail])).toEqual([
      ["retrying", 1, undefined],
      ["failed", 1, "interrupted before delivery"],
    ]);
  });
});
