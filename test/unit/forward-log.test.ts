import { describe, expect, it } from "vitest";
import {
  countDelivery,
  type DeliveryStyle,
  formatDeliveryLine,
  formatDeliverySummary,
  formatMs,
  NO_DELIVERIES,
} from "../../src/outputs/delivery-log.js";
import type { DeliveryReport } from "../../src/outputs/destination.js";

describe("formatDeliveryLine", () => {
  it.each<[DeliveryReport, string]>([
    [{ outcome: "delivered", id: "e1", status: "200", ms: 12, attempt: 1 }, "[200] e1  12 ms"],
    [
      { outcome: "delivered", id: "e1", status: "204", ms: 1500, attempt: 3 },
      "[204] e1  1.5 s (attempt 3)",
    ],
    [
      { outcome: "duplicate", id: "e2", status: "ack", ms: 3, attempt: 1 },
      "[ack] e2  3 ms duplicate, already stored",
    ],
    [
      { outcome: "rejected", id: "e3", status: "400", ms: 5, attempt: 1, detail: "no scan_code" },
      "[400] e3  5 ms rejected, skipped: no scan_code",
    ],
    [
      { outcome: "retrying", id: "e4", status: "503", ms: 8, attempt: 2, retryInMs: 2400 },
      "[503] e4  8 ms (attempt 2) retrying in 2.4 s",
    ],
    [
      {
        outcome: "retrying",
        id: "e5",
        status: "timeout",
        ms: 10_000,
        attempt: 1,
        retryInMs: 90_000,
      },
      "[timeout] e5  10.0 s retrying in 1 m 30 s",
    ],
    [
      { outcome: "failed", id: "e6", status: "ECONNREFUSED", ms: 1, attempt: 5, detail: "gave up" },
      "[ECONNREFUSED] e6  1 ms (attempt 5) failed: gave up",
    ],
    [{ outcome: "failed", id: "e7", ms: 0, attempt: 1 }, "[failed] e7  0 ms failed"],
  ])("%j", (report, line) => {
    expect(formatDeliveryLine(report)).toBe(line);
  });

  it("colours the status by outcome and prefixes the time", () => {
    const style: DeliveryStyle = {
      ok: (t) => `<ok>${t}`,
      warn: (t) => `<warn>${t}`,
      bad: (t) => `<bad>${t}`,
      dim: (t) => `<dim>${t}`,
    };
    const at = (outcome: DeliveryReport["outcome"]) =>
      formatDeliveryLine({ outcome, id: "e", status: "s", ms: 1, attempt: 1 }, style, "14:03:07");
    expect(at("delivered")).toBe("<dim>14:03:07  <ok>[s] e  <dim>1 ms");
    expect(at("duplicate")).toMatch(/^<dim>14:03:07 {2}<warn>\[s\]/);
    expect(at("retrying")).toMatch(/<warn>\[s\]/);
    expect(at("rejected")).toMatch(/<bad>\[s\]/);
    expect(at("failed")).toMatch(/<bad>\[s\]/);
  });
});

describe("formatMs", () => {
  it.each([
    [0, "0 ms"],
    [999.6, "1000 ms"],
    [1000, "1.0 s"],
    [59_940, "59.9 s"],
    [61_000, "1 m 1 s"],
  ])("%d → %s", (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });
});

describe("countDelivery and the summary", () => {
  const r = (outcome: DeliveryReport["outcome"], id: string, attempt = 1): DeliveryReport => ({
    outcome,
    id,
    ms: 1,
    attempt,
  });
  it.each<[string, DeliveryReport[], string]>([
    ["nothing", [], "forwarded 0 events to X: 0 delivered, 0 retried, 0 rejected, 0 deduplicated"],
    [
      "one clean delivery",
      [r("delivered", "a")],
      "forwarded 1 event to X: 1 delivered, 0 retried, 0 rejected, 0 deduplicated",
    ],
    [
      "an event retried twice counts once as retried",
      [r("retrying", "a", 1), r("retrying", "a", 2), r("delivered", "a", 3), r("delivered", "b")],
      "forwarded 2 events to X: 2 delivered, 1 retried, 0 rejected, 0 deduplicated",
    ],
    [
      "rejections and duplicates",
      [r("rejected", "a"), r("duplicate", "b"), r("duplicate", "c"), r("delivered", "d")],
      "forwarded 4 events to X: 1 delivered, 0 retried, 1 rejected, 2 deduplicated",
    ],
    [
      "a failure shows only when there is one",
      [r("retrying", "a", 1), r("failed", "a", 2)],
      "forwarded 1 event to X: 0 delivered, 1 retried, 0 rejected, 0 deduplicated, 1 failed",
    ],
  ])("%s", (_name, reports, summary) => {
    expect(formatDeliverySummary(reports.reduce(countDelivery, NO_DELIVERIES), "X")).toBe(summary);
  });
});
