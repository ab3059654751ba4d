import { describe, expect, it } from "vitest";
import { networkReason } from "../../src/auth/http.js";

describe("network failures in words", () => {
  it.each([
    ["ENOTFOUND", "the host x.example does not resolve"],
    ["EAI_AGAIN", "the name x.example could not be looked up (DNS did not answer)"],
    ["ECONNREFUSED", "nothing listens at x.example (connection refused)"],
    ["ETIMEDOUT", "x.example did not answer (connection timed out)"],
    ["CERT_HAS_EXPIRED", "x.example's TLS certificate is not trusted (CERT_HAS_EXPIRED)"],
    ["EWHATEVER", "EWHATEVER (x.example)"],
    [undefined, "socket hang up (x.example)"],
  ])("%s", (code, text) => expect(networkReason(code, "socket hang up", "x.example")).toBe(text));
});
