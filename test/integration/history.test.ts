import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { AuthError, ConnectionError, UsageError } from "../../src/errors.js";
import {
  type HistoryEvent,
  type HistoryOptions,
  type HistoryStatus,
  type HistorySummary,
  readHistory,
} from "../../src/sources/history.js";
import { checkRest, type RestCheckOptions } from "../../src/sources/history-check.js";
import {
  type FakeRest,
  type FakeRestOptions,
  restItems,
  startFakeRest,
} from "../helpers/fake-rest.js";

const ACCESS = "access-token-0123456789";
const ID = "id-token-9876543210";
const T0 = 1_780_000_000; // seconds

let server: FakeRest | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Run {
  events: HistoryEvent[];
  summary: HistorySummary;
  statuses: HistoryStatus[];
  sleeps: number[];
  tokenCalls: string[];
  remembered: unknown[];
}

async function read(fake: FakeRestOptions, options: Partial<HistoryOptions> = {}): Promise<Run> {
  server = await startFakeRest(fake);
  const run: Run = {
    events: [],
    summary: undefined as unknown as HistorySummary,
    statuses: [],
    sleeps: [],
    tokenCalls: [],
    remembered: [],
  };
  const it = readHistory({
    baseUrl: server.baseUrl,
    customer: "c1",
    since: (T0 - 3600) * 1000,
    until: (T0 + 3600) * 1000,
    tokenKind: "access",
    getToken: async (kind, force) => {
      run.tokenCalls.push(`${kind}${force ? "!" : ""}`);
      return kind === "access" ? ACCESS : ID;
    },
    remember: (auth) => run.remembered.push(auth),
    onStatus: (s) => run.statuses.push(s),
    sleep: async (ms) => {
      run.sleeps.push(ms);
    },
    random: () => 0.5,
    // One slice: these tests are about pages (slicing has its own).
    sliceMs: 86_400_000,
    ...options,
  });
  for (;;) {
    const next = await it.next();
    if (next.done) {
      run.summary = next.value;
      break;
    }
    run.events.push(next.value);
  }
  return run;
}

async function failure(fake: FakeRestOptions, options: Partial<HistoryOptions> = {}) {
  const statuses: HistoryStatus[] = [];
  try {
    await read(fake, { onStatus: (s) => statuses.push(s), ...options });
  } catch (error) {
    return { error: error as Error & { exitCode: number; hint?: string }, statuses };
  }
  throw new Error("expected the read to fail");
}

