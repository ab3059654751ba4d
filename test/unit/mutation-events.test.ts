import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fieldText, latencyOf, num, type ScanEvent, str } from "../../src/events/event.js";
import {
  compileCodeRegExp,
  compileFilter,
  compileRawPrecheck,
  type FilterOptions,
  splitList,
} from "../../src/events/filter.js";
import { eventKey, parseFrame, preview } from "../../src/events/parse.js";
import { BinaryFrame } from "../../src/feed/frame.js";
import { createClassifier } from "../../src/run/classify.js";
import { idKey, liveDedupe } from "../../src/run/dedupe.js";
import { makeContext, runCli } from "../helpers/context.js";

/*
 * What makes a frame an event, what each kind of bad frame is called on stderr, how
 * filters match (README "Watching and filtering"), which names earn a typo warning, and
 * how event ids are remembered for de-duplication.
 */

describe("reading event fields", () => {
  it.each([
    [{ customer_gateway_name: "Gate" }, "Gate"],
    [{ customer_gateway_name: 7 }, "7"],
    [{ customer_gateway_name: 0 }, "0"],
    [JSON.parse('{"customer_gateway_name":1e999}'), "Infinity"],
    [{ customer_gateway_name: false }, "false"],
    [{ customer_gateway_name: true }, "true"],
    [{ customer_gateway_name: { a: [1] } }, '{"a":[1]}'],
    [{ customer_gateway_name: null }, ""],
    [{}, ""],
  ])("%j → %j", (event, text) => {
    expect(fieldText(event as ScanEvent, "customer_gateway_name")).toBe(text);
  });

  it("reads own fields only", () => {
    expect(fieldText({} as ScanEvent, "constructor")).toBe("");
    expect(fieldText(JSON.parse('{"__proto__":"x"}'), "__proto__")).toBe("x");
  });

  it.each([
    ["a", "a", undefined],
    ["", "", undefined],
    [5, undefined, 5],
    [0, undefined, 0],
    [Number.POSITIVE_INFINITY, undefined, undefined],
    [Number.NaN, undefined, undefined],
    [null, undefined, undefined],
    [true, undefined, undefined],
    ["5", "5", undefined],
  ])("%j is str %j and num %j", (value, asString, asNumber) => {
    expect(str(value)).toBe(asString);
    expect(num(value)).toBe(asNumber);
  });

  it.each([
    [{ time_created: 1000, time_received: 1250 }, 250],
    [{ time_created: 1250, time_received: 1000 }, -250],
    [{ time_created: 1000 }, undefined],
    [{ time_received: 1000 }, undefined],
    [{ time_created: "1000", time_received: 1250 }, undefined],
    [{ time_created: 1000, time_received: "1250" }, undefined],
    [{}, undefined],
  ])("latency of %j is %j", (event, latency) => {
    expect(latencyOf(event as ScanEvent)).toBe(latency);
  });
});

describe("what a frame is", () => {
  it.each([
    ["null", "not an event (null): null"],
    ["[1,2]", "not an event (an array): [1,2]"],
    ["42", "not an event (a number): 42"],
    ['"x"', 'not an event (a string): "x"'],
    ["true", "not an event (a boolean): true"],
    ["not json", "not JSON: not json"],
    ['{"message":"Forbidden","connectionId":"c"}', "message from the server: Forbidden"],
    ['{"message":5}', 'object without event_id or event_type: {"message":5}'],
    ['{"foo":1}', 'object without event_id or event_type: {"foo":1}'],
    ['{"event_id":""}', 'event_id is not a non-empty string or a number: {"event_id":""}'],
    ['{"event_id":null}', 'event_id is not a non-empty string or a number: {"event_id":null}'],
    ['{"event_id":1e999}', 'event_id is not a non-empty string or a number: {"event_id":1e999}'],
    ['{"event_id":true}', 'event_id is not a non-empty string or a number: {"event_id":true}'],
    [
      '{"event_id":"a","event_type":3}',
      'event_type is not a string: {"event_id":"a","event_type":3}',
    ],
    ['{"event_type":null}', 'event_type is not a string: {"event_type":null}'],
  ])("%s: %s", (frame, reason) => {
    expect(parseFrame(frame)).toEqual({ ok: false, reason });
  });

  it.each([
    ['{"event_id":"a"}', "a"],
    ['{"event_id":0}', "#0"],
    ['{"event_id":-1.5}', "#-1.5"],
    ['{"event_type":"scan"}', undefined],
    ['{"event_type":"scan","event_id":"b"}', "b"],
  ])("%s is an event keyed %j", (frame, key) => {
    const parsed = parseFrame(frame);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(eventKey(parsed.event)).toBe(key);
  });

  it("a binary frame is invalid with its size, whatever the filter", () => {
    const classify = createClassifier({ serial: ["S1"] });
    expect(classify(new BinaryFrame(Buffer.from([1, 2, 3, 4])), live)).toEqual({
      kind: "invalid",
      reason: "binary frame (4 bytes)",
    });
  });

  it("a server message is previewed at 120 characters, a frame at 80", () => {
    const long = "m".repeat(130);
    expect(parseFrame(JSON.stringify({ message: long }))).toEqual({
      ok: false,
      reason: `message from the server: ${"m".repeat(120)}… (130 chars)`,
    });
    expect(parseFrame(`x${"y".repeat(99)}`)).toEqual({
      ok: false,
      reason: `not JSON: x${"y".repeat(79)}… (100 chars)`,
    });
  });
});

