import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { SeenWindow } from "../../src/sources/gap-dedupe.js";
import { type HistoryEvent, unseenHistory } from "../../src/sources/history.js";
import { nextTokenOf, toEpochMillis, toLiveShape } from "../../src/sources/history-map.js";
import { describeAuth, eventsUrl, parseRetryAfter } from "../../src/sources/history-page.js";

/*
 * Exactly what one REST page item or link can hold, and what each malformed shape says:
 * the mapping to the live feed's shape (docs/history.md, "Mapping") and the pieces of a
 * page request that need no server.
 */

describe("created → epoch ms", () => {
  it.each([
    [" 1557220259 ", 1557220259000], // padded numeric string
    ["1557220259.5", 1557220259500],
    ["1557220259.761", 1557220259761],
    ["on 2019-05-07", undefined], // ISO means the date first
    ["2019-05-7", undefined], // and two-digit days
    ["1557220259761", 1557220259761],
    ["2019-05-07", Date.UTC(2019, 4, 7)], // a bare ISO date is an ISO date, not digits
    ["2019-05-07T09:10:59+02:00", Date.UTC(2019, 4, 7, 7, 10, 59)],
    ["2019-13-45", undefined], // ISO-shaped but no date
    [0, 0],
    [0.4, 400],
    [Number.POSITIVE_INFINITY, undefined],
    [Number.NaN, undefined],
    ["", undefined],
    ["   ", undefined],
    ["12abc", undefined],
    ["-5", undefined],
    [true, undefined],
    [{ seconds: 5 }, undefined],
  ])("%j → %j", (created, ms) => expect(toEpochMillis(created)).toBe(ms));
});

describe("a REST item in the live feed's shape", () => {
  it.each([
    [
      "Insight's documented item",
      { id: "e1", type: "scan", created: 1557220259, device_id: "M2SR1", scan_code: "X" },
      {
        event: {
          event_id: "e1",
          event_type: "scan",
          time_created: 1557220259000,
          device_serial: "M2SR1",
          scan_code: "X",
        },
        id: "e1",
        time: 1557220259000,
      },
    ],
    [
      "an ISO created",
      { created: "2019-05-07T09:10:59.761Z", id: "e2" },
      { event: { time_created: 1557220259761, event_id: "e2" }, id: "e2", time: 1557220259761 },
    ],
    [
      "a live time_created in seconds is made milliseconds too",
      { event_id: "e3", time_created: 1557220259 },
      { event: { event_id: "e3", time_created: 1557220259000 }, id: "e3", time: 1557220259000 },
    ],
    [
      "a live time_created that is no time stays as it came",
      { event_id: "e4", time_created: "later" },
      { event: { event_id: "e4", time_created: "later" }, id: "e4", time: undefined },
    ],
    [
      "both created names: the REST one is kept unconverted under its own name",
      { created: 5, time_created: 1557220259761, type: "scan", event_type: "button" },
      {
        event: { created: 5, time_created: 1557220259761, type: "scan", event_type: "button" },
        id: undefined,
        time: 1557220259761,
      },
    ],
    [
      "both device names",
      { device_id: "rest", device_serial: "live", created: 1557220259 },
      {
        event: { device_id: "rest", device_serial: "live", time_created: 1557220259000 },
        id: undefined,
        time: 1557220259000,
      },
    ],
    [
      "an empty id is no id",
      { id: "", created: 1557220259 },
      { event: { event_id: "", time_created: 1557220259000 }, id: undefined, time: 1557220259000 },
    ],
    [
      "no time at all",
      { id: "e5", type: "scan" },
      { event: { event_id: "e5", event_type: "scan" }, id: "e5", time: undefined },
    ],
    [
      "fields named like Object's own members are ordinary fields",
      { constructor: 1, toString: "t", hasOwnProperty: 2, id: "e6", created: 1557220259 },
      {
        event: {
          constructor: 1,
          toString: "t",
          hasOwnProperty: 2,
          event_id: "e6",
          time_created: 1557220259000,
        },
        id: "e6",
        time: 1557220259000,
      },
    ],
    [
      // The time sorted by is the time written, even for a pre-1973 seconds value.
      "the time is the written time_created",
      { id: "e7", created: 5 },
      { event: { event_id: "e7", time_created: 5000 }, id: "e7", time: 5000 },
    ],
  ])("%s", (_name, item, expected) => {
    const mapped = toLiveShape(item);
    expect(mapped).toEqual(expected);
    expect(Object.keys(mapped.event)).toEqual(Object.keys(expected.event));
  });
});

