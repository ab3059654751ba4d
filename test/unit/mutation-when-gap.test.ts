import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { gapWindow } from "../../src/sources/gap.js";
import { SeenWindow } from "../../src/sources/gap-dedupe.js";
import { parseWhen, resolveWindow } from "../../src/sources/when.js";

/*
 * `<when>` parsing at its boundaries, with the exact sentences the user gets, the gap
 * window at the REST retention's edge, and the seen-id window's forgetting.
 */
const now = Date.UTC(2026, 10, 26, 15, 0, 0);
const HELP =
  "use a duration back from now (15m, 2h, 250ms; a bare number is seconds), an ISO 8601 time (2026-11-26T14:30:00Z) or epoch milliseconds (13 digits)";

function refusal(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error("not refused");
}

describe("<when>: accepted", () => {
  it.each([
    [" 15m ", now - 15 * 60_000],
    ["\tnow\n", now],
    ["1.25h", now - 4_500_000],
    ["1.5H", now - 5_400_000],
    ["100000000", now - 100_000_000_000], // nine digits: seconds (3.2 years)
    ["0000000000001", 1], // thirteen digits: epoch ms
    ["2026-01-31T00:00Z", Date.UTC(2026, 0, 31)],
    ["2026-12-31T23:59:59Z", Date.UTC(2026, 11, 31, 23, 59, 59)],
    ["2026-11-01T00:00:00z", Date.UTC(2026, 10, 1)],
    ["2026-11-30t10:00Z", Date.UTC(2026, 10, 30, 10)],
    ["2024-02-29T12:00Z", Date.UTC(2024, 1, 29, 12)],
    ["2026-11-26T14:30:00,5Z", Date.UTC(2026, 10, 26, 14, 30, 0, 500)],
    ["2026-11-26T14:30:00.123456789Z", Date.UTC(2026, 10, 26, 14, 30, 0, 123)],
    ["2026-11-26T19:30+05", Date.UTC(2026, 10, 26, 14, 30)],
    ["2026-11-26T20:00+05:30", Date.UTC(2026, 10, 26, 14, 30)],
    ["2026-11-26T09:00-0530", Date.UTC(2026, 10, 26, 14, 30)],
    ["2026-11-26T23:30+23:00", Date.UTC(2026, 10, 26, 0, 30)],
    ["2026-11-26T15:29+00:59", Date.UTC(2026, 10, 26, 14, 30)],
    ["2026-11-26Z", Date.UTC(2026, 10, 26)],
  ])("%j", (input, expected) => expect(parseWhen(input, now)).toBe(expected));
});

describe("<when>: refused with one sentence naming the option", () => {
  it.each([
    ["", "--since", HELP],
    ["   ", "--since", HELP],
    ["5mx", "--since", HELP],
    ["1.h", "--since", HELP],
    ["12345678901", "--since", HELP],
    ["123456789012", "--until", HELP],
    ["12026-11-26", "--since", HELP],
    ["on 2026-11-26", "--since", HELP],
    ["2026-11-26T14:30Zjunk", "--since", HELP],
    ["2026-11-26T14:30:00.Z", "--since", HELP],
    ["2026-00-10", "--since", "2026-00-10 is not a date"],
    ["2026-11-00", "--since", "2026-11-00 is not a date"],
    ["2026-11-31", "--until", "2026-11-31 is not a date"],
    ["2025-02-29T00:00Z", "--since", "2025-02-29 is not a date"],
    ["2026-11-26T24:00Z", "--since", "24:00:0 is not a time of day"],
    ["2026-11-26T10:60", "--since", "10:60:0 is not a time of day"],
    ["2026-11-26T10:00:60Z", "--since", "10:00:60 is not a time of day"],
    ["2026-11-26T10:00+24:00", "--since", "+24:00 is not a time zone offset"],
    ["2026-11-26T10:00+05:60", "--since", "+05:60 is not a time zone offset"],
  ])("%j as %s", (input, what, why) => {
    const error = refusal(() => parseWhen(input, now, what));
    expect(error.message).toBe(`invalid ${what} "${input}": ${why}`);
    expect(error.hint).toBeUndefined();
  });

  it("ten digits: epoch seconds, with the two ways to say what was meant", () => {
    const error = refusal(() => parseWhen("1780000000", now, "--until"));
    expect(error.message).toBe('invalid --until "1780000000": ten digits look like epoch seconds');
    expect(error.hint).toBe(
      "for epoch milliseconds write 1780000000000; for a duration add a unit (1780000000s)",
    );
  });

  it("--since is the name when none is given", () => {
    expect(refusal(() => parseWhen("x", now)).message).toBe(`invalid --since "x": ${HELP}`);
  });
});

