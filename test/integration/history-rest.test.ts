import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
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
import { checkRest } from "../../src/sources/history-check.js";
import { PageClient, type PageRequestOptions } from "../../src/sources/history-page.js";
import { openHistory, withHistory } from "../../src/sources/history-source.js";
import { openLive } from "../../src/sources/live.js";
import type { SourceItem } from "../../src/sources/source.js";
import { makeContext, runCli } from "../helpers/context.js";
import {
  type FakeRest,
  type FakeRestOptions,
  restItems,
  startFakeRest,
} from "../helpers/fake-rest.js";
import { startTestServer } from "../helpers/ws-server.js";

/*
 * Exactly what a REST page exchange can hold, against real loopback HTTP servers: every
 * Authorization fallback and refusal line, every malformed page with its exact message,
 * retries, size and time limits, paging stops and 15-minute slices (docs/history.md).
 */
const ACCESS = "access-token-0123456789";
const ID = "id-token-9876543210";
const T0 = 1_780_000_000; // seconds

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function fake(options: FakeRestOptions): Promise<FakeRest> {
  const server = await startFakeRest(options);
  closers.push(() => server.close());
  return server;
}

/** A loopback server answering every request with `handler`; its base URL ends in /api. */
async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ baseUrl: string; host: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { baseUrl: `http://${host}/api`, host, requests };
}

const hostOf = (baseUrl: string) => new URL(baseUrl).host;

interface Run {
  events: HistoryEvent[];
  summary: HistorySummary;
  statuses: HistoryStatus[];
  sleeps: number[];
  tokenCalls: string[];
  remembered: unknown[];
}

function options(baseUrl: string, run: Run, extra: Partial<HistoryOptions>): HistoryOptions {
  return {
    baseUrl,
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
    sliceMs: 86_400_000,
    ...extra,
  };
}

function newRun(): Run {
  return {
    events: [],
    summary: undefined as unknown as HistorySummary,
    statuses: [],
    sleeps: [],
    tokenCalls: [],
    remembered: [],
  };
}

/** Reads the whole window from `baseUrl`; a failure is returned with what came before. */
async function readFrom(
  baseUrl: string,
  extra: Partial<HistoryOptions> = {},
): Promise<Run & { error?: Error & { exitCode: number; hint?: string } }> {
  const run = newRun();
  try {
    const it = readHistory(options(baseUrl, run, extra));
    for (;;) {
      const next = await it.next();
      if (next.done) {
        run.summary = next.value;
        return run;
      }
      run.events.push(next.value);
    }
  } catch (error) {
    return { ...run, error: error as Error & { exitCode: number; hint?: string } };
  }
}

const codes = (r: Run) => r.events.map((e) => JSON.parse(e.line).scan_code as string);
const page = (items: unknown[], next?: string) =>
  JSON.stringify({ items, links: next ? { next } : {} });