describe("readHistory against a fake Insight REST server", () => {
  it.each(["with-customer", "without-customer", "absolute", "query-only"] as const)(
    "follows links.next (%s) across pages and writes oldest first",
    async (link) => {
      const r = await read({ items: restItems(7), pageSize: 2, link });
      expect(r.summary.pages).toBe(4);
      expect(r.events.map((e) => JSON.parse(e.line).scan_code)).toEqual(
        Array.from({ length: 7 }, (_, i) => `CODE-${i}`),
      );
      expect(r.events.map((e) => e.time)).toEqual(
        Array.from({ length: 7 }, (_, i) => (T0 + i) * 1000),
      );
      // Every request is the original one plus next_token: window kept, same path.
      for (const req of server!.requests) {
        expect(req.url.pathname).toBe("/api/c1/events");
        expect(req.url.searchParams.get("start_time_millis")).toBe(String((T0 - 3600) * 1000));
        expect(req.url.searchParams.get("end_time_millis")).toBe(String((T0 + 3600) * 1000));
      }
      expect(server!.requests.map((q) => q.url.searchParams.get("next_token"))).toEqual([
        null,
        "2",
        "4",
        "6",
      ]);
    },
  );

  it("writes events in the live feed's shape, unknown fields kept", async () => {
    const r = await read({ items: restItems(1) });
    expect(JSON.parse(r.events[0]!.line)).toEqual({
      event_id: "00000000-0000-4000-8000-000000000000",
      event_type: "scan",
      time_created: T0 * 1000,
      device_serial: "M2SR100000000",
      scan_code: "CODE-0",
      scan_decode_symbology: "CODE 128",
      device_battery: 90,
      extra_field: { nested: [0] },
    });
    expect(r.events[0]!.id).toBe("00000000-0000-4000-8000-000000000000");
    expect(r.events[0]!.source).toBe("history");
  });

  it("filters the window on the client when the server ignores it, and stops paging early", async () => {
    const items = restItems(40);
    const r = await read(
      { items, pageSize: 3, ignoreWindow: true },
      { since: (T0 + 30) * 1000, until: (T0 + 33) * 1000 },
    );
    expect(r.events.map((e) => JSON.parse(e.line).scan_code)).toEqual([
      "CODE-30",
      "CODE-31",
      "CODE-32",
      "CODE-33",
    ]);
    expect(r.summary.outsideWindow).toBeGreaterThan(0);
    // 40 items in pages of 3 newest first: pages 1-2 are newer than the window, 3-4 hold
    // it, page 5 is all older: no need for pages 6-14.
    expect(r.summary.pages).toBe(5);
    expect(r.statuses).toContainEqual(
      expect.objectContaining({
        type: "info",
        message: expect.stringMatching(/ignores the window/),
      }),
    );
  });

  it("the window starts at the whole second its start falls in: REST times are whole seconds", async () => {
    const r = await read(
      { items: restItems(3) },
      { since: T0 * 1000 + 500, until: (T0 + 1) * 1000 },
    );
    expect(r.events.map((e) => JSON.parse(e.line).scan_code)).toEqual(["CODE-0", "CODE-1"]);
    expect(server!.requests[0]!.url.searchParams.get("start_time_millis")).toBe(String(T0 * 1000));
  });

  it("falls back to Bearer when only Bearer is accepted, and reports it for the profile", async () => {
    const r = await read({ items: restItems(3), accept: (h) => h === `Bearer ${ACCESS}` });
    expect(r.events).toHaveLength(3);
    expect(server!.requests.map((q) => q.authorization)).toEqual([
      ACCESS,
      `Bearer ${ACCESS}`,
      `Bearer ${ACCESS}`,
    ]);
    expect(r.remembered).toEqual([{ scheme: "bearer", kind: "access" }]);
    expect(r.summary.auth).toEqual({ scheme: "bearer", kind: "access" });
    expect(r.statuses.some((s) => s.type === "auth")).toBe(true);
  });

  it("starts with the remembered spelling and does not store it again", async () => {
    const r = await read(
      { items: restItems(3), accept: (h) => h === `Bearer ${ID}` },
      { remembered: { scheme: "bearer", kind: "id" } },
    );
    expect(r.events).toHaveLength(3);
    expect(server!.requests.every((q) => q.authorization === `Bearer ${ID}`)).toBe(true);
    expect(r.remembered).toEqual([]);
  });

  it("tries the other token kind when the preferred one is refused in both spellings", async () => {
    const r = await read({ items: restItems(2), accept: (h) => h === ID });
    expect(r.events).toHaveLength(2);
    expect(server!.requests.map((q) => q.authorization)).toEqual([ACCESS, `Bearer ${ACCESS}`, ID]);
    expect(r.remembered).toEqual([{ scheme: "raw", kind: "id" }]);
  });

  it("refreshes a refused token once and retries the same spelling with the new one", async () => {
    let refreshed = false;
    const r = await read(
      { items: restItems(2), accept: (h) => h === "fresh-access-token" },
      {
        getToken: async (_kind, force) => {
          if (force) refreshed = true;
          return refreshed ? "fresh-access-token" : ACCESS;
        },
      },
    );
    expect(r.events).toHaveLength(2);
    expect(server!.requests.map((q) => q.authorization)).toEqual([ACCESS, "fresh-access-token"]);
    expect(r.remembered).toEqual([{ scheme: "raw", kind: "access" }]);
  });

  it("refused everything: AuthError (exit 3), every combination tried once, no token anywhere", async () => {
    const { error, statuses } = await failure({ items: restItems(2), accept: () => false });
    expect(error).toBeInstanceOf(AuthError);
    expect(error.exitCode).toBe(3);
    expect(server!.requests.map((q) => q.authorization)).toEqual([
      ACCESS,
      `Bearer ${ACCESS}`,
      ID,
      `Bearer ${ID}`,
    ]);
    const everything = [error.message, error.hint ?? "", JSON.stringify(statuses)].join("\n");
    expect(everything).toMatch(/Bearer <access token>/);
    expect(everything).not.toContain(ACCESS);
    expect(everything).not.toContain(ID);
    expect(everything).not.toContain("token-");
  });

  it("one token for both kinds (SCANTAIL_TOKEN): each header is sent once", async () => {
    const { error } = await failure(
      { items: restItems(2), accept: () => false },
      { getToken: async () => ACCESS },
    );
    expect(error).toBeInstanceOf(AuthError);
    expect(server!.requests.map((q) => q.authorization)).toEqual([ACCESS, `Bearer ${ACCESS}`]);
  });

  it("a kind with no stored token is skipped, not a crash", async () => {
    const { error } = await failure(
      { items: restItems(2), accept: () => false },
      {
        getToken: async (kind) => {
          if (kind === "id") throw new AuthError('no id token is stored for profile "default"');
          return ACCESS;
        },
      },
    );
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toMatch(/no id token is stored/);
    expect(server!.requests).toHaveLength(2);
  });

  it("a token that expires in the middle of a read is refreshed and the read goes on", async () => {
    let version = 1;
    const r = await read(
      {
        items: restItems(6),
        pageSize: 2,
        // The first token is stale at once; its successor expires before page 3.
        intercept: ({ page, authorization }) =>
          (page === 1 && authorization === "token-v1") ||
          (page === 3 && authorization === "token-v2")
            ? { status: 401, body: '{"message":"Unauthorized"}' }
            : undefined,
      },
      { getToken: async (_kind, force) => `token-v${force ? ++version : version}` },
    );
    expect(r.events).toHaveLength(6);
    expect(server!.requests.map((q) => q.authorization)).toEqual([
      "token-v1",
      "token-v2",
      "token-v2",
      "token-v2",
      "token-v3",
    ]);
  });

  it("a page that fails twice then succeeds: retried with backoff, Retry-After honoured, nothing lost", async () => {
    const r = await read({
      items: restItems(6),
      pageSize: 2,
      intercept: ({ page, attempt }) =>
        page === 2 && attempt === 1
          ? { status: 503, body: '{"message":"Service Unavailable"}' }
          : page === 2 && attempt === 2
            ? { status: 429, headers: { "Retry-After": "2" } }
            : undefined,
    });
    expect(r.events).toHaveLength(6);
    // Full jitter with random()=0.5 under a 500 ms ceiling, then Retry-After: 2 s.
    expect(r.sleeps).toEqual([250, 2000]);
    const retries = r.statuses.filter((s) => s.type === "retry");
    expect(retries.map((s) => s.type === "retry" && s.reason)).toEqual([
      "HTTP 503: Service Unavailable",
      "HTTP 429",
    ]);
  });

  it("a page that keeps failing: ConnectionError (exit 1) naming the page and status", async () => {
    const { error } = await failure({
      items: restItems(6),
      pageSize: 2,
      intercept: ({ page }) => (page === 2 ? { status: 502, body: "Bad Gateway" } : undefined),
    });
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.exitCode).toBe(1);
    expect(error.message).toMatch(/^page 2 of the event history failed after 5 attempts: HTTP 502/);
  });

  it.each([
    ["ftp://insight.example", /invalid base URL/],
    ["http://insight.example/api", /not encrypted/],
  ])("base URL %s is a usage error (exit 2) before any request", async (baseUrl, message) => {
    const { error } = await failure({}, { baseUrl });
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(message);
    expect(server!.requests).toEqual([]);
  });

  it("a network failure is retried, then reported", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const { error } = await failure(
      {},
      { baseUrl: `http://127.0.0.1:${port}`, limits: { maxAttempts: 2 } },
    );
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(
      /^page 1 of the event history failed after 2 attempts: ECONNREFUSED/,
    );
  });

  it.each([
    [
      "not JSON",
      { status: 200, body: "<html>gateway</html>" },
      /page 1 .* not JSON: <html>gateway<\/html>/,
    ],
    ["no items array", { status: 200, body: '{"data":[]}' }, /page 1 .* has no "items" array/],
    [
      "a link without next_token",
      { status: 200, body: '{"items":[],"links":{"next":"/events?page=2"}}' },
      /carries no next_token/,
    ],
    [
      "a 404",
      { status: 404, body: '{"message":"Not Found"}' },
      /page 1 .* failed: HTTP 404: Not Found/,
    ],
  ])("a page with %s is a clear error", async (_name, reply, message) => {
    const { error } = await failure({ items: restItems(2), intercept: () => reply });
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toMatch(message);
  });

  it("items that are not objects or have no time are skipped and counted", async () => {
    const body = JSON.stringify({
      items: [42, "text", null, [1], { id: "no-time", type: "scan" }, ...restItems(2)],
      links: {},
    });
    const r = await read({ intercept: () => ({ status: 200, body }) });
    expect(r.events).toHaveLength(2);
    expect(r.summary.skipped).toBe(5);
    expect(r.statuses).toContainEqual({
      type: "warning",
      message: expect.stringMatching(/^5 items of the event history skipped/),
    });
  });

  it("a next link that loops is stopped, not followed forever", async () => {
    const body = JSON.stringify({
      items: restItems(1),
      links: { next: "/events?next_token=same" },
    });
    const { error } = await failure({ intercept: () => ({ status: 200, body }) });
    expect(error.message).toMatch(/page 2 .* links back to an earlier page/);
  });

  it("page count and body size are bounded", async () => {
    const pages = await failure({ items: restItems(10), pageSize: 1 }, { limits: { maxPages: 3 } });
    expect(pages.error.message).toMatch(/more than 3 pages/);
    const big = await failure(
      { items: restItems(10), pageSize: 10 },
      { limits: { maxBodyBytes: 500 } },
    );
    expect(big.error.message).toMatch(/page 1 .* larger than 500 bytes/);
    const many = await failure({ items: restItems(10), pageSize: 3 }, { limits: { maxEvents: 5 } });
    expect(many.error).toBeInstanceOf(UsageError);
  });

  it("sorts by time whatever order the pages come in; equal times keep the server's order reversed", async () => {
    const items = restItems(5);
    const twin = { ...items[2]!, id: "twin", scan_code: "CODE-2b" };
    const body = JSON.stringify({
      items: [items[3], items[0], twin, items[4], items[2], items[1]],
    });
    const r = await read({ intercept: () => ({ status: 200, body }) });
    expect(r.events.map((e) => JSON.parse(e.line).scan_code)).toEqual([
      "CODE-0",
      "CODE-1",
      "CODE-2",
      "CODE-2b",
      "CODE-3",
      "CODE-4",
    ]);
  });

  it("the same event on two pages is written once", async () => {
    const items = restItems(3);
    const r = await read({
      intercept: ({ url }) => {
        const token = url.searchParams.get("next_token");
        const body = token
          ? { items: [items[1], items[0]], links: {} }
          : { items: [items[2], items[1]], links: { next: "/events?next_token=x" } };
        return { status: 200, body: JSON.stringify(body) };
      },
    });
    expect(r.events.map((e) => JSON.parse(e.line).scan_code)).toEqual([
      "CODE-0",
      "CODE-1",
      "CODE-2",
    ]);
    expect(r.summary.duplicates).toBe(1);
  });
});