describe("resolveWindow", () => {
  it("a window of one instant is allowed", () => {
    expect(resolveWindow("now", "now", now)).toEqual({ since: now, until: now });
    expect(resolveWindow("2026-11-26T14:00Z", "1h", now)).toEqual({
      since: now - 3_600_000,
      until: now - 3_600_000,
    });
  });

  it.each([
    [
      "30m",
      "2h",
      "--since 30m is after --until 2h: the window would be empty",
      "since 2026-11-26T14:30:00.000Z, until 2026-11-26T13:00:00.000Z",
    ],
    [
      undefined,
      "2h",
      "--since 1h is after --until 2h: the window would be empty",
      "since 2026-11-26T14:00:00.000Z, until 2026-11-26T13:00:00.000Z",
    ],
    [
      "2099-01-01T00:00Z",
      undefined,
      "--since 2099-01-01T00:00Z is after --until now: the window would be empty",
      "since 2099-01-01T00:00:00.000Z, until 2026-11-26T15:00:00.000Z",
    ],
  ])("--since %s --until %s is refused", (since, until, message, hint) => {
    const error = refusal(() => resolveWindow(since, until, now));
    expect(error.message).toBe(message);
    expect(error.hint).toBe(hint);
  });
});

describe("gap window at the REST retention's edge", () => {
  const at = (min: number) => Date.UTC(2026, 10, 26, 14, min);
  const day = 24 * 3_600_000;
  it.each([
    [
      "exactly as old as REST keeps: all of it can be filled",
      { lastEventAt: at(10), connectedAt: at(0), reconnectedAt: at(9) + day },
      { since: at(9), until: at(9) + day },
    ],
    [
      "one millisecond older: cut, and says where",
      { lastEventAt: at(10), connectedAt: at(0), reconnectedAt: at(9) + day + 1 },
      { since: at(9) + 1, until: at(9) + day + 1, lostBefore: at(9) + 1 },
    ],
    [
      "a custom retention",
      { lastEventAt: at(10), connectedAt: at(0), reconnectedAt: at(20), retentionMs: 60_000 },
      { since: at(19), until: at(20), lostBefore: at(19) },
    ],
    [
      "never before notBefore",
      { lastEventAt: at(10), connectedAt: at(0), reconnectedAt: at(20), notBefore: at(9) + 1 },
      { since: at(9) + 1, until: at(20) },
    ],
    [
      "notBefore earlier than the margin changes nothing",
      { lastEventAt: at(10), connectedAt: at(0), reconnectedAt: at(20), notBefore: at(5) },
      { since: at(9), until: at(20) },
    ],
  ] as const)("%s", (_name, input, expected) => expect(gapWindow(input)).toEqual(expected));
});

describe("SeenWindow forgets by event time", () => {
  it("an event without a usable time is dated by the clock, and forgotten like any other", () => {
    for (const time of [undefined, Number.NaN]) {
      let clock = 1_000_000;
      const seen = new SeenWindow({ horizonMs: 1000, now: () => clock });
      expect(seen.seen("a", time)).toBe(false);
      expect(seen.seen("a", time)).toBe(true);
      clock += 1000;
      expect(seen.seen("b", clock)).toBe(false);
      expect(seen.has("a")).toBe(true); // exactly the horizon: still known
      clock += 1;
      expect(seen.seen("c", clock)).toBe(false);
      expect(seen.has("a")).toBe(false);
      expect(seen.has("b")).toBe(true);
      expect(seen.size).toBe(2);
    }
  });

  it("a late event older than the horizon goes once it reaches the front", () => {
    const seen = new SeenWindow({ horizonMs: 1000, capacity: 2, now: () => 10_000 });
    seen.seen("young", 2000);
    seen.seen("late-1", 500);
    seen.seen("late-2", 600); // full: "young" goes for it
    expect([seen.has("young"), seen.has("late-1"), seen.has("late-2")]).toEqual([
      false,
      true,
      true,
    ]);
    // The newest time is still 2000: both late ones are past the horizon.
    seen.seen("late-3", 700);
    expect([seen.has("late-1"), seen.has("late-2"), seen.has("late-3")]).toEqual([
      false,
      false,
      true,
    ]);
    expect(seen.size).toBe(1);
  });

  it("has() never knows an event without an id", () => {
    const seen = new SeenWindow();
    seen.seen(undefined, 1);
    expect(seen.has(undefined)).toBe(false);
  });
});