describe("links.next", () => {
  it.each([
    [null, undefined],
    [42, undefined],
    [{ next: undefined }, undefined],
    [{ next: "/events?next_token=a&next_token=b" }, "a"],
    [{ next: "/c1/events?next_token=%20x%20" }, " x "],
    [{ next: "http://other.example:9/c1/events?next_token=abs" }, "abs"],
  ])("%j → %j", (links, token) => expect(nextTokenOf(links)).toBe(token));

  const long = `/events?page=${"9".repeat(100)}`;
  it.each([
    [{ next: 42 }, "links.next is not a string"],
    [{ next: { href: "/events?next_token=a" } }, "links.next is not a string"],
    [{ next: "/events?page=2" }, "links.next carries no next_token: /events?page=2"],
    [{ next: "/events?next_token=" }, "links.next carries no next_token: /events?next_token="],
    [{ next: long }, `links.next carries no next_token: ${long.slice(0, 80)}`],
    [
      { next: "http://[bad/events?next_token=a" },
      "links.next is not a path or URL: http://[bad/events?next_token=a",
    ],
    [
      { next: `http://[${"x".repeat(100)}` },
      `links.next is not a path or URL: http://[${"x".repeat(72)}`,
    ],
  ])("%j is refused: %s", (links, message) => {
    expect(() => nextTokenOf(links)).toThrow(new Error(message));
  });
});

describe("Authorization spellings", () => {
  it.each([
    [{ scheme: "raw", kind: "access" }, "Authorization: <raw access token>"],
    [{ scheme: "raw", kind: "id" }, "Authorization: <raw id token>"],
    [{ scheme: "bearer", kind: "access" }, "Authorization: Bearer <access token>"],
    [{ scheme: "bearer", kind: "id" }, "Authorization: Bearer <id token>"],
  ] as const)("%j → %s", (auth, text) => expect(describeAuth(auth)).toBe(text));
});

describe("events URL", () => {
  it.each([
    ["https://insight.example/api", "c1", false, "https://insight.example/api/c1/events"],
    ["https://insight.example/api///", "c1", false, "https://insight.example/api/c1/events"],
    ["https://insight.example", "a b/c?", false, "https://insight.example/a%20b%2Fc%3F/events"],
    ["http://127.0.0.1:8080/api/", "c1", false, "http://127.0.0.1:8080/api/c1/events"],
    ["http://localhost:8080", "c1", false, "http://localhost:8080/c1/events"],
    ["http://insight.example/v1", "c1", true, "http://insight.example/v1/c1/events"],
  ])("%s + %s (insecure %s) → %s", (base, customer, insecure, url) =>
    expect(eventsUrl(base, customer, insecure).href).toBe(url),
  );

  it.each([
    ["insight example", 'invalid base URL "insight example": expected https://…'],
    ["ftp://insight.example", 'invalid base URL "ftp://insight.example": expected https://…'],
    ["ws://insight.example", 'invalid base URL "ws://insight.example": expected https://…'],
    [
      "http://insight.example/api",
      "base URL http://insight.example is not encrypted: use https://, or --insecure to send the token anyway",
    ],
  ])("%s is a usage error: %s", (base, message) => {
    let error: unknown;
    try {
      eventsUrl(base, "c1");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toBe(message);
  });
});

describe("Retry-After", () => {
  const now = Date.UTC(2026, 10, 26, 15, 0, 0);
  it.each([
    [" 3 ", 3000],
    ["0.0015", 2],
    ["", undefined],
    ["   ", undefined],
    ["1e3", undefined],
    ["Thu, 26 Nov 2026 14:59:00 GMT", 0], // already past: at once
    ["Thu, 26 Nov 2026 15:00:00 GMT", 0],
    ["Thu, 26 Nov 2026 15:01:00 GMT", 60_000],
  ])("%j → %j ms", (value, ms) => expect(parseRetryAfter(value, now)).toBe(ms));
});

describe("gap fill writes only what was not written", () => {
  it("passes on the events the run has not seen, and remembers them", async () => {
    const seen = new SeenWindow({ now: () => 10_000 });
    seen.seen("a", 1000);
    const event = (id: string | undefined, time: number): HistoryEvent => ({
      source: "history",
      line: JSON.stringify({ event_id: id }),
      id,
      time,
    });
    async function* history() {
      yield event("a", 1000);
      yield event("b", 2000);
      yield event(undefined, 2500);
      yield event("b", 2000);
    }
    const out: Array<string | undefined> = [];
    for await (const e of unseenHistory(history(), seen)) out.push(e.id);
    expect(out).toEqual(["b", undefined]);
    expect(seen.has("b")).toBe(true);
  });
});