describe("Authorization negotiation", () => {
  it("refused everywhere: one AuthError naming each spelling and its answer, in order", async () => {
    const rest = await fake({ items: restItems(2), accept: () => false });
    const r = await readFrom(rest.baseUrl);
    expect(r.error).toBeInstanceOf(AuthError);
    expect(r.error!.message).toBe(
      `the event history refused every token it was offered (${hostOf(rest.baseUrl)}): ` +
        "Authorization: <raw access token> → HTTP 403: Forbidden; " +
        "Authorization: Bearer <access token> → HTTP 403: Forbidden; " +
        "Authorization: <raw id token> → HTTP 403: Forbidden; " +
        "Authorization: Bearer <id token> → HTTP 403: Forbidden",
    );
    expect(r.error!.hint).toBe(
      "sign in again with `scantail login`; `scantail doctor` shows which Authorization spelling the server accepts",
    );
    expect(r.statuses).toEqual([
      {
        type: "auth",
        page: 1,
        refused: "Authorization: <raw access token> (HTTP 403: Forbidden)",
        next: "Authorization: Bearer <access token>",
      },
      {
        type: "auth",
        page: 1,
        refused: "Authorization: Bearer <access token> (HTTP 403: Forbidden)",
        next: "Authorization: <raw id token>",
      },
      {
        type: "auth",
        page: 1,
        refused: "Authorization: <raw id token> (HTTP 403: Forbidden)",
        next: "Authorization: Bearer <id token>",
      },
    ]);
    // One forced refresh per token kind; each token fetched once otherwise.
    expect(r.tokenCalls).toEqual(["access", "access!", "id", "id!"]);
    expect(r.remembered).toEqual([]);
  });

  it("a 401 is a refusal too: refreshed once, then the next spelling", async () => {
    const rest = await fake({
      items: restItems(2),
      intercept: ({ authorization }) =>
        authorization.startsWith("Bearer ") ? undefined : { status: 401, body: "" },
    });
    const r = await readFrom(rest.baseUrl);
    expect(r.error).toBeUndefined();
    expect(rest.requests.map((q) => q.authorization)).toEqual([ACCESS, `Bearer ${ACCESS}`]);
    expect(r.tokenCalls).toEqual(["access", "access!"]);
    expect(r.statuses[0]).toEqual({
      type: "auth",
      page: 1,
      refused: "Authorization: <raw access token> (HTTP 401)",
      next: "Authorization: Bearer <access token>",
    });
    expect(r.remembered).toEqual([{ scheme: "bearer", kind: "access" }]);
    expect(r.summary.auth).toEqual({ scheme: "bearer", kind: "access" });
  });

  it.each([
    ["same kind, other scheme", { scheme: "bearer", kind: "access" }, ACCESS],
    ["same scheme, other kind", { scheme: "raw", kind: "id" }, ACCESS],
    ["other scheme and kind", { scheme: "bearer", kind: "id" }, ACCESS],
  ] as const)(
    "a remembered spelling that no longer works (%s) is replaced by the one that does",
    async (_name, remembered, accepted) => {
      const rest = await fake({ items: restItems(2), accept: (h) => h === accepted });
      const r = await readFrom(rest.baseUrl, { remembered });
      expect(r.events).toHaveLength(2);
      expect(r.remembered).toEqual([{ scheme: "raw", kind: "access" }]);
    },
  );

  it("remembers the spelling once, however many pages follow", async () => {
    const rest = await fake({ items: restItems(5), pageSize: 1, accept: (h) => h === ID });
    const r = await readFrom(rest.baseUrl);
    expect(r.events).toHaveLength(5);
    expect(r.remembered).toEqual([{ scheme: "raw", kind: "id" }]);
    expect(rest.requests.map((q) => q.authorization)).toEqual([
      ACCESS,
      `Bearer ${ACCESS}`,
      ID,
      ID,
      ID,
      ID,
      ID,
    ]);
  });

  it("a missing token of the preferred kind is a refusal with its reason; the other kind goes on", async () => {
    const rest = await fake({ items: restItems(1) });
    const r = await readFrom(rest.baseUrl, {
      tokenKind: "id",
      getToken: async (kind) => {
        if (kind === "id") throw new AuthError('no id token is stored for profile "default"');
        return ACCESS;
      },
    });
    expect(r.events).toHaveLength(1);
    expect(r.statuses.filter((s) => s.type === "auth")).toEqual([
      {
        type: "auth",
        page: 1,
        refused: 'Authorization: <raw id token> (no id token is stored for profile "default")',
        next: "Authorization: Bearer <id token>",
      },
      {
        type: "auth",
        page: 1,
        refused: 'Authorization: Bearer <id token> (no id token is stored for profile "default")',
        next: "Authorization: <raw access token>",
      },
    ]);
    expect(rest.requests.map((q) => q.authorization)).toEqual([ACCESS]);
    expect(r.remembered).toEqual([{ scheme: "raw", kind: "access" }]);
  });

  it("a token store that breaks is an error of its own, not a refusal", async () => {
    const rest = await fake({ items: restItems(1) });
    const r = await readFrom(rest.baseUrl, {
      getToken: async () => {
        throw new Error("keychain unavailable");
      },
    });
    expect(r.error).not.toBeInstanceOf(AuthError);
    expect(r.error!.message).toBe("keychain unavailable");
    expect(rest.requests).toEqual([]);
  });

  it.each([
    ["cannot refresh (AuthError): the next spelling is tried", new AuthError("no refresh token")],
    ["refresh broken (other error): the read fails with it", new Error("refresh endpoint down")],
  ])("a refused token whose refresh %s", async (_name, failure) => {
    const rest = await fake({ items: restItems(1), accept: (h) => h === `Bearer ${ACCESS}` });
    const r = await readFrom(rest.baseUrl, {
      getToken: async (_kind, force) => {
        if (force) throw failure;
        return ACCESS;
      },
    });
    if (failure instanceof AuthError) {
      expect(r.events).toHaveLength(1);
      expect(rest.requests.map((q) => q.authorization)).toEqual([ACCESS, `Bearer ${ACCESS}`]);
    } else {
      expect(r.error).toBe(failure);
      expect(rest.requests.map((q) => q.authorization)).toEqual([ACCESS]);
    }
  });

  it("a refreshed token is not sent again under another token kind", async () => {
    const rest = await fake({ items: restItems(1), accept: () => false });
    const r = await readFrom(rest.baseUrl, {
      getToken: async (kind, force) => (kind === "id" || force ? "fresh-token-1234" : ACCESS),
    });
    expect(r.error).toBeInstanceOf(AuthError);
    expect(rest.requests.map((q) => q.authorization)).toEqual([
      ACCESS,
      "fresh-token-1234",
      "Bearer fresh-token-1234",
    ]);
  });

  it("a refreshed token whose header was sent already is not sent again", async () => {
    const rest = await fake({ items: restItems(1), accept: () => false });
    const r = await readFrom(rest.baseUrl, {
      getToken: async (_kind, force) => (force ? "fresh-token-1234" : ACCESS),
    });
    expect(r.error).toBeInstanceOf(AuthError);
    expect(rest.requests.map((q) => q.authorization)).toEqual([
      ACCESS,
      "fresh-token-1234",
      "Bearer fresh-token-1234",
      `Bearer ${ACCESS}`,
    ]);
  });

  it("a known token inside a token store's refusal is masked", async () => {
    const rest = await fake({ items: restItems(1), accept: (h) => h === `Bearer ${ACCESS}` });
    const r = await readFrom(rest.baseUrl, {
      tokenKind: "id",
      remembered: { scheme: "raw", kind: "access" },
      getToken: async (kind) => {
        if (kind === "id") throw new AuthError(`the id token is ${ACCESS}, an access token`);
        return ACCESS;
      },
    });
    expect(r.events).toHaveLength(1);
    const refusals = r.statuses.flatMap((s) => (s.type === "auth" ? [s.refused] : []));
    expect(refusals).toEqual([
      "Authorization: <raw access token> (HTTP 403: Forbidden)",
      "Authorization: <raw id token> (the id token is ***, an access token)",
      "Authorization: Bearer <id token> (the id token is ***, an access token)",
    ]);
  });

  it("works without anyone listening for status or remembering the spelling", async () => {
    const rest = await fake({
      items: restItems(1),
      accept: (h) => h?.startsWith("Bearer ") === true,
      intercept: ({ attempt }) => (attempt === 1 ? { status: 503 } : undefined),
    });
    const client = new PageClient({
      baseUrl: rest.baseUrl,
      customer: "c1",
      tokenKind: "access",
      getToken: async () => ACCESS,
      sleep: async () => {},
    });
    const answer = await client.fetchPage(new URL(`${rest.baseUrl}/c1/events`), 1);
    expect(answer.auth).toEqual({ scheme: "bearer", kind: "access" });
    expect((answer.body as { items: unknown[] }).items).toHaveLength(1);
    expect(rest.requests.map((q) => q.authorization)).toEqual([
      ACCESS,
      `Bearer ${ACCESS}`,
      `Bearer ${ACCESS}`,
    ]);
  });

  it("sends Accept: application/json and never follows a redirect with the token", async () => {
    const elsewhere = await serve((_req, res) => res.end(page([])));
    const rest = await serve((_req, res) => {
      res.writeHead(302, { Location: `${elsewhere.baseUrl}/c1/events` });
      res.end();
    });
    const r = await readFrom(rest.baseUrl);
    expect(r.error).toBeInstanceOf(ConnectionError);
    expect(r.error!.message).toBe(`page 1 of the event history failed: HTTP 302 (${rest.host})`);
    expect(r.error!.hint).toBeUndefined();
    expect(elsewhere.requests).toEqual([]);
    expect(rest.requests).toHaveLength(1);
    expect(rest.requests[0]!.headers.accept).toBe("application/json");
    expect(rest.requests[0]!.headers.authorization).toBe(ACCESS);
  });
});

