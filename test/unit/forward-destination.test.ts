import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import { cleanDetail, parseHeaders, validateDestination } from "../../src/outputs/destination.js";

describe("validateDestination", () => {
  it.each([
    ["http://localhost:3000/hook", "webhook", "http://localhost:3000/hook"],
    ["http://127.0.0.1:3000/", "webhook", "http://127.0.0.1:3000"],
    ["http://[::1]:3000/x", "webhook", "http://[::1]:3000/x"],
    ["https://example.com/hook/", "webhook", "https://example.com/hook/"],
    [
      "https://hooks.example.com/in?token=abcdef",
      "webhook",
      "https://hooks.example.com/in?token=***",
    ],
    ["https://bob:hunter22@example.com/", "webhook", "https://bob:***@example.com"],
    ["nats://127.0.0.1:4222", "jetstream", "nats://127.0.0.1:4222"],
    ["nats://svc:s3cr3tpw@nats.internal:4222", "jetstream", "nats://svc:***@nats.internal:4222"],
    ["nats://t0kenvalue@nats.internal", "jetstream", "nats://***@nats.internal"],
  ])("%s is a %s shown as %s", (url, kind, label) => {
    const plan = validateDestination(url, { insecure: false });
    expect(plan.kind).toBe(kind);
    expect(plan.label).toBe(label);
  });

  it("remembers URL credentials and header values as secrets", () => {
    const plan = validateDestination("nats://svc:s3cr3tpw@h:4222", {
      insecure: false,
      headers: ["Authorization: Bearer abcdefgh"],
    });
    expect(plan.secrets).toEqual(["s3cr3tpw", "Bearer abcdefgh"]);
  });

  it.each([
    ["localhost:3000", /unsupported destination scheme/],
    ["nats://", /has no host/],
    ["not a url", /invalid destination/],
    ["ftp://example.com/", /unsupported destination scheme 'ftp'/],
    ["ws://127.0.0.1:1/", /unsupported/],
    ["http://example.com/hook", /unencrypted http:\/\//],
    ["http://10.0.0.5/hook", /unencrypted/],
    ["nats://127.0.0.1:4222/path", /has a path/],
  ])("rejects %s", (url, message) => {
    expect(() => validateDestination(url, { insecure: false })).toThrow(UsageError);
    expect(() => validateDestination(url, { insecure: false })).toThrow(message);
  });

  it("allows http:// to another host with --insecure", () => {
    expect(validateDestination("http://10.0.0.5/hook", { insecure: true }).kind).toBe("webhook");
  });

  it("checks the subject for nats:// only", () => {
    expect(() =>
      validateDestination("nats://127.0.0.1:4222", { insecure: false, subject: "a.*" }),
    ).toThrow(/invalid --subject/);
    expect(() =>
      validateDestination("http://127.0.0.1/", { insecure: false, subject: "a.*" }),
    ).not.toThrow();
  });

  it("never shows a password in its error", () => {
    let message = "";
    try {
      validateDestination("http://bob:hunter22@example.com/?token=abcdef", { insecure: false });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/unencrypted/);
    expect(message).not.toMatch(/hunter22|abcdef/);
  });
});

describe("parseHeaders", () => {
  it.each([
    [["X-Team: scanners"], [["X-Team", "scanners"]]],
    [["Authorization:Bearer a:b"], [["Authorization", "Bearer a:b"]]],
    [["X-Empty:"], [["X-Empty", ""]]],
    [[], []],
  ])("%j", (values, parsed) => {
    expect(parseHeaders(values)).toEqual(parsed);
  });

  it.each([
    ["no colon", /expected 'Name: value'/],
    [": value", /expected 'Name: value'/],
    ["Bad Name: x", /expected 'Name: value'/],
    ["X-A: one\r\nX-B: two", /line break/],
    ["Content-Type: text/plain", /set by scantail/],
    ["scantail-signature: forged", /set by scantail/],
    ["Content-Length: 1", /set by scantail/],
  ])("rejects %j", (value, message) => {
    expect(() => parseHeaders([value])).toThrow(UsageError);
    expect(() => parseHeaders([value])).toThrow(message);
  });
});

describe("cleanDetail", () => {
  it("removes secrets and control characters, and keeps it short", () => {
    expect(cleanDetail("bad\x1b[2J token hunter22\nmore", ["hunter22"])).toBe(
      "bad [2J token *** more",
    );
    expect(cleanDetail("x".repeat(500), []).length).toBe(200);
  });
});

describe("a destination without a scheme", () => {
  it("suggests http://", () => {
    try {
      validateDestination("localhost:3000", { insecure: false });
      expect.unreachable();
    } catch (error) {
      expect((error as UsageError).hint).toBe("did you mean http://localhost:3000?");
    }
  });
});