describe("readHistory in slices (memory holds one slice)", () => {
  // One item every 5 minutes for an hour: 13 items, slice boundaries every 15 minutes.
  const items = restItems(13).map((item, i) => ({ ...item, created: T0 + i * 300 }));
  const window = { since: T0 * 1000, until: (T0 + 3600) * 1000, sliceMs: 900_000 };

  it("asks for each slice, oldest first, and writes an event on a boundary once", async () => {
    server = await startFakeRest({ items, pageSize: 2 });
    const it = readHistory({
      baseUrl: server.baseUrl,
      customer: "c1",
      tokenKind: "access",
      getToken: async () => ACCESS,
      ...window,
    });
    const first = await it.next();
    expect(first.value).toMatchObject({ time: T0 * 1000 });
    // Only the first slice was asked for before its first event was written.
    const asked = () => server!.requests.map((q) => q.url.searchParams.get("start_time_millis"));
    expect(new Set(asked())).toEqual(new Set([String(T0 * 1000)]));
    const rest: HistoryEvent[] = [];
    for await (const event of { [Symbol.asyncIterator]: () => it }) rest.push(event);
    const times = [first.value as HistoryEvent, ...rest].map((e) => e.time / 1000 - T0);
    expect(times).toEqual(Array.from({ length: 13 }, (_, i) => i * 300));
    expect([...new Set(asked())]).toEqual(
      [0, 900, 1800, 2700].map((offset) => String((T0 + offset) * 1000)),
    );
  });

  it("a server that ignores the window is read once, not once per slice", async () => {
    const r = await read({ items, pageSize: 4, ignoreWindow: true }, window);
    expect(r.events.map((e) => e.time / 1000 - T0)).toEqual(
      Array.from({ length: 13 }, (_, i) => i * 300),
    );
    expect(r.summary.windowIgnored).toBe(true);
    expect(
      new Set(server!.requests.map((q) => q.url.searchParams.get("start_time_millis"))),
    ).toEqual(new Set([String(T0 * 1000)]));
  });

  it("never more than 96 slices, however long the window", async () => {
    const r = await read({ items: [] }, { since: 0, until: T0 * 1000, sliceMs: 1000 });
    expect(r.events).toEqual([]);
    expect(server!.requests.length).toBeLessThanOrEqual(97);
  });
});