describe("answers that are not a page", () => {
  it.each([
    [
      "404: says where to look",
      { status: 404, body: '{"message":"Not Found"}' },
      "page 1 of the event history failed: HTTP 404: Not Found",
      "check the base URL (--base-url, SCANTAIL_BASE_URL or the profile's baseUrl) and the customer ID",
    ],
    [
      "400: not retried, no hint",
      { status: 400, body: '{"message":"bad\\n\\tstart_time_millis\\u0007 given"}' },
      "page 1 of the event history failed: HTTP 400: bad start_time_millis given",
      undefined,
    ],
    [
      "a message that is not a string: the text itself, one line",
      { status: 418, body: '{"message": 5,\n "code": 1}' },
      'page 1 of the event history failed: HTTP 418: {"message": 5, "code": 1}',
      undefined,
    ],
    [
      "a long text is cut to 120 characters",
      { status: 409, body: `  ${"x".repeat(200)}  ` },
      `page 1 of the event history failed: HTTP 409: ${"x".repeat(120)}`,
      undefined,
    ],
    [
      "a token echoed by the server is masked",
      { status: 400, body: `{"message":"token ${ACCESS} is malformed"}` },
      "page 1 of the event history failed: HTTP 400: token *** is malformed",
      undefined,
    ],
    [
      "an empty answer",
      { status: 200, body: "" },
      "page 1 of the event history is not JSON: (empty)",
      undefined,
    ],
    [
      "no content at all",
      { status: 204 },
      "page 1 of the event history is not JSON: (empty)",
      undefined,
    ],
    [
      "not JSON: an excerpt, one line",
      { status: 200, body: "<html>\n<b>gateway</b>\n</html>" },
      "page 1 of the event history is not JSON: <html> <b>gateway</b> </html>",
      undefined,
    ],
  ])("%s", async (_name, reply, message, hint) => {
    const rest = await fake({ items: restItems(1), intercept: () => reply });
    const r = await readFrom(rest.baseUrl);
    expect(r.error).toBeInstanceOf(ConnectionError);
    expect(r.error!.exitCode).toBe(1);
    expect(r.error!.message).toBe(`${message} (${hostOf(rest.baseUrl)})`);
    expect(r.error!.hint).toBe(hint);
    expect(rest.requests).toHaveLength(1);
    expect(r.sleeps).toEqual([]);
  });

  it.each([200, 299])("HTTP %i is a page", async (status) => {
    const rest = await fake({
      intercept: () => ({ status, body: page(restItems(1)) }),
    });
    const r = await readFrom(rest.baseUrl);
    expect(r.error).toBeUndefined();
    expect(codes(r)).toEqual(["CODE-0"]);
  });

  it.each([
    ["null", "null"],
    ["a number", "7"],
    ["a string", '"items"'],
    ["an array", "[]"],
    ["items not an array", '{"items":{"0":{}}}'],
    ["no items", '{"links":{}}'],
  ])("a page that is %s has no items array", async (_name, body) => {
    const rest = await fake({ intercept: () => ({ status: 200, body }) });
    const r = await readFrom(rest.baseUrl);
    expect(r.error).toBeInstanceOf(ConnectionError);
    expect(r.error!.message).toBe(
      `page 1 of the event history has no "items" array (${hostOf(rest.baseUrl)})`,
    );
    expect(r.error!.hint).toBe("the server may not be Insight's REST API: check the base URL");
  });
});

describe("retries", () => {
  const failing = (status: number, headers?: Record<string, string>) => ({
    items: restItems(2),
    intercept: () => ({ status, body: '{"message":"busy"}', headers }),
  });

  it("a page that keeps failing: full-jitter backoff doubling from 500 ms, then one error", async () => {
    const rest = await fake(failing(503));
    const r = await readFrom(rest.baseUrl);
    expect(rest.requests).toHaveLength(5);
    expect(r.sleeps).toEqual([250, 500, 1000, 2000]);
    expect(r.statuses).toEqual(
      [250, 500, 1000, 2000].map((delayMs, i) => ({
        type: "retry",
        page: 1,
        attempt: i + 1,
        reason: "HTTP 503: busy",
        delayMs,
      })),
    );
    expect(r.error).toBeInstanceOf(ConnectionError);
    expect(r.error!.message).toBe(
      `page 1 of the event history failed after 5 attempts: HTTP 503: busy (${hostOf(rest.baseUrl)})`,
    );
    expect(r.error!.hint).toBe(
      "the answer would be incomplete, so nothing was written; try again later or narrow --since/--until",
    );
  });

  it("the backoff and Retry-After are capped by maxDelayMs (30 s by default)", async () => {
    const capped = await readFrom((await fake(failing(500))).baseUrl, {
      limits: { maxAttempts: 4, maxDelayMs: 600 },
    });
    expect(capped.sleeps).toEqual([250, 300, 300]);
    const patient = await readFrom((await fake(failing(429, { "Retry-After": "100" }))).baseUrl, {
      limits: { maxAttempts: 2 },
    });
    expect(patient.sleeps).toEqual([30_000]);
    expect(patient.error!.message).toMatch(
      /^page 1 of the event history failed after 2 attempts: HTTP 429: busy/,
    );
  });

  it("Retry-After as an HTTP date counts from the injected clock", async () => {
    const rest = await fake(failing(503, { "Retry-After": "Thu, 26 Nov 2026 15:00:07 GMT" }));
    const r = await readFrom(rest.baseUrl, {
      now: () => Date.UTC(2026, 10, 26, 15, 0, 0),
      limits: { maxAttempts: 2 },
    });
    expect(r.sleeps).toEqual([7000]);
  });

  it("a page that never answers times out, and the timeout is the reason", async () => {
    const silent = await serve(() => {});
    const r = await readFrom(silent.baseUrl, { limits: { maxAttempts: 1, timeoutMs: 50 } });
    expect(r.error!.message).toBe(
      `page 1 of the event history failed after 1 attempts: no answer within 0.05 s (${silent.host})`,
    );
  });

  it("stopping during a backoff ends the page request with 'stopped'", async () => {
    const rest = await fake(failing(503));
    const stop = new AbortController();
    const client = new PageClient({
      baseUrl: rest.baseUrl,
      customer: "c1",
      tokenKind: "access",
      getToken: async () => ACCESS,
      signal: stop.signal,
      random: () => 0.5,
      sleep: async () => stop.abort(),
    } satisfies PageRequestOptions);
    await expect(client.fetchPage(new URL(`${rest.baseUrl}/c1/events`), 1)).rejects.toThrow(
      new ConnectionError("stopped"),
    );
    expect(rest.requests).toHaveLength(1);
  });

  it("stopping while a page is on its way ends the read at once: no retry, no wait", async () => {
    const stop = new AbortController();
    const silent = await serve(() => stop.abort());
    const r = await readFrom(silent.baseUrl, { signal: stop.signal });
    expect(r.error).toBeUndefined();
    expect(r.statuses).toEqual([]);
    expect(r.sleeps).toEqual([]);
    expect(silent.requests).toHaveLength(1);
  });

  it("stopping during a backoff ends a read quietly, with nothing half-written", async () => {
    const stop = new AbortController();
    const rest = await fake(failing(503));
    const r = await readFrom(rest.baseUrl, {
      signal: stop.signal,
      sleep: async () => stop.abort(),
    });
    expect(r.error).toBeUndefined();
    expect(r.events).toEqual([]);
    expect(r.summary.pages).toBe(0);
  });
});

