import { describe, expect, it } from "vitest";
import { BinaryFrame, type Frame } from "../../src/feed/frame.js";
import { createClassifier, type Verdict } from "../../src/run/classify.js";

const enc = (s: string) => Buffer.from(s);
const live = { recording: false, textPrecheck: false };
const recording = { recording: true, textPrecheck: true };
const kinds = (verdicts: Verdict[]) => verdicts.map((v) => v.kind);

describe("classify", () => {
  const frames: Frame[] = [
    enc('{"event_id":"a","device_serial":"S1","scan_decode_symbology":"EAN-13"}'),
    enc('{ "event_id": "b", "device_serial": "S2" }'),
    enc("not json"),
    new BinaryFrame(Buffer.from([0, 1, 2])),
    enc('{"event_id":"c","device_serial":"S1","scan_code":"条码\\u001d"}'),
    enc('{"message":"Forbidden"}'),
    enc('{"event_id":"d","device_serial":"OTHER"}'),
  ];

  it("gives one tagged verdict per frame: event, invalid, filtered — with its key and text", () => {
    const classify = createClassifier({ serial: ["s?"] });
    const verdicts = frames.map((f) => classify(f, live));
    expect(kinds(verdicts)).toEqual([
      "event",
      "event",
      "invalid",
      "invalid",
      "event",
      "invalid",
      "filtered",
    ]);
    const first = verdicts[0]!;
    if (first.kind !== "event") throw new Error("expected an event");
    expect(first.key).toBe("a");
    expect(first.frame).toBe(frames[0]);
    expect(first.text).toBe(
      '{"event_id":"a","device_serial":"S1","scan_decode_symbology":"EAN-13"}',
    );
    expect(verdicts[3]).toEqual({ kind: "invalid", reason: "binary frame (3 bytes)" });
    expect(verdicts[5]).toMatchObject({
      kind: "invalid",
      reason: expect.stringMatching(/Forbidden/),
    });
    expect(verdicts[6]).toEqual({ kind: "filtered", key: "d" });
  });

  // A filter must never hide a frame that is not an event (API Gateway's own texts).
  it.each([
    ["Internal server error"],
    ['{"message":"Forbidden","connectionId":"x","requestId":"y"}'],
    ['{"message": "Internal server error"}'],
    ["[1,2,3]"],
  ])("reports %s as invalid on a live feed whatever the filter", (text) => {
    const classify = createClassifier({ serial: ["M2SR121103132"] });
    expect(classify(enc(text), live).kind).toBe("invalid");
    expect(classify(text, live).kind).toBe("invalid");
  });

  it("lets the text pre-check rule out only a recording's lines that look like objects", () => {
    const classify = createClassifier({ serial: ["M2SR121103132"] });
    expect(classify('{"event_id":"x","device_serial":"OTHER"}', recording).kind).toBe("filtered");
    expect(classify('{"broken": ', recording).kind).toBe("invalid");
    expect(classify("garbage", recording).kind).toBe("invalid");
    expect(classify("   ", recording).kind).toBe("blank");
    expect(classify("   ", live).kind).toBe("invalid");
  });

  it.each([
    ['{"event_id":null}'],
    ['{"event_type":false}'],
    ['{"event_id":{}}'],
    ['{"event_id":[]}'],
    ['{"event_id":""}'],
    ['{"event_type":1}'],
  ])("%s is not an event", (text) => {
    expect(createClassifier({})(text, live).kind).toBe("invalid");
  });

  it("accepts a numeric event_id and keys it apart from the same digits as a string", () => {
    const classify = createClassifier({});
    const a = classify('{"event_id":7}', live);
    const b = classify('{"event_id":"7"}', live);
    expect(a.kind === "event" && a.key).toBe("#7");
    expect(b.kind === "event" && b.key).toBe("7");
  });

  it("treats a filter that throws as not matching", () => {
    const classify = createClassifier({ code: "x" });
    expect(classify('{"event_id":"a","scan_code":5}', live).kind).toBe("filtered");
  });
});