const live = { recording: false, textPrecheck: false };

describe("previews of untrusted text", () => {
  it.each([
    ["a".repeat(80), 80, "a".repeat(80)],
    ["a".repeat(81), 80, `${"a".repeat(80)}… (81 chars)`],
    ["a".repeat(20), 10, `${"a".repeat(10)}… (20 chars)`],
    ["abcdefghijklmnopqrstuvwxyz", 25, "abcdefghijklmnopqrstuvwxy… (26 chars)"],
    // Escapes count towards the width: 3 control characters take 12 columns.
    ["\u0001\u0002\u0003", 8, "\\x01\\x02… (3 chars)"],
    ["\u0001\u0002\u0003", 12, "\\x01\\x02\\x03"],
    ["a\nb", 80, "a\\nb"],
    // A megabyte-long frame: the start is shown, the length told.
    [`${"z".repeat(1_000_000)}`, 80, `${"z".repeat(80)}… (1000000 chars)`],
    [`${"\u0007".repeat(400)}`, 10, "\\x07\\x07\\x… (400 chars)"],
  ])("preview %#", (text, max, shown) => {
    expect(preview(text, max)).toBe(shown);
  });
});

describe("filters", () => {
  it("splitList takes one string or many, commas and blanks", () => {
    expect(splitList("a, b,,c ")).toEqual(["a", "b", "c"]);
    expect(splitList("solo")).toEqual(["solo"]);
    expect(splitList([" x ", "y,z"])).toEqual(["x", "y", "z"]);
    expect(splitList(undefined)).toEqual([]);
    expect(splitList(" , ")).toEqual([]);
  });

  const e = (over: Record<string, unknown>): ScanEvent => ({
    event_id: "1",
    device_serial: "M2SR1",
    scan_decode_symbology: "EAN-13",
    scan_code: "ABC-123",
    ...over,
  });
  const cases: Array<[string, FilterOptions, Record<string, unknown>, boolean]> = [
    [
      "two symbologies, the second",
      { symbology: ["ean8", "code 128"] },
      { scan_decode_symbology: "CODE 128" },
      true,
    ],
    ["two symbologies, the first", { symbology: "ean8,ean13" as unknown as string[] }, {}, true],
    ["two symbologies, neither", { symbology: ["ean8", "code128"] }, {}, false],
    [
      "symbology glob",
      { symbology: ["gs1 databar*"] },
      { scan_decode_symbology: "GS1 DATABAR LIMITED" },
      true,
    ],
    ["symbology glob, other", { symbology: ["gs1 databar*"] }, {}, false],
    [
      "a symbology that is not text",
      { symbology: ["ean13"] },
      { scan_decode_symbology: 13 },
      false,
    ],
    ["excluded symbology", { excludeSymbology: ["ean 13"] }, {}, false],
    ["excluded symbology, other", { excludeSymbology: ["qr code"] }, {}, true],
    [
      "exclusion keeps a numeric symbology",
      { excludeSymbology: ["ean13"] },
      { scan_decode_symbology: 13 },
      true,
    ],
    ["no exclusion keeps an empty serial", {}, { device_serial: "" }, true],
    ["a blank exclusion excludes nothing", { excludeSerial: [" "] }, { device_serial: "" }, true],
    [
      "a blank symbology exclusion excludes nothing",
      { excludeSymbology: [""] },
      { scan_decode_symbology: "" },
      true,
    ],
    ["excluded serial", { excludeSerial: ["m2sr*"] }, {}, false],
    ["excluded serial, other", { excludeSerial: ["x*"] }, {}, true],
    ["keep and exclude: exclusion wins", { serial: ["m2*"], excludeSerial: ["m2sr1"] }, {}, false],
    ["--code", { code: "^ABC" }, {}, true],
    ["--code is case-sensitive", { code: "^abc" }, {}, false],
    ["--code -i", { code: "^abc", ignoreCase: true }, {}, true],
    ["--code on a numeric code", { code: "5" }, { scan_code: 5 }, false],
    ["--code and serial, both", { code: "123$", serial: ["M2SR1"] }, {}, true],
    ["--code and serial, one", { code: "123$", serial: ["OTHER"] }, {}, false],
    ["gateway by name", { gateway: ["gate*"] }, { customer_gateway_name: "Gate A" }, true],
    ["gateway by id", { gateway: ["g-1"] }, { gateway_id: "G-1" }, true],
    [
      "gateway, neither",
      { gateway: ["g-1"] },
      { gateway_id: "G-2", customer_gateway_name: "x" },
      false,
    ],
    ["station", { station: ["st?"] }, { customer_gateway_station: "ST1" }, true],
    ["event type", { eventType: ["telemetry"] }, { event_type: "scan" }, false],
    ["nothing asked: everything kept", {}, { device_serial: 5 }, true],
    ["a serial that is not text", { serial: ["5"] }, { device_serial: 5 }, false],
  ];
  it.each(cases)("%s", (_name, options, over, kept) => {
    expect(compileFilter(options)(e(over))).toBe(kept);
  });

  it("a bad --code or --highlight is one sentence naming the flag", () => {
    expect(() => compileCodeRegExp("([")).toThrow(
      /^invalid --code regular expression: \/\(\[\/u?: Unterminated/,
    );
    expect(() => compileCodeRegExp("a{2,1}", { flag: "--highlight" })).toThrow(
      /^invalid --highlight regular expression: \/a\{2,1\}\/u?: numbers out of order/,
    );
  });

  it("regex flags: case and global as asked, unicode when it parses", () => {
    expect(compileCodeRegExp("x").flags).toBe("u");
    expect(compileCodeRegExp("x", { ignoreCase: true, global: true }).flags).toBe("giu");
    expect(compileCodeRegExp("\\-", { global: true }).flags).toBe("g");
    expect(compileCodeRegExp("\\-", { ignoreCase: true }).flags).toBe("i");
    expect(compileCodeRegExp("\\-").flags).toBe("");
  });

  it("the text pre-check: all literal patterns of each kind must appear, any case", () => {
    const check = compileRawPrecheck({ serial: ["AbC1", "XyZ2"], station: ["Dock"] })!;
    expect(check('{"device_serial":"abc1","customer_gateway_station":"DOCK"}')).toBe(true);
    expect(check('{"device_serial":"xyz2","customer_gateway_station":"dock"}')).toBe(true);
    expect(check('{"device_serial":"abc1"}')).toBe(false);
    expect(check('{"customer_gateway_station":"dock"}')).toBe(false);
    // JSON escapes could spell the value differently: always decoded.
    expect(check('{"device_serial":"\\u0041bc1"}')).toBe(true);
    expect(compileRawPrecheck({ eventType: ["scan"] })!('{"event_type":"telemetry"}')).toBe(false);
    expect(compileRawPrecheck({ gateway: ["g1"] })!('{"gateway_id":"g1"}')).toBe(true);
    // Patterns are literal text, not regular expressions.
    expect(compileRawPrecheck({ serial: ["a.c"] })!('{"device_serial":"abc"}')).toBe(false);
  });

  it("no text pre-check when any pattern of a kind is a glob, or no kind has one", () => {
    expect(compileRawPrecheck({ serial: ["ABC", "X*"] })).toBeUndefined();
    expect(compileRawPrecheck({ serial: ["X?", "ABC"] })).toBeUndefined();
    expect(compileRawPrecheck({ symbology: ["ean13"], code: "x" })).toBeUndefined();
    expect(compileRawPrecheck({ serial: ["X*"], station: ["Dock"] })!('{"x":"dock"}')).toBe(true);
  });
});

describe("de-duplication keys", () => {
  it("an event stamped ahead of this machine's clock does not make it forget recent ids", () => {
    const now = 1_700_000_000_000;
    const recent = liveDedupe(() => now);
    expect(recent.seen("a", now)).toBe(false);
    expect(recent.seen("ahead", now + 10 * 60_000)).toBe(false);
    expect(recent.seen("a", now)).toBe(true);
  });

  it("ids up to 64 characters are kept; longer ones by their SHA-256", () => {
    const id64 = "i".repeat(64);
    const id65 = "i".repeat(65);
    expect(idKey(id64)).toBe(id64);
    expect(idKey(id65)).toBe(`#${createHash("sha256").update(id65).digest("base64")}`);
    expect(idKey(id65)).toHaveLength(45);
  });

  it("long ids that share a start are still told apart, and repeats recognised", () => {
    const recent = liveDedupe(() => 0);
    const a = `${"x".repeat(1000)}a`;
    const b = `${"x".repeat(1000)}b`;
    expect([recent.seen(a), recent.seen(b), recent.seen(a), recent.seen(b)]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });
});

describe("names scantail knows earn no typo warning", () => {
  // The names in docs/insight-api.md ("Symbology names") and the spellings Insight
  // is known to use besides.
  const symbologies = [
    "CODE 128",
    "CODE 39",
    "EAN-13",
    "EAN-8",
    "UPCA",
    "UPCE1",
    "GS1-128",
    "DATA MATRIX",
    "GS1 DATAMATRIX",
    "QR CODE",
    "MICRO QR CODE",
    "PDF-417",
    "AZTEC CODE",
    "ITF",
    "CODABAR",
    "CODE 93",
    "GS1 DATABAR-14",
    "GS1 DATABAR LIMITED",
    "GS1 DATABAR EXPANDED",
    "MAXICODE",
    "EAN-13 + 2",
    "EAN-13 + 5",
    "AZTEC",
    "CODE 11",
    "GS1 DATABAR",
    "GS1 QR CODE",
    "INTERLEAVED 2 OF 5",
    "MICRO PDF417",
    "MSI",
    "UPCE",
    "UPC-A",
    "UPC-E",
  ];
  // Every field of the event table in docs/insight-api.md.
  const fields = [
    "api_version",
    "event_type",
    "event_id",
    "time_created",
    "time_received",
    "scan_code",
    "scan_decode_symbology",
    "device_serial",
    "device_model",
    "device_manufacturer",
    "device_firmware",
    "device_battery",
    "gateway_id",
    "gateway_type",
    "gateway_model",
    "gateway_manufacturer",
    "gateway_firmware",
    "customer_gateway_name",
    "customer_gateway_usecase",
    "customer_gateway_station",
    "configuration_id",
    "configuration_profile_id",
    "configuration_tag",
    "configuration_profile_revision",
    "metrics",
    "metrics_worker_steps",
    "scan_duration",
  ];

  async function replayWith(...argv: string[]) {
    const ctx = makeContext();
    const file = join(ctx.configDir, "empty.ndjson");
    writeFileSync(file, "");
    return runCli(["replay", file, "-o", "csv", ...argv], ctx);
  }

  it("every known symbology, field and event type", async () => {
    const r = await replayWith(
      "-y",
      symbologies.join(","),
      "--exclude-symbology",
      symbologies.map((s) => s.toLowerCase().replaceAll(" ", "")).join(","),
      "--fields",
      fields.join(","),
      "--event-type",
      "scan,telemetry",
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
  });

  it.each([
    [
      "-y",
      "ean14",
      `scantail: warning: -y "ean14" is not a known symbology (did you mean 'EAN-13'?)`,
    ],
    ["--fields", "sreial_code", "is not a known field"],
    [
      "--event-type",
      "scans",
      `--event-type "scans" is not a known event type (did you mean 'scan'?)`,
    ],
  ])("%s %s earns one warning", async (flag, value, warning) => {
    const r = await replayWith(flag, value);
    expect(r.code).toBe(0);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(warning);
  });
});