describe("checkRest (doctor)", () => {
  const check = async (
    fake: FakeRestOptions | undefined,
    options: Partial<RestCheckOptions> = {},
  ) => {
    if (fake) server = await startFakeRest(fake);
    return checkRest({
      baseUrl: server?.baseUrl,
      customer: "c1",
      tokenKind: "access",
      getToken: async (kind) => (kind === "access" ? ACCESS : ID),
      now: () => (T0 + 10) * 1000,
      sleep: async () => {},
      ...options,
    });
  };

  it("reachable, token accepted with the documented spelling, one page read", async () => {
    const r = await check({ items: restItems(5), pageSize: 3 });
    expect(r).toMatchObject({
      ok: true,
      auth: { scheme: "raw", kind: "access" },
      items: 3,
      experimental: true,
    });
    expect(r.detail).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/api reachable; token accepted with Authorization: <raw access token>; one page read: 3 events in the last hour$/,
    );
    expect(server!.requests).toHaveLength(1);
  });

  it("says which spelling worked after which was refused", async () => {
    const r = await check({ items: restItems(1), accept: (h) => h === `Bearer ${ACCESS}` });
    expect(r.ok).toBe(true);
    expect(r.auth).toEqual({ scheme: "bearer", kind: "access" });
    expect(r.detail).toMatch(
      /token accepted with Authorization: Bearer <access token> \(after Authorization: <raw access token> \(HTTP 403: Forbidden\) was refused\)/,
    );
  });

  it.each([
    ["every token refused → 3", { accept: () => false }, {}, 3, /refused every token/],
    ["no base URL → 2", undefined, { baseUrl: undefined }, 2, /no base URL .* --base-url/],
    [
      "not a URL → 2",
      undefined,
      { baseUrl: "insight example" },
      2,
      /invalid base URL "insight example"/,
    ],
    [
      "http:// to a remote host → 2",
      undefined,
      { baseUrl: "http://insight.example" },
      2,
      /not encrypted: use https:\/\/, or --insecure/,
    ],
    [
      "not Insight → 1",
      { intercept: () => ({ status: 200, body: '{"hello":1}' }) },
      {},
      1,
      /not like Insight's event history/,
    ],
    [
      "a server error → 1",
      { intercept: () => ({ status: 500, body: "{}" }) },
      {},
      1,
      /page 1 .* failed after 2 attempts: HTTP 500/,
    ],
  ] as const)("%s", async (_name, fake, options, code, detail) => {
    const r = await check(
      fake as FakeRestOptions | undefined,
      options as Partial<RestCheckOptions>,
    );
    expect(r.ok).toBe(false);
    expect(r.code).toBe(code);
    expect(r.detail).toMatch(detail);
    expect(r.detail).not.toContain(ACCESS);
    expect(r.detail).not.toContain(ID);
  });
});
