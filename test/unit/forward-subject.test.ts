import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import {
  subjectFilter,
  subjectFor,
  subjectToken,
  validateSubject,
} from "../../src/outputs/subject.js";

describe("subjectToken", () => {
  it.each([
    ["M2AB12345", "M2AB12345"],
    ["gw-01_a", "gw-01_a"],
    ["a.b.c", "a_b_c"],
    ["QR CODE", "QR_CODE"],
    ["*", "_"],
    [">", "_"],
    ["all>", "all_"],
    ["tab\tnew\nline", "tab_new_line"],
    ["Straße", "Stra_e"],
    ["", "_"],
    [undefined, "_"],
    [null, "_"],
    [42, "42"],
    [{ a: 1 }, "_"],
    ["x".repeat(100), "x".repeat(64)],
  ])("%j → %j", (value, token) => {
    expect(subjectToken(value)).toBe(token);
  });
});

describe("subjectFor", () => {
  const event = { device_serial: "M2.AB 1", event_type: "scan", gateway_id: ">*" };
  it.each([
    ["insight.events", "insight.events"],
    ["scans.{device_serial}", "scans.M2_AB_1"],
    ["{event_type}.{gateway_id}.{device_serial}", "scan.__.M2_AB_1"],
    ["x.{gateway_id}.y", "x.__.y"],
  ])("%s → %s", (template, subject) => {
    expect(subjectFor(template, event)).toBe(subject);
  });

  it("keeps the token count when a value is missing", () => {
    expect(subjectFor("scans.{device_serial}.{event_type}", {})).toBe("scans._._");
  });
});

describe("validateSubject", () => {
  it.each(["insight.events", "scans.{device_serial}", "{event_type}.x.{gateway_id}", "a"])(
    "accepts %s",
    (template) => {
      expect(() => validateSubject(template)).not.toThrow();
    },
  );

  it.each([
    ["", /empty/],
    ["a..b", /empty/],
    [".a", /empty/],
    ["a.*", /'\*'/],
    ["a.>", /'>'/],
    ["a b", /spaces/],
    ["scans.{serial}", /unknown placeholder \{serial\}/],
    ["scans.x{device_serial}", /whole token/],
    ["scans.{device_serial", /unbalanced/],
  ])("rejects %j", (template, message) => {
    expect(() => validateSubject(template)).toThrow(UsageError);
    expect(() => validateSubject(template)).toThrow(message);
  });
});

describe("subjectFilter", () => {
  it.each([
    ["insight.events", "insight.events"],
    ["scans.{device_serial}", "scans.*"],
    ["{event_type}.{gateway_id}", "*.*"],
  ])("%s → %s", (template, filter) => {
    expect(subjectFilter(template)).toBe(filter);
  });
});
