import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  formatAgo,
  formatDuration,
  parseDuration,
  parsePositiveInt,
} from "../../src/util/duration.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["30s", 30_000],
    ["5m", 300_000],
    ["2h", 7_200_000],
    ["1d", 86_400_000],
    ["1.5s", 1500],
    ["45", 45_000],
    ["0.25", 250],
    ["1h30m", 5_400_000],
    [" 10S ", 10_000],
    ["30d", 2_592_000_000],
    ["1d12h", 129_600_000],
    ["3650d", 315_360_000_000],
  ])("%s → %d ms", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each(["", "abc", "10x", "-5s", "5 s", "s", "1h 30m", "1e3"])(
    "rejects %j with a UsageError",
    (input) => {
      expect(() => parseDuration(input, "--timeout")).toThrow(UsageError);
      expect(() => parseDuration(input, "--timeout")).toThrow(/--timeout/);
    },
  );

  it.each([
    ["3651d", "3651d"],
    ["a 20-digit day count", "99999999999999999999d"],
    ["a 400-digit number of seconds", "1".padEnd(400, "0")],
  ])("rejects %s as too long (exit 2), never Infinity", (_label, input) => {
    expect(() => parseDuration(input, "--timeout")).toThrow(UsageError);
    expect(() => parseDuration(input, "--timeout")).toThrow(/at most 3650d/);
  });
});

describe("formatDuration / formatAgo", () => {
  it.each([
    [120, "120ms"],
    [1500, "1.5s"],
    [42_000, "42s"],
    [125_000, "2m05s"],
    [2 * 3_600_000 + 60_000, "2h01m"],
    [-3000, "-3.0s"],
  ])("%d → %s", (ms, text) => expect(formatDuration(ms)).toBe(text));

  it("says how long ago, coarsely", () => {
    expect(formatAgo(500)).toBe("just now");
    expect(formatAgo(3_000)).toBe("3s ago");
    expect(formatAgo(4 * 60_000)).toBe("4m ago");
  });
});

describe("parsePositiveInt", () => {
  it("accepts whole numbers", () => expect(parsePositiveInt("42", "--count")).toBe(42));
  it.each(["0", "-1", "1.5", "x", ""])("rejects %j", (v) =>
    expect(() => parsePositiveInt(v, "--count")).toThrow(/--count/),
  );
  it("accepts 0 when allowed", () =>
    expect(parsePositiveInt("0", "--seed", { allowZero: true })).toBe(0));
});
