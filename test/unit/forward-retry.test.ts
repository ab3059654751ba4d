import { describe, expect, it } from "vitest";
import {
  isRetryableStatus,
  MAX_RETRY_AFTER_MS,
  parseRetryAfter,
  RETRY_CAP_MS,
  retryDelay,
} from "../../src/outputs/retry-policy.js";
import { signatureHeader, verifySignature } from "../../src/outputs/signature.js";

describe("isRetryableStatus", () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [599, true],
    [400, false],
    [401, false],
    [404, false],
    [409, false],
    [410, false],
    [422, false],
    [301, false],
  ])("%d → %s", (status, retry) => {
    expect(isRetryableStatus(status)).toBe(retry);
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-11-26T12:00:00Z");
  it.each([
    [undefined, undefined],
    ["", undefined],
    ["0", 0],
    ["7", 7000],
    [" 12 ", 12_000],
    ["-1", undefined],
    ["1.5", undefined],
    ["soon", undefined],
    ["Thu, 26 Nov 2026 12:00:30 GMT", 30_000],
    ["Thu, 26 Nov 2026 11:59:00 GMT", 0],
    ["99999", MAX_RETRY_AFTER_MS],
    ["Fri, 27 Nov 2026 12:00:00 GMT", MAX_RETRY_AFTER_MS],
  ])("%j → %j ms", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
});

describe("retryDelay", () => {
  it.each([
    [1, 1, 500],
    [2, 1, 1000],
    [3, 1, 2000],
    [3, 0.5, 1000],
    [1, 0, 0],
    [20, 1, RETRY_CAP_MS],
    [200, 1, RETRY_CAP_MS],
  ])("after %d failed attempts with random %d → %d ms (full jitter, capped)", (n, r, ms) => {
    expect(retryDelay(n, () => r)).toBe(ms);
  });

  it("uses Retry-After when the receiver gave one", () => {
    expect(retryDelay(1, () => 0, 7000)).toBe(7000);
    expect(retryDelay(9, () => 1, 0)).toBe(0);
  });
});

describe("signature", () => {
  const body = '{"event_id":"e1","scan_code":"4006381333931"}';
  it("is HMAC-SHA256 over '<t>.<body>' in hex (a known vector)", () => {
    // openssl: printf '%s' '1700000000.{...}' | openssl dgst -sha256 -hmac whsec_test
    expect(signatureHeader("whsec_test", 1_700_000_000.9, body)).toBe(
      "t=1700000000,v1=fb6abe66fae1254d8be24869fc71fc1095accb19ba854c8cedaa1671e790cd35",
    );
  });

  it("verifies what it signed, and nothing else", () => {
    const header = signatureHeader("whsec_test", 1_700_000_000, body);
    expect(verifySignature("whsec_test", header, body, 1_700_000_010)).toBe(true);
    expect(verifySignature("whsec_other", header, body, 1_700_000_010)).toBe(false);
    expect(verifySignature("whsec_test", header, `${body} `, 1_700_000_010)).toBe(false);
    expect(verifySignature("whsec_test", header, body, 1_700_001_000)).toBe(false);
    expect(verifySignature("whsec_test", undefined, body, 1_700_000_010)).toBe(false);
    expect(verifySignature("whsec_test", "t=1700000000,v1=zz", body, 1_700_000_010)).toBe(false);
  });
});