describe("page size limit", () => {
  /** A page of exactly `size` bytes, sent with or without Content-Length. */
  const sized = (size: number, declared: boolean) => {
    const body = page([]);
    const padded = `${body.slice(0, -1)}${" ".repeat(size - body.length)}}`;
    return serve((_req, res) => {
      if (declared) {
        res.writeHead(200, { "Content-Length": String(padded.length) });
        res.end(padded);
      } else {
        res.writeHead(200, { "Transfer-Encoding": "chunked" });
        res.write(padded.slice(0, 10));
        res.end(padded.slice(10));
      }
    });
  };

  it("32 MiB by default: a larger declared page is refused before it is read", async () => {
    const huge = await serve((_req, res) => {
      res.writeHead(200, { "Content-Length": String(32 * 1024 * 1024 + 1) });
      res.write("{");
    });
    const r = await readFrom(huge.baseUrl);
    expect(r.error!.message).toBe(
      `page 1 of the event history is larger than 33554432 bytes (${huge.host})`,
    );
  });

  it.each([true, false])(
    "(Content-Length declared: %s) a page of the limit is read, one byte more is refused at once",
    async (declared) => {
      const fits = await sized(100, declared);
      expect(
        (await readFrom(fits.baseUrl, { limits: { maxBodyBytes: 100 } })).error,
      ).toBeUndefined();
      const over = await sized(101, declared);
      const r = await readFrom(over.baseUrl, { limits: { maxBodyBytes: 100 } });
      expect(r.error).toBeInstanceOf(ConnectionError);
      expect(r.error!.message).toBe(
        `page 1 of the event history is larger than 100 bytes (${over.host})`,
      );
      // The same page would be as large again: no retry.
      expect(over.requests).toHaveLength(1);
      expect(r.sleeps).toEqual([]);
    },
  );
});

describe("paging", () => {
  it("counts what it read: pages, items, events, skipped, duplicates, outside the window", async () => {
    const items = restItems(4);
    const rest = await fake({
      intercept: ({ url }) =>
        url.searchParams.get("next_token") === null
          ? {
              status: 200,
              body: page(
                [items[3], { ...items[2], created: T0 + 7200 }, 7, items[1]],
                "/events?next_token=p2",
              ),
            }
          : { status: 200, body: page([items[1], { id: "x" }, items[0]]) },
    });
    const r = await readFrom(rest.baseUrl);
    expect(codes(r)).toEqual(["CODE-0", "CODE-1", "CODE-3"]);
    expect(r.summary).toEqual({
      pages: 2,
      items: 7,
      events: 3,
      outsideWindow: 1,
      windowIgnored: true,
      duplicates: 1,
      skipped: 2,
      auth: { scheme: "raw", kind: "access" },
    });
    expect(r.statuses).toEqual([
      {
        type: "info",
        message: "the server sent events outside the window asked for: filtering them here",
      },
      { type: "page", page: 1, items: 4, kept: 2 },
      { type: "page", page: 2, items: 3, kept: 1 },
      {
        type: "warning",
        message: '2 items of the event history skipped: not an object or no usable "created" time',
      },
    ]);
  });

  it("one skipped item is one item", async () => {
    const rest = await fake({ intercept: () => ({ status: 200, body: page([false]) }) });
    const r = await readFrom(rest.baseUrl);
    expect(r.statuses.at(-1)).toEqual({
      type: "warning",
      message: '1 item of the event history skipped: not an object or no usable "created" time',
    });
  });

  it("nothing skipped, no warning", async () => {
    const r = await readFrom((await fake({ items: restItems(2) })).baseUrl);
    expect(r.statuses.map((s) => s.type)).toEqual(["page"]);
  });

  it("an empty page with a next link is followed, not taken for the end", async () => {
    const rest = await fake({
      intercept: ({ url }) =>
        url.searchParams.get("next_token") === null
          ? { status: 200, body: page([], "/events?next_token=2") }
          : { status: 200, body: page(restItems(1)) },
    });
    const r = await readFrom(rest.baseUrl);
    expect(codes(r)).toEqual(["CODE-0"]);
    expect(r.summary.pages).toBe(2);
  });

  it("a server whose pages are not newest first is read to the end, even past older pages", async () => {
    // Ignores the window and pages oldest first: page 1 is all older than the window.
    const old = restItems(2, T0 - 7200);
    const recent = restItems(2);
    const rest = await fake({
      intercept: ({ url }) =>
        url.searchParams.get("next_token") === null
          ? { status: 200, body: page(old, "/events?next_token=2") }
          : { status: 200, body: page(recent) },
    });
    const r = await readFrom(rest.baseUrl);
    expect(codes(r)).toEqual(["CODE-0", "CODE-1"]);
    expect(r.events.map((e) => e.time)).toEqual([T0 * 1000, (T0 + 1) * 1000]);
  });

  it("newest-first pages wholly older than the window end the read, and say so once", async () => {
    const items = restItems(15);
    const rest = await fake({ items, pageSize: 3, ignoreWindow: true });
    const r = await readFrom(rest.baseUrl, { since: (T0 + 7) * 1000, until: (T0 + 10) * 1000 });
    expect(codes(r)).toEqual(["CODE-7", "CODE-8", "CODE-9", "CODE-10"]);
    // Pages (newest first): 14-12, 11-9, 8-6, 5-3, 2-0: page 4 is older than the window.
    expect(r.summary.pages).toBe(4);
    expect(r.summary.outsideWindow).toBe(8);
    expect(r.statuses.filter((s) => s.type === "info")).toEqual([
      {
        type: "info",
        message: "the server sent events outside the window asked for: filtering them here",
      },
      {
        type: "info",
        message:
          "stopped after page 4: the server ignores the window and every later event is older than it",
      },
    ]);
    expect(
      r.statuses.filter((s) => s.type === "page").map((s) => s.type === "page" && s.kept),
    ).toEqual([0, 2, 2, 0]);
  });

  it("events of the same second count as newest first: the read still stops early", async () => {
    // Pairs of events per second, one pair per page, newest first; the window is one second.
    const items = restItems(12).map((item, i) => ({ ...item, created: T0 + Math.floor(i / 2) }));
    const rest = await fake({ items, pageSize: 2, ignoreWindow: true });
    const r = await readFrom(rest.baseUrl, { since: (T0 + 4) * 1000, until: (T0 + 4) * 1000 });
    expect(codes(r)).toEqual(["CODE-9", "CODE-8"]);
    expect(r.summary.pages).toBe(3);
  });

  it("events without an id are all written: there is nothing to tell them apart by", async () => {
    const items = restItems(3).map(({ id: _id, ...rest }) => rest);
    const rest = await fake({ items });
    const r = await readFrom(rest.baseUrl);
    expect(codes(r)).toEqual(["CODE-0", "CODE-1", "CODE-2"]);
    expect(r.events.map((e) => e.id)).toEqual([undefined, undefined, undefined]);
    expect(r.summary.duplicates).toBe(0);
  });

  it("a window of one instant is asked for and holds the events of that instant", async () => {
    const rest = await fake({ items: restItems(3) });
    const r = await readFrom(rest.baseUrl, { since: (T0 + 1) * 1000, until: (T0 + 1) * 1000 });
    expect(codes(r)).toEqual(["CODE-1"]);
    expect(rest.requests).toHaveLength(1);
  });

  it("a server that ignores the window is handled without anyone listening for status", async () => {
    const rest = await fake({ items: restItems(15), pageSize: 3, ignoreWindow: true });
    const read: HistoryEvent[] = [];
    for await (const event of readHistory({
      baseUrl: rest.baseUrl,
      customer: "c1",
      tokenKind: "access",
      getToken: async () => ACCESS,
      since: (T0 + 7) * 1000,
      until: (T0 + 10) * 1000,
    })) {
      read.push(event);
    }
    expect(read.map((e) => JSON.parse(e.line).scan_code)).toEqual([
      "CODE-7",
      "CODE-8",
      "CODE-9",
      "CODE-10",
    ]);
    expect(rest.requests).toHaveLength(4);
  });

  it("the last page of a window that still holds an event of it does not stop the read", async () => {
    // The page's newest event is exactly the window's start: later pages may still matter.
    const items = restItems(6);
    const rest = await fake({ items, pageSize: 2, ignoreWindow: true });
    const r = await readFrom(rest.baseUrl, { since: (T0 + 3) * 1000, until: (T0 + 5) * 1000 });
    expect(codes(r)).toEqual(["CODE-3", "CODE-4", "CODE-5"]);
    expect(r.summary.pages).toBe(3);
  });

  it.each([
    [
      { next: "/events?page=2" },
      "page 1 of the event history: links.next carries no next_token: /events?page=2",
    ],
    [{ next: 7 }, "page 1 of the event history: links.next is not a string"],
  ])("a bad links.next (%j) fails the read: %s", async (links, message) => {
    const rest = await fake({
      intercept: () => ({ status: 200, body: JSON.stringify({ items: restItems(1), links }) }),
    });
    const r = await readFrom(rest.baseUrl);
    expect(r.error).toBeInstanceOf(ConnectionError);
    expect(r.error!.message).toBe(message);
    expect(r.events).toEqual([]);
  });

  it("a next_token seen before stops the read with an error", async () => {
    const rest = await fake({
      intercept: ({ url }) => ({
        status: 200,
        body: page(
          restItems(1),
          `/events?next_token=${url.searchParams.get("next_token") === "b" ? "a" : "b"}`,
        ),
      }),
    });
    const r = await readFrom(rest.baseUrl);
    expect(r.error!.message).toBe(
      "page 3 of the event history links back to an earlier page (next_token repeats): stopped",
    );
    expect(rest.requests.map((q) => q.url.searchParams.get("next_token"))).toEqual([
      null,
      "b",
      "a",
    ]);
  });

  it("maxPages pages are read; one more is refused", async () => {
    const ok = await readFrom((await fake({ items: restItems(3), pageSize: 1 })).baseUrl, {
      limits: { maxPages: 3 },
    });
    expect(codes(ok)).toEqual(["CODE-0", "CODE-1", "CODE-2"]);
    const over = await readFrom((await fake({ items: restItems(4), pageSize: 1 })).baseUrl, {
      limits: { maxPages: 3 },
    });
    expect(over.error).toBeInstanceOf(ConnectionError);
    expect(over.error!.message).toBe(
      "the event history had more than 3 pages: stopped following links.next",
    );
    expect(over.error!.hint).toBe("narrow the window with --since/--until");
  });

  it("maxEvents events are held; one more is a usage error with advice", async () => {
    const ok = await readFrom((await fake({ items: restItems(3) })).baseUrl, {
      limits: { maxEvents: 3 },
    });
    expect(ok.events).toHaveLength(3);
    const over = await readFrom((await fake({ items: restItems(4) })).baseUrl, {
      limits: { maxEvents: 3 },
    });
    expect(over.error).toBeInstanceOf(UsageError);
    expect(over.error!.message).toBe(
      "the window holds more than 3 events: too many to sort in memory",
    );
    expect(over.error!.hint).toBe("narrow it with --since/--until");
    const ignored = await readFrom(
      (await fake({ items: restItems(4), ignoreWindow: true })).baseUrl,
      { limits: { maxEvents: 2 }, until: (T0 + 2) * 1000 },
    );
    expect(ignored.error!.message).toBe(
      "the window holds more than 2 events (the server ignores the window parameters): too many to sort in memory",
    );
  });

  it("stops between events when told to, and between pages before asking", async () => {
    const stop = new AbortController();
    const rest = await fake({ items: restItems(4), pageSize: 2 });
    const run = newRun();
    const it = readHistory(options(rest.baseUrl, run, { signal: stop.signal }));
    const first = await it.next();
    expect(first.value).toMatchObject({ time: T0 * 1000 });
    stop.abort();
    const end = await it.next();
    expect(end.done).toBe(true);
    expect(end.value).toMatchObject({ pages: 2, events: 1 });

    const before = newRun();
    const already = AbortSignal.abort();
    const none = readHistory(options(rest.baseUrl, before, { signal: already }));
    expect(await none.next()).toEqual({
      done: true,
      value: expect.objectContaining({ pages: 0, events: 0 }),
    });
    expect(rest.requests).toHaveLength(2);
  });
});

