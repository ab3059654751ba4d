import { describe, expect, it } from "vitest";
import { BinaryFrame, type Frame } from "../../src/feed/frame.js";
import { BLANK, createClassifier, FILTERED, INVALID, SHOWN } from "../../src/run/classify.js";

const enc = (s: string) => Buffer.from(s);
const frames: Frame[] = [
  enc('{"event_id":"a","device_serial":"S1","scan_decode_symbology":"EAN-13"}'),
  enc('{ "event_id": "b", "device_serial": "S2" }'),
  enc("not json"),
  new BinaryFrame(Buffer.from([0, 1, 2])),
  enc('{"event_id":"c","device_serial":"S1","scan_code":"条码\\u001d"}'),
  enc('{"message":"Forbidden"}'),
  enc('{"event_id":"d","device_serial":"OTHER"}'),
];

describe("classify", () => {
  it("gives a verdict per frame: shown, invalid, filtered; lines only where the frame is not compact", () => {
    const c = createClassifier({
      filterOptions: { serial: ["s?"] },
      recording: false,
      wholeLines: true,
      keepEvents: false,
    })(frames);
    expect([...c.codes]).toEqual([SHOWN, SHOWN, INVALID, INVALID, SHOWN, INVALID, FILTERED]);
    expect(c.ids).toEqual(["a", "b", undefined, undefined, "c", undefined, "d"]);
    expect(c.lines[0]).toBeUndefined();
    expect(c.lines[1]).toBe('{"event_id":"b","device_serial":"S2"}');
    expect(c.reasons[3]).toBe("binary frame (3 bytes)");
    expect(c.reasons[5]).toMatch(/Forbidden/);
    expect(c.serials[0]).toBe("S1");
    expect(c.symbologies[0]).toBe("EAN-13");
    expect(c.projected).toBeUndefined();
    expect(c.events).toBeUndefined();
  });

  it("works out lines only when asked, and projections for --fields", () => {
    const none = createClassifier({
      filterOptions: {},
      recording: false,
      wholeLines: false,
      keepEvents: true,
    })(frames);
    expect(none.lines[1]).toBeUndefined();
    expect(none.events?.[1]).toEqual({ event_id: "b", device_serial: "S2" });
    const projected = createClassifier({
      filterOptions: {},
      recording: false,
      wholeLines: true,
      projection: ["device_serial", "event_id"],
      keepEvents: false,
    })(frames);
    expect(projected.projected?.[0]).toBe('{"device_serial":"S1","event_id":"a"}');
    expect(projected.lines[1]).toBe('{"event_id":"b","device_serial":"S2"}');
  });

  it("marks blank lines of a recording", () => {
    const c = createClassifier({
      filterOptions: {},
      recording: true,
      wholeLines: false,
      keepEvents: true,
    })(["", "  ", '{"event_id":"x"}']);
    expect([...c.codes]).toEqual([BLANK, BLANK, SHOWN]);
    expect(c.events?.[2]).toEqual({ event_id: "x" });
  });
});
