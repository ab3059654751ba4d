import stringWidth from "string-width";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../src/errors.js";
import type { ScanEvent } from "../../src/events/event.js";
import { plainChalk } from "../../src/format/color.js";
import {
  DEVICE_SORTS,
  FORMAT_ALIASES,
  FORMAT_NAMES,
  resolveFormatName,
  TIME_MODES,
} from "../../src/format/names.js";
import {
  compactJson,
  createRenderer as createNdjson,
  createRecordingRenderer,
  isCompactJson,
  projectedLine,
  wholeLine,
} from "../../src/format/ndjson.js";
import { OutputBuffer } from "../../src/format/output-buffer.js";
import {
  checkFormatOptions,
  createRenderer,
  FORMATS,
  type FormatName,
  type FormatOptionName,
  type FormatOptions,
  formatDefinition,
  loadRecordingRenderer,
} from "../../src/format/registry.js";
import { createRenderer as createTsv, tsvCell } from "../../src/format/tsv.js";

/*
 * The format registry and the line formats other programs read: which formats and
 * options exist, the exact usage errors, ndjson's as-received and compacted lines, and
 * tsv's escaping.
 */

const options = (o: Partial<Omit<FormatOptions, "text">> = {}): Omit<FormatOptions, "text"> => ({
  chalk: plainChalk,
  isTTY: false,
  columns: 80,
  rows: 24,
  time: "epoch",
  now: () => 0,
  header: true,
  wide: false,
  ...o,
});

describe("format names", () => {
  it("lists the formats in help order, with their aliases, time modes and sort keys", () => {
    expect(FORMAT_NAMES).toEqual([
      "pretty",
      "table",
      "ndjson",
      "devices",
      "csv",
      "tsv",
      "template",
    ]);
    expect(FORMAT_ALIASES).toEqual({ json: "ndjson", jsonl: "ndjson" });
    expect(TIME_MODES).toEqual(["local", "utc", "relative", "epoch"]);
    expect(DEVICE_SORTS).toEqual(["serial", "last-seen", "battery", "latency", "scans"]);
  });
  it.each([
    ["pretty", "pretty"],
    [" Devices ", "devices"],
    ["TSV", "tsv"],
    ["Json", "ndjson"],
    [" jsonl", "ndjson"],
    ["", undefined],
    ["ndjson2", undefined],
    ["toString", undefined],
    ["constructor", undefined],
  ])("%j → %s", (name, format) => expect(resolveFormatName(name)).toBe(format));
});

describe("which options a format takes", () => {
  const all: FormatOptionName[] = [
    "fields",
    "time",
    "template",
    "header",
    "highlight",
    "wide",
    "sort",
  ];
  const flags: Record<FormatOptionName, string> = {
    fields: "--fields",
    time: "--time",
    template: "--template",
    header: "--no-header",
    highlight: "--highlight",
    wide: "--wide",
    sort: "--sort",
  };
  const takes: Record<FormatName, FormatOptionName[]> = {
    pretty: ["fields", "time", "highlight", "wide"],
    table: ["fields", "time", "header", "highlight", "wide"],
    ndjson: ["fields"],
    devices: ["wide", "sort"],
    csv: ["fields", "time", "header"],
    tsv: ["fields", "time", "header"],
    template: ["template", "time"],
  };
  it.each(FORMAT_NAMES)("-o %s", (name) => {
    expect(() => checkFormatOptions(name, takes[name])).not.toThrow();
    for (const option of all.filter((o) => !takes[name].includes(o))) {
      // The options it takes pass; the first it does not take is named.
      expect(() => checkFormatOptions(name, [...takes[name], option])).toThrow(
        new UsageError(`${flags[option]} does not apply to -o ${name}`),
      );
    }
    expect(() => checkFormatOptions(name, [])).not.toThrow();
  });
  it("says which formats own the screen and which measure text", () => {
    expect(FORMAT_NAMES.filter((n) => formatDefinition(n).fullScreen)).toEqual(["devices"]);
    expect(FORMAT_NAMES.filter((n) => FORMATS[n].measuresText)).toEqual([
      "pretty",
      "table",
      "devices",
    ]);
    expect(formatDefinition("ndjson")).toBe(FORMATS.ndjson);
    expect(FORMATS.ndjson.description).toBe(
      "one compact JSON object per line, as received (default on a pipe)",
    );
  });
});

describe("building a renderer", () => {
  const wide = "条码"; // two cells per character on a terminal
  it("gives formats that align text the terminal's cell widths", async () => {
    const r = await createRenderer("devices", options());
    r.render({ device_serial: "A", scan_code: wide } as ScanEvent, "");
    const [header, row] = r.finish!().split("\n");
    // Aligned by cells: the two-cell characters get two cells less padding.
    expect(stringWidth(row!)).toBe(header!.length);
    expect(row!.length).toBe(header!.length - 2);
  });
  it("gives the others one cell per character and the options they were given", async () => {
    const r = await createRenderer("tsv", options({ fields: ["code"], header: false }));
    expect(r.render({ scan_code: wide } as ScanEvent, "")).toBe(`${wide}\n`);
    const csv = await createRenderer("csv", options({ fields: ["serial"] }));
    expect(csv.render({ device_serial: "S1" } as ScanEvent, "")).toBe("serial\r\nS1\r\n");
  });
  it("records whole events as received, whatever the main format's fields", async () => {
    const r = await loadRecordingRenderer();
    const text = '{"event_id":"a","scan_code":"X"}';
    expect(r.render(JSON.parse(text), text)).toBe(`${text}\n`);
    const out = new OutputBuffer();
    const frame = Buffer.from(text);
    r.write!({ event: JSON.parse(text), text, frame }, out);
    expect(out.take()).toEqual(Buffer.from(`${text}\n`));
  });
});