describe("slices", () => {
  const asked = (rest: FakeRest) =>
    rest.requests.map((q) => [
      Number(q.url.searchParams.get("start_time_millis")) / 1000 - T0,
      Number(q.url.searchParams.get("end_time_millis")) / 1000 - T0,
    ]);

  it("15 minutes by default, oldest first, each asked for once when empty", async () => {
    const rest = await fake({});
    const r = await readFrom(rest.baseUrl, {
      sliceMs: undefined,
      since: T0 * 1000,
      until: (T0 + 3600) * 1000,
    });
    expect(r.events).toEqual([]);
    expect(asked(rest)).toEqual([
      [0, 900],
      [900, 1800],
      [1800, 2700],
      [2700, 3600],
    ]);
  });

  it("never more than 96 slices: a long window gets longer slices", async () => {
    const rest = await fake({});
    await readFrom(rest.baseUrl, { sliceMs: 1000, since: T0 * 1000, until: (T0 + 96 * 60) * 1000 });
    expect(rest.requests).toHaveLength(96);
    expect(asked(rest)[1]).toEqual([60, 120]);
  });

  it("never shorter than a second", async () => {
    const rest = await fake({});
    await readFrom(rest.baseUrl, { sliceMs: 1, since: T0 * 1000, until: (T0 + 3) * 1000 });
    expect(asked(rest)).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it("an event on a slice boundary is written once, by the later slice; the last slice includes its end", async () => {
    const items = [0, 1, 2, 3].map((s, i) => ({
      ...restItems(1)[0]!,
      id: `e${i}`,
      created: T0 + s,
    }));
    const rest = await fake({ items });
    const r = await readFrom(rest.baseUrl, {
      sliceMs: 1000,
      since: T0 * 1000,
      until: (T0 + 3) * 1000,
    });
    expect(r.events.map((e) => e.id)).toEqual(["e0", "e1", "e2", "e3"]);
    expect(r.summary.events).toBe(4);
    expect(r.summary.duplicates).toBe(0);
  });

  it("a fractional end is asked for up to the next millisecond", async () => {
    const rest = await fake({});
    await readFrom(rest.baseUrl, { since: T0 * 1000, until: T0 * 1000 + 10.5 });
    expect(rest.requests[0]!.url.searchParams.get("end_time_millis")).toBe(String(T0 * 1000 + 11));
  });
});

describe("the history as a source", () => {
  const collect = async (source: ReturnType<typeof openHistory>) => {
    const items: SourceItem[] = [];
    for await (const item of source.items(new AbortController().signal)) items.push(item);
    return items;
  };

  it("frames in batches of 256, progress and problems as notices of the right level", async () => {
    const rest = await fake({
      items: restItems(300),
      pageSize: 300,
      accept: (h) => h?.startsWith("Bearer ") === true,
      intercept: ({ attempt }) => (attempt === 1 ? { status: 503, body: "busy" } : undefined),
    });
    const source = openHistory(
      {
        baseUrl: rest.baseUrl,
        customer: "c1",
        tokenKind: "access",
        getToken: async () => ACCESS,
        sleep: async () => {},
        random: () => 0.5,
        sliceMs: 86_400_000,
      },
      { since: (T0 - 10) * 1000, until: (T0 + 3600) * 1000 },
      "work",
    );
    expect(source.origin).toEqual({ source: "history", profile: "work" });
    expect(source.live).toBe(false);
    const items = await collect(source);
    const origin = { source: "history", profile: "work" };
    const notices = items.filter((i) => i.kind === "notice");
    expect(notices).toEqual([
      {
        kind: "notice",
        origin,
        level: "verbose",
        message:
          "event history: Authorization: <raw access token> (HTTP 403: Forbidden) was refused; trying Authorization: Bearer <access token>",
      },
      {
        kind: "notice",
        origin,
        level: "warning",
        message: "event history page 1: HTTP 503: busy; retrying in 250 ms (attempt 2)",
      },
      {
        kind: "notice",
        origin,
        level: "verbose",
        message: "event history page 1: 300 items, 300 in the window",
      },
    ]);
    const frames = items.filter((i) => i.kind === "frames");
    expect(frames.map((f) => f.kind === "frames" && f.frames.length)).toEqual([256, 44]);
    expect(frames.every((f) => f.origin.source === "history" && f.origin.profile === "work")).toBe(
      true,
    );
    const lines = frames.flatMap((f) => (f.kind === "frames" ? f.frames : []));
    expect(lines.map((l) => JSON.parse(String(l)).scan_code)).toEqual(
      Array.from({ length: 300 }, (_, i) => `CODE-${i}`),
    );
    // Notices come before the frames they precede: the retry before any event.
    expect(items.findIndex((i) => i.kind === "frames")).toBe(3);
  });

  it("a warning and info of the read are notices too; an empty read yields no frames", async () => {
    const rest = await fake({
      intercept: () => ({ status: 200, body: page([null, { ...restItems(1)[0], created: 5 }]) }),
    });
    const items = await collect(
      openHistory(
        {
          baseUrl: rest.baseUrl,
          customer: "c1",
          tokenKind: "access",
          getToken: async () => ACCESS,
        } as never,
        { since: T0 * 1000, until: (T0 + 60) * 1000 },
      ),
    );
    const origin = { source: "history", profile: undefined };
    expect(items).toEqual([
      {
        kind: "notice",
        origin,
        level: "verbose",
        message: "the server sent events outside the window asked for: filtering them here",
      },
      {
        kind: "notice",
        origin,
        level: "verbose",
        message: "event history page 1: 2 items, 0 in the window",
      },
      {
        kind: "notice",
        origin,
        level: "warning",
        message: '1 item of the event history skipped: not an object or no usable "created" time',
      },
    ]);
  });
});

describe("doctor's REST check", () => {
  it("asks for the last hour (or the window given) and counts one event as one", async () => {
    const rest = await fake({ items: restItems(1) });
    const now = (T0 + 10) * 1000;
    const r = await checkRest({
      baseUrl: `${rest.baseUrl}//`,
      customer: "c1",
      tokenKind: "access",
      getToken: async () => ACCESS,
      now: () => now,
    });
    expect(r.detail).toBe(
      `${rest.baseUrl} reachable; token accepted with Authorization: <raw access token>; one page read: 1 event in the last hour`,
    );
    expect(rest.requests[0]!.url.searchParams.get("start_time_millis")).toBe(
      String(now - 3_600_000),
    );
    expect(rest.requests[0]!.url.searchParams.get("end_time_millis")).toBe(String(now));
    await checkRest({
      baseUrl: rest.baseUrl,
      customer: "c1",
      tokenKind: "access",
      getToken: async () => ACCESS,
      now: () => now,
      windowMs: 60_000,
    });
    expect(rest.requests[1]!.url.searchParams.get("start_time_millis")).toBe(String(now - 60_000));
  });

  it("names every spelling refused before the one that worked", async () => {
    const rest = await fake({ items: restItems(3), pageSize: 3, accept: (h) => h === ID });
    const r = await checkRest({
      baseUrl: rest.baseUrl,
      customer: "c1",
      tokenKind: "access",
      getToken: async (kind) => (kind === "access" ? ACCESS : ID),
      now: () => (T0 + 10) * 1000,
    });
    expect(r.detail).toBe(
      `${rest.baseUrl} reachable; token accepted with Authorization: <raw id token> (after ` +
        "Authorization: <raw access token> (HTTP 403: Forbidden), " +
        "Authorization: Bearer <access token> (HTTP 403: Forbidden) was refused); " +
        "one page read: 3 events in the last hour",
    );
    expect(r.auth).toEqual({ scheme: "raw", kind: "id" });
  });

  it("a retry on the way is no refusal; Retry-After waits at most 2 s", async () => {
    const rest = await fake({
      items: restItems(2),
      intercept: ({ attempt }) =>
        attempt === 1 ? { status: 429, headers: { "Retry-After": "60" } } : undefined,
    });
    const sleeps: number[] = [];
    const r = await checkRest({
      baseUrl: rest.baseUrl,
      customer: "c1",
      tokenKind: "access",
      getToken: async () => ACCESS,
      now: () => (T0 + 10) * 1000,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    expect(r.ok).toBe(true);
    expect(r.detail).toMatch(/with Authorization: <raw access token>; one page read: 2 events/);
    expect(sleeps).toEqual([2000]);
  });

  it.each([
    [
      "no base URL",
      { baseUrl: undefined },
      {
        ok: false,
        code: 2,
        detail:
          "no base URL for the event history: set it with --base-url, SCANTAIL_BASE_URL or `scantail config set baseUrl <url>`",
        experimental: true,
      },
    ],
    [
      "a base URL that is no URL",
      { baseUrl: "insight example" },
      {
        ok: false,
        code: 2,
        detail: 'invalid base URL "insight example": expected https://…',
        experimental: true,
      },
    ],
  ])("%s: the whole answer", async (_name, given, expected) => {
    const r = await checkRest({
      customer: "c1",
      tokenKind: "access",
      getToken: async () => ACCESS,
      ...given,
    });
    expect(r).toEqual(expected);
  });

  it.each(["null", "7", "[]", '{"items":7}'])(
    "a page that is not Insight's (%s): named, with the spelling that got it",
    async (body) => {
      const rest = await fake({ intercept: () => ({ status: 200, body }) });
      const r = await checkRest({
        baseUrl: rest.baseUrl,
        customer: "c1",
        tokenKind: "access",
        getToken: async () => ACCESS,
      });
      expect(r).toEqual({
        ok: false,
        code: 1,
        detail: `${hostOf(rest.baseUrl)} answered, but not like Insight's event history (no "items" array): check the base URL`,
        auth: { scheme: "raw", kind: "access" },
        experimental: true,
      });
    },
  );

  it.each([
    ["a configuration problem → 2", new UsageError(`profile has no token ${ACCESS}`), 2],
    ["anything else → 1", new Error(`token store broken near ${ACCESS}`), 1],
  ])("a token that cannot be had: %s, secrets masked", async (_name, failure, code) => {
    const refused = await fake({ items: restItems(1), accept: () => false });
    const failed = await checkRest({
      baseUrl: refused.baseUrl,
      customer: "c1",
      tokenKind: "access",
      getToken: async (_kind, force) => {
        if (force) throw failure;
        return ACCESS;
      },
    });
    expect(failed).toMatchObject({ ok: false, code, experimental: true });
    expect(failed.detail).not.toContain(ACCESS);
    expect(failed.detail).toMatch(/\*\*\*/);
  });
});

describe("live with its past (--since, gap fill)", () => {
  const DAY = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const liveEvent = (id: string) => JSON.stringify({ event_id: id, time_created: T0 * 1000 });

  /**
   * A live feed on a real ws server: each connection sends the frames given for it and,
   * unless it is the last, closes; reconnects follow at once.
   */
  async function liveFeed(perConnection: string[][]) {
    const ws = await startTestServer({
      onConnection: (socket, index) => {
        for (const frame of perConnection[index - 1] ?? []) socket.send(frame);
        if (index < perConnection.length) socket.close(1011, "test");
      },
    });
    closers.push(() => ws.close());
    return openLive(
      {
        url: ws.url,
        customer: "c1",
        getToken: async () => "live-token-1234",
        canRefresh: false,
        reconnect: true,
        heartbeatMs: 60_000,
        renewAfterMs: DAY,
        random: () => 0,
        sleep: async () => {},
      },
      "work",
    );
  }

  /** Items until `enough` says so, then stop. */
  async function take(
    source: ReturnType<typeof withHistory>,
    enough: (items: SourceItem[]) => boolean,
  ): Promise<SourceItem[]> {
    const stop = new AbortController();
    const items: SourceItem[] = [];
    for await (const item of source.items(stop.signal)) {
      items.push(item);
      if (enough(items)) break;
    }
    stop.abort();
    return items;
  }

  const access = (baseUrl: string) => ({
    baseUrl,
    customer: "c1",
    tokenKind: "access" as const,
    getToken: async () => ACCESS,
    sleep: async () => {},
    sliceMs: DAY,
  });
  const framesOf = (items: SourceItem[]) =>
    items.flatMap((i) =>
      i.kind === "frames"
        ? i.frames.map((f) => `${i.origin.source}:${JSON.parse(String(f)).event_id}`)
        : [],
    );
  const noticesOf = (items: SourceItem[]) =>
    items.flatMap((i) => (i.kind === "notice" ? [`${i.level}: ${i.message}`] : []));
  const liveFrames = (items: SourceItem[]) =>
    framesOf(items).filter((f) => f.startsWith("live:")).length;

  it("without a history, or with neither --since nor gap fill, the live source is used as it is", async () => {
    const live = await liveFeed([[]]);
    expect(live.origin).toEqual({ source: "live", profile: "work" });
    expect(live.live).toBe(true);
    expect(withHistory(live, { gapFill: true, since: 1, now: Date.now })).toBe(live);
    expect(
      withHistory(live, { access: access("https://x.example"), gapFill: false, now: Date.now }),
    ).toBe(live);
    const both = withHistory(live, {
      access: access("https://x.example"),
      gapFill: true,
      now: Date.now,
    });
    expect(both).not.toBe(live);
    expect(both.origin).toEqual({ source: "live", profile: "work" });
    expect(both.live).toBe(true);
  });

  it("--since: the stored events up to the connection, then live; no gap fill unless asked", async () => {
    const rest = await fake({ items: restItems(2) });
    const now = (T0 + 60) * 1000;
    const live = await liveFeed([[liveEvent("L1")], [liveEvent("L2")]]);
    const items = await take(
      withHistory(live, {
        access: access(rest.baseUrl),
        since: T0 * 1000,
        gapFill: false,
        now: () => now,
      }),
      (got) => liveFrames(got) === 2,
    );
    expect(framesOf(items)).toEqual([
      "history:00000000-0000-4000-8000-000000000000",
      "history:00000000-0000-4000-8000-000000000001",
      "live:L1",
      "live:L2",
    ]);
    expect(noticesOf(items)).toEqual([
      `info: stored events since ${iso(T0 * 1000)}, then live`,
      "verbose: event history page 1: 2 items, 2 in the window",
    ]);
    // The stored events follow the connection's opening, before any live frame.
    expect(
      items
        .slice(0, 5)
        .map((i) =>
          i.kind === "status" ? `status:${i.status.type}` : `${i.kind}:${i.origin.source}`,
        ),
    ).toEqual([
      "status:connecting",
      "status:connected",
      "notice:history",
      "notice:history",
      "frames:history",
    ]);
    expect(items.find((i) => i.kind === "notice")!.origin).toEqual({
      source: "history",
      profile: "work",
    });
    // One read only: the window up to the first connection.
    expect(rest.requests).toHaveLength(1);
    expect(rest.requests[0]!.url.searchParams.get("end_time_millis")).toBe(String(now));
  });

  it("--since that cannot be read: one warning with the reason, then live", async () => {
    const rest = await fake({
      items: restItems(1),
      intercept: () => ({ status: 404, body: '{"message":"Not Found"}' }),
    });
    const live = await liveFeed([[liveEvent("L1")]]);
    const items = await take(
      withHistory(live, {
        access: access(rest.baseUrl),
        since: T0 * 1000,
        gapFill: true,
        now: () => (T0 + 9) * 1000,
      }),
      (got) => liveFrames(got) === 1,
    );
    expect(framesOf(items)).toEqual(["live:L1"]);
    expect(noticesOf(items)).toEqual([
      `info: stored events since ${iso(T0 * 1000)}, then live`,
      `warning: stored events since ${iso(T0 * 1000)} could not be read: page 1 of the event history failed: HTTP 404: Not Found (${hostOf(rest.baseUrl)}); going on live`,
    ]);
  });

  it("after a reconnect, the gap from the last live frame less a minute is filled before live goes on", async () => {
    // The clock read at: first connection, its frame, the reconnect.
    const times = [(T0 + 100) * 1000, (T0 + 150) * 1000, (T0 + 200) * 1000];
    const rest = await fake({ items: restItems(250), pageSize: 100 });
    const live = await liveFeed([[liveEvent("L1")], [liveEvent("L2")]]);
    const items = await take(
      withHistory(live, {
        access: access(rest.baseUrl),
        since: undefined,
        gapFill: true,
        now: () => times.shift()!,
      }),
      (got) => liveFrames(got) === 2,
    );
    expect(noticesOf(items)[0]).toBe(
      `info: filling the gap from the event history (${iso((T0 + 90) * 1000)} to ${iso((T0 + 200) * 1000)})`,
    );
    const filled = framesOf(items).filter((f) => f.startsWith("history:"));
    expect(filled).toHaveLength(111);
    expect(filled[0]).toBe("history:00000000-0000-4000-8000-000000000090");
    expect(framesOf(items)[0]).toBe("live:L1");
    expect(framesOf(items).at(-1)).toBe("live:L2");
  });

  it("a gap without a frame counts from when the lost connection opened, less 30 s at the run's start", async () => {
    const times = [(T0 + 100) * 1000, (T0 + 200) * 1000];
    const rest = await fake({ items: restItems(3) });
    const live = await liveFeed([[], [liveEvent("L2")]]);
    const items = await take(
      withHistory(live, { access: access(rest.baseUrl), gapFill: true, now: () => times.shift()! }),
      (got) => liveFrames(got) === 1,
    );
    expect(noticesOf(items)[0]).toBe(
      `info: filling the gap from the event history (${iso((T0 + 70) * 1000)} to ${iso((T0 + 200) * 1000)})`,
    );
  });

  it.each([
    ["the last frame", [[liveEvent("L1")], [liveEvent("L2")]], T0 + 150],
    ["the lost connection's opening", [[], [liveEvent("L2")]], T0 + 100],
  ])("a gap older than a day is reported lost from %s", async (_name, perConnection, from) => {
    const reconnectedAt = (T0 + 200) * 1000 + 2 * DAY;
    const times = [(T0 + 100) * 1000, (T0 + 150) * 1000, reconnectedAt];
    if (perConnection[0]!.length === 0) times.splice(1, 1);
    const rest = await fake({ items: restItems(3) });
    const live = await liveFeed(perConnection);
    const items = await take(
      withHistory(live, { access: access(rest.baseUrl), gapFill: true, now: () => times.shift()! }),
      (got) => framesOf(got).includes("live:L2"),
    );
    expect(noticesOf(items).slice(0, 2)).toEqual([
      `warning: gap from ${iso(from * 1000)} to ${iso(reconnectedAt - DAY)} not filled: older than the 24 hours the event history keeps`,
      `info: filling the gap from the event history (${iso(reconnectedAt - DAY)} to ${iso(reconnectedAt)})`,
    ]);
  });

  it("with --since, a gap never reaches back before it", async () => {
    const times = [(T0 + 100) * 1000, (T0 + 150) * 1000, (T0 + 200) * 1000];
    const rest = await fake({ items: restItems(3) });
    const live = await liveFeed([[liveEvent("L1")], [liveEvent("L2")]]);
    const items = await take(
      withHistory(live, {
        access: access(rest.baseUrl),
        since: (T0 + 95) * 1000,
        gapFill: true,
        now: () => times.shift()!,
      }),
      (got) => liveFrames(got) === 2,
    );
    expect(noticesOf(items).filter((n) => n.startsWith("info: "))).toEqual([
      `info: stored events since ${iso((T0 + 95) * 1000)}, then live`,
      `info: filling the gap from the event history (${iso((T0 + 95) * 1000)} to ${iso((T0 + 200) * 1000)})`,
    ]);
  });

  it("stopped as the stored events are asked for: no warning about them", async () => {
    const live = await liveFeed([[liveEvent("L1")]]);
    const stop = new AbortController();
    const items: SourceItem[] = [];
    const source = withHistory(live, {
      access: access("http://insight.example/api"),
      since: T0 * 1000,
      gapFill: true,
      now: () => (T0 + 9) * 1000,
    });
    for await (const item of source.items(stop.signal)) {
      items.push(item);
      if (item.kind === "status" && item.status.type === "connected") stop.abort();
    }
    expect(noticesOf(items)).toEqual([`info: stored events since ${iso(T0 * 1000)}, then live`]);
  });

  it("a gap that cannot be filled is one warning with its window and reason; the tail goes on", async () => {
    const times = [(T0 + 100) * 1000, (T0 + 100) * 1000, (T0 + 200) * 1000];
    const rest = await fake({ items: restItems(3), accept: () => false });
    const live = await liveFeed([[liveEvent("L1")], [liveEvent("L2")]]);
    const items = await take(
      withHistory(live, { access: access(rest.baseUrl), gapFill: true, now: () => times.shift()! }),
      (got) => liveFrames(got) === 2,
    );
    const warnings = noticesOf(items).filter((n) => n.startsWith("warning: "));
    expect(warnings).toEqual([
      `warning: gap from ${iso((T0 + 70) * 1000)} to ${iso((T0 + 200) * 1000)} not filled: the event history refused every token it was offered (${hostOf(rest.baseUrl)}): Authorization: <raw access token> → HTTP 403: Forbidden; Authorization: Bearer <access token> → HTTP 403: Forbidden`,
    ]);
    expect(framesOf(items)).toEqual(["live:L1", "live:L2"]);
  });
});

describe("scantail events: bad pages and items as the user sees them", () => {
  const events = (baseUrl: string) =>
    runCli(
      [
        "events",
        "--base-url",
        baseUrl,
        "--customer",
        "c1",
        "--since",
        `${(T0 - 10) * 1000}`,
        "--until",
        `${(T0 + 10) * 1000}`,
        "-o",
        "ndjson",
      ],
      makeContext({ env: { SCANTAIL_TOKEN: ACCESS } }),
    );

  it("bad items: the good events on stdout, one warning line on stderr, exit 0", async () => {
    const body = page([1, null, "x", { id: "no-time" }, ...restItems(2)]);
    const rest = await fake({ intercept: () => ({ status: 200, body }) });
    const r = await events(rest.baseUrl);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).scan_code),
    ).toEqual(["CODE-0", "CODE-1"]);
    expect(r.stderr).toBe(
      'scantail: warning: 4 items of the event history skipped: not an object or no usable "created" time\n',
    );
  });

  it.each([
    [
      '{"data":1}',
      (host: string) =>
        `scantail: page 1 of the event history has no "items" array (${host})\n  the server may not be Insight's REST API: check the base URL\n`,
    ],
    [
      page(restItems(1), "/x?page=2"),
      () => "scantail: page 1 of the event history: links.next carries no next_token: /x?page=2\n",
    ],
  ])("a bad page (%s): nothing on stdout, the reason on stderr, exit 1", async (body, stderr) => {
    const rest = await fake({ intercept: () => ({ status: 200, body }) });
    const r = await events(rest.baseUrl);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(stderr(hostOf(rest.baseUrl)));
  });
});
