import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { gapWindow, unfilledGapNotice } from "../../src/sources/gap.js";
import { SeenWindow } from "../../src/sources/gap-dedupe.js";
import { nextTokenOf, toEpochMillis, toLiveShape } from "../../src/sources/history-map.js";
import { authOrder, parseRetryAfter } from "../../src/sources/history-page.js";
import { historyTokenGetter } from "../../src/sources/history-tokens.js";
import { parseWhen, resolveWindow } from "../../src/sources/when.js";

describe("REST item → live shape", () => {
  it.each([
    [1557220259, 1557220259000], // Insight's example: seconds
    [1557220259.761, 1557220259761],
    [1557220259761, 1557220259761], // already ms
    ["1557220259", 1557220259000],
    ["2019-05-07T09:10:59.761Z", 1557220259761],
    [99_999_999_999, 99_999_999_999_000], // just below 10^11: seconds
    [100_000_000_000, 100_000_000_000], // 10^11: ms
    [-5, undefined],
    ["yesterday", undefined],
    [null, undefined],
  ])("created %j → %j ms", (created, ms) => expect(toEpochMillis(created)).toBe(ms));

  it("renames the four REST fields in place and keeps every other field as it came", () => {
    const { event, id, time } = toLiveShape({
      id: "u-1",
      type: "telemetry",
      created: 1557220259,
      device_id: "M2SR121103132",
      scan_code: "A\u001bB",
      unknown: { deep: [1, null] },
      device_battery: 0,
    });
    expect(Object.keys(event)).toEqual([
      "event_id",
      "event_type",
      "time_created",
      "device_serial",
      "scan_code",
      "unknown",
      "device_battery",
    ]);
    expect(event).toEqual({
      event_id: "u-1",
      event_type: "telemetry",
      time_created: 1557220259000,
      device_serial: "M2SR121103132",
      scan_code: "A\u001bB",
      unknown: { deep: [1, null] },
      device_battery: 0,
    });
    expect(id).toBe("u-1");
    expect(time).toBe(1557220259000);
  });

  it("when both names are present the live one wins and the REST one stays as it came", () => {
    const { event, id, time } = toLiveShape({
      id: "rest-id",
      event_id: "live-id",
      created: 1,
      time_created: 1557220259761,
    });
    expect(event).toEqual({
      id: "rest-id",
      event_id: "live-id",
      created: 1,
      time_created: 1557220259761,
    });
    expect(id).toBe("live-id");
    expect(time).toBe(1557220259761);
  });

  it("an unusable time is kept as it came and reported as none", () => {
    const { event, time, id } = toLiveShape({ created: "soon", id: 7 });
    expect(event).toEqual({ time_created: "soon", event_id: 7 });
    expect(time).toBeUndefined();
    expect(id).toBeUndefined();
  });
});

describe("links.next → next_token", () => {
  it.each([
    [{ next: "/devices?next_token=11234" }, "11234"], // Insight's example: no customer segment
    [{ next: "/c1/events?next_token=abc%3D%3D" }, "abc=="],
    [{ next: "https://api.example/v1/c1/events?start_time_millis=1&next_token=t%2B1" }, "t+1"],
    [{ next: "?next_token=q" }, "q"],
    [{ next: "events?a=1&next_token=rel" }, "rel"],
    [{ next: null }, undefined],
    [{ next: "" }, undefined],
    [{}, undefined],
    [undefined, undefined],
    ["nonsense", undefined],
  ])("%j → %j", (links, token) => expect(nextTokenOf(links)).toBe(token));

  it.each([[{ next: "/events?page=2" }], [{ next: 42 }]])(
    "%j is an error, not a silent end",
    (links) => expect(() => nextTokenOf(links)).toThrow(/next/),
  );
});