describe("ndjson lines", () => {
  it.each([
    ['{"a":1}', true],
    ["{}", true],
    ['[{"a":1},{"b":[1,2]}]', true],
    ['{"a":"x y\\tz"}', true],
    ['{"a":"say \\"hi\\" now","b":2}', true],
    ['{"a":"back\\\\","b":2}', true],
    ['"just a string"', true],
    ["", true],
    ['{"a": 1}', false],
    [' {"a":1}', false],
    ['{"a":1}\n', false],
    ['{"a":1}\r', false],
    ['{"a":\t1}', false],
    ['{"a":"x"} ', false],
    ['{"a":"back\\\\" ,"b":2}', false],
    ['{"a":"open', false],
    ['{"a":"x\\"}', false],
  ])("isCompactJson(%j) → %s", (text, compact) => expect(isCompactJson(text)).toBe(compact));

  it.each([
    ['{ "a" : 1 }', '{"a":1}'],
    ['\t{\r\n"a":\n\n 1,  "b" :[ 1 , 2 ]}\n', '{"a":1,"b":[1,2]}'],
    // Whitespace inside strings stays, escaped quotes and backslashes included.
    ['{ "a" : "x  y" }', '{"a":"x  y"}'],
    ['{ "a" : "say \\"  hi\\"  " , "b" : 1 }', '{"a":"say \\"  hi\\"  ","b":1}'],
    ['{ "a" : "back\\\\" , "b" : "\\\\ " }', '{"a":"back\\\\","b":"\\\\ "}'],
    ['{"k" :"\\u00e9 ", "n": 1.50}', '{"k":"\\u00e9 ","n":1.50}'],
    ['{"a":1}', '{"a":1}'],
    ["", ""],
    ["   ", ""],
    // Cut short: what is there is kept, never lost.
    ['{"a" : "x  ', '{"a":"x  '],
    ['{"a" : "x\\', '{"a":"x\\'],
  ])("compactJson(%j) → %j", (text, line) => expect(compactJson(text)).toBe(line));

  it("passes a compact frame's own bytes through and compacts any other", () => {
    const frame = Buffer.from('{"event_id":"a"}');
    const shown = { event: { event_id: "a" }, text: '{"event_id":"a"}', frame };
    expect(wholeLine(shown)).toBe(frame);
    const spaced = '{ "event_id" : "a" }';
    expect(wholeLine({ event: { event_id: "a" }, text: spaced, frame: Buffer.from(spaced) })).toBe(
      '{"event_id":"a"}',
    );
  });

  it("projects own fields that are set, in the order asked", () => {
    const event = JSON.parse('{"event_id":"a","scan_code":"X","n":0,"z":null,"s":""}');
    expect(projectedLine(event, ["n", "scan_code", "missing", "z", "s", "event_id"])).toBe(
      '{"n":0,"scan_code":"X","z":null,"s":"","event_id":"a"}',
    );
    expect(projectedLine(event, ["__proto__", "toString", "constructor"])).toBe("{}");
    expect(projectedLine({ ...event, gone: undefined }, ["gone", "event_id"])).toBe(
      '{"event_id":"a"}',
    );
  });

  it("with --fields writes the projection; without, or with none, the whole event", () => {
    const text = '{ "event_id" : "a", "scan_code" : "X", "device_serial" : "S" }';
    const event = JSON.parse(text);
    const shown = { event, text, frame: Buffer.from(text) };
    const whole = '{"event_id":"a","scan_code":"X","device_serial":"S"}';
    for (const fields of [undefined, []]) {
      const r = createNdjson({ fields });
      expect(r.render(event, text)).toBe(`${whole}\n`);
      const out = new OutputBuffer();
      r.write!(shown, out);
      expect(out.take()).toBe(`${whole}\n`);
    }
    // Column names resolve to the event's fields.
    const projected = createNdjson({ fields: ["serial", "code"] });
    expect(projected.render(event, text)).toBe('{"device_serial":"S","scan_code":"X"}\n');
    const out = new OutputBuffer();
    projected.write!(shown, out);
    expect(out.take()).toBe('{"device_serial":"S","scan_code":"X"}\n');
    // A recording keeps every field whatever --fields says.
    expect(createRecordingRenderer().render(event, text)).toBe(`${whole}\n`);
  });
});

describe("tsv cells", () => {
  it.each([
    ["plain", "plain"],
    ["a\\b", "a\\\\b"],
    ["\\t is not a tab", "\\\\t is not a tab"],
    ["a\tb", "a\\tb"],
    ["two\nlines\r", "two\\nlines\\r"],
    ["\u001b[2J", "\\e[2J"],
  ])("%j → %j", (value, cell) => expect(tsvCell(value)).toBe(cell));
  it("writes the header once, then rows of the default columns", () => {
    const r = createTsv({ ...options(), text: undefined as never });
    const event = {
      time_created: 5,
      device_serial: "S",
      scan_decode_symbology: "EAN-13",
      scan_code: "a\tb",
      customer_gateway_station: "St",
      customer_gateway_name: "Gw",
      device_battery: 50,
    } as ScanEvent;
    expect(r.render(event, "")).toBe(
      "time\tserial\tsymbology\tcode\tstation\tgateway\tbattery\n5\tS\tEAN-13\ta\\tb\tSt\tGw\t50\n",
    );
    expect(r.render(event, "")).toBe("5\tS\tEAN-13\ta\\tb\tSt\tGw\t50\n");
    const bare = createTsv({ ...options({ header: false }), text: undefined as never });
    expect(bare.render(event, "")).toBe("5\tS\tEAN-13\ta\\tb\tSt\tGw\t50\n");
  });
});
