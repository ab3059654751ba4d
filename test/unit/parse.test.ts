import { describe, expect, it } from "vitest";
import { parseFrame, preview } from "../../src/events/parse.js";
import { BinaryFrame } from "../../src/feed/frame.js";
import { isCompactJson } from "../../src/format/ndjson.js";

describe("parseFrame", () => {
  it("accepts an object with event_id or event_type, keeping unknown fields", () => {
    const r = parseFrame('{"event_id":"a","future_field":{"x":[1,2]},"device_battery":100}');
    expect(r.ok).toBe(true);
    if (r.ok)
      expect(r.event).toEqual({ event_id: "a", future_field: { x: [1, 2] }, device_battery: 100 });
    expect(parseFrame('{"event_type":"telemetry"}').ok).toBe(true);
  });

  it.each([
    ["Internal server error", /not JSON/],
    [
      '{"message":"Forbidden","connectionId":"x","requestId":"y"}',
      /message from the server: Forbidden/,
    ],
    ["[1,2,3]", /an array/],
    ["42", /a number/],
    ["null", /null/],
    ['"text"', /a string/],
    ['{"foo":1}', /without event_id or event_type/],
    ['{"event_id": "trunc', /not JSON/],
    ["", /not JSON/],
  ])("rejects %j", (frame, reason) => {
    const r = parseFrame(frame);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it("rejects binary frames with their size", () => {
    const r = parseFrame(new BinaryFrame(Buffer.from([1, 2, 3])));
    expect(r).toEqual({ ok: false, reason: "binary frame (3 bytes)" });
  });

  it("previews hostile text on one safe line", () => {
    const p = preview("a\u001b[31mb\nc", 80);
    expect(p).toBe("a\\e[31mb\\nc");
    expect(preview("x".repeat(200), 10)).toMatch(/^x{10}… \(200 chars\)$/);
  });
});

describe("isCompactJson", () => {
  it.each([
    ['{"a":1,"b":"x y"}', true],
    ['{"a":"with \\" quote and space"}', true],
    ['{"a": 1}', false],
    ['{"a":1}\n', false],
    ['{ "a":1}', false],
    ['{"a":[1, 2]}', false],
    ['{"a":"tab\\tinside"}', true],
  ])("%j → %s", (text, compact) => expect(isCompactJson(text)).toBe(compact));

  it("stays linear on hostile input", () => {
    const hostile = `{"a":"${"\\\\".repeat(50_000)}`;
    const started = performance.now();
    isCompactJson(hostile);
    isCompactJson(`${"a".repeat(100_000)} `);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