describe("<when>", () => {
  const now = Date.UTC(2026, 10, 26, 15, 0, 0);
  it.each([
    ["15m", now - 15 * 60_000],
    ["2h", now - 7_200_000],
    ["250ms", now - 250],
    ["1h30m", now - 5_400_000],
    ["1d", now - 86_400_000],
    ["90", now - 90_000], // a bare number is seconds, as for every duration
    ["now", now],
    ["NOW", now],
    ["1780000000000", 1_780_000_000_000],
    ["2026-11-26T14:30:00Z", Date.UTC(2026, 10, 26, 14, 30)],
    ["2026-11-26T14:30:00.250Z", Date.UTC(2026, 10, 26, 14, 30, 0, 250)],
    ["2026-11-26T16:30:00+02:00", Date.UTC(2026, 10, 26, 14, 30)],
    ["2026-11-26T09:30-0500", Date.UTC(2026, 10, 26, 14, 30)],
    ["2026-11-26 14:30Z", Date.UTC(2026, 10, 26, 14, 30)],
    // No zone: the machine's local time, whatever zone the tests run in.
    ["2026-11-26T14:30:00", new Date(2026, 10, 26, 14, 30).getTime()],
    ["2026-11-26", new Date(2026, 10, 26).getTime()],
  ])("%s", (input, expected) => expect(parseWhen(input, now)).toBe(expected));

  it.each([
    ["", /invalid --since "": use a duration/],
    ["yesterday", /invalid --since "yesterday": use a duration back from now/],
    ["-15m", /use a duration/],
    ["15x", /use a duration/],
    ["1780000000", /ten digits look like epoch seconds/],
    ["17800000000000", /use a duration/],
    ["2026-02-30T10:00Z", /2026-02-30 is not a date/],
    ["2026-13-01", /is not a date/],
    ["2026-11-26T24:00Z", /is not a time of day/],
    ["2026-11-26T10:00+25:00", /is not a time zone offset/],
  ])("%j is refused with one clear sentence", (input, message) => {
    let error: unknown;
    try {
      parseWhen(input, now);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toMatch(message);
  });

  it("hints at milliseconds for epoch seconds", () => {
    expect(() => parseWhen("1780000000", now)).toThrow(
      expect.objectContaining({ hint: expect.stringMatching(/1780000000000/) }),
    );
  });

  it("resolves a window: the last hour by default, since after until refused", () => {
    expect(resolveWindow(undefined, undefined, now)).toEqual({
      since: now - 3_600_000,
      until: now,
    });
    expect(resolveWindow("2h", "1h", now)).toEqual({
      since: now - 7_200_000,
      until: now - 3_600_000,
    });
    expect(() => resolveWindow("1h", "2h", now)).toThrow(/--since 1h is after --until 2h/);
    expect(() => resolveWindow("x", undefined, now)).toThrow(/invalid --since "x"/);
    expect(() => resolveWindow(undefined, "x", now)).toThrow(/invalid --until "x"/);
  });
});

describe("gap window", () => {
  const at = (min: number) => Date.UTC(2026, 10, 26, 14, min);
  it.each([
    [
      "last event − 1 minute … reconnect",
      { lastEventAt: at(10), connectedAt: at(0), reconnectedAt: at(12) },
      { since: at(9), until: at(12) },
    ],
    [
      "no event before the loss: from the connection's start",
      { lastEventAt: undefined, connectedAt: at(5), reconnectedAt: at(6) },
      { since: at(4), until: at(6) },
    ],
    [
      "a custom margin",
      { lastEventAt: at(10), connectedAt: at(0), reconnectedAt: at(11), marginMs: 0 },
      { since: at(10), until: at(11) },
    ],
    [
      "a device clock ahead of the reconnect never makes since > until",
      { lastEventAt: at(30), connectedAt: at(0), reconnectedAt: at(11) },
      { since: at(11), until: at(11) },
    ],
    [
      "longer than REST keeps: cut, and says where",
      { lastEventAt: at(10), connectedAt: at(0), reconnectedAt: at(10) + 25 * 3_600_000 },
      { since: at(10) + 3_600_000, until: at(10) + 25 * 3_600_000, lostBefore: at(10) + 3_600_000 },
    ],
  ] as const)("%s", (_name, input, expected) => expect(gapWindow(input)).toEqual(expected));

  it("an unfilled gap is one line with start, end and reason", () => {
    expect(unfilledGapNotice({ since: at(9), until: at(12) }, "HTTP 503 after 5 attempts")).toBe(
      "gap from 2026-11-26T14:09:00.000Z to 2026-11-26T14:12:00.000Z not filled: HTTP 503 after 5 attempts",
    );
  });
});

describe("SeenWindow", () => {
  it("remembers ids, forgets by event time past the horizon, never more than its capacity", () => {
    let now = 1_000_000;
    const seen = new SeenWindow({ horizonMs: 1000, capacity: 3, now: () => now });
    expect(seen.seen("a", 100_000)).toBe(false);
    expect(seen.seen("a", 100_000)).toBe(true);
    expect(seen.seen("b", 100_500)).toBe(false);
    // A long outage: nothing new arrives, nothing is forgotten.
    now += 3_600_000;
    expect(seen.has("a")).toBe(true);
    // The next event is 1.2 s after "a": "a" is past the horizon, "b" not yet.
    expect(seen.seen("c", 101_200)).toBe(false);
    expect(seen.has("a")).toBe(false);
    expect(seen.has("b")).toBe(true);
    expect(seen.seen("d", 101_201)).toBe(false);
    expect(seen.seen("e", 101_202)).toBe(false);
    expect(seen.size).toBe(3);
    expect(seen.has("b")).toBe(false);
  });

  it("a device clock in the future cannot flush everything", () => {
    const seen = new SeenWindow({ horizonMs: 1000, now: () => 50_000 });
    seen.seen("x", 49_000);
    seen.seen("future", 9_999_999_999);
    expect(seen.has("x")).toBe(true);
  });

  it("an event without an id is always new", () => {
    const seen = new SeenWindow();
    expect(seen.seen(undefined, 1)).toBe(false);
    expect(seen.seen(undefined, 1)).toBe(false);
    expect(seen.size).toBe(0);
  });
});

describe("historyTokenGetter", () => {
  it("makes one provider per kind, on first use, and passes force through", async () => {
    const made: string[] = [];
    const calls: string[] = [];
    const get = historyTokenGetter((kind) => {
      made.push(kind);
      return {
        source: "login",
        canRefresh: true,
        secrets: () => [],
        getToken: async ({ force }) => {
          calls.push(`${kind}${force ? "!" : ""}`);
          return `${kind}-token`;
        },
      };
    });
    expect(made).toEqual([]);
    expect(await get("access", false)).toBe("access-token");
    expect(await get("access", true)).toBe("access-token");
    expect(await get("id", false)).toBe("id-token");
    expect(made).toEqual(["access", "id"]);
    expect(calls).toEqual(["access", "access!", "id"]);
  });
});

describe("Authorization order", () => {
  it("documented raw token first, then Bearer, then the other kind", () => {
    expect(authOrder("access")).toEqual([
      { scheme: "raw", kind: "access" },
      { scheme: "bearer", kind: "access" },
      { scheme: "raw", kind: "id" },
      { scheme: "bearer", kind: "id" },
    ]);
    expect(authOrder("id", { scheme: "bearer", kind: "access" })).toEqual([
      { scheme: "bearer", kind: "access" },
      { scheme: "raw", kind: "id" },
      { scheme: "bearer", kind: "id" },
      { scheme: "raw", kind: "access" },
    ]);
  });

  it.each([
    ["2", 2000],
    ["0", 0],
    ["1.5", 1500],
    ["Thu, 26 Nov 2026 15:00:10 GMT", 10_000],
    ["soon", undefined],
    [null, undefined],
  ])("Retry-After %j → %j ms", (value, ms) =>
    expect(parseRetryAfter(value, Date.UTC(2026, 10, 26, 15, 0, 0))).toBe(ms),
  );
});
