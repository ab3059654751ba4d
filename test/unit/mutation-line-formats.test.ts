import { describe, expect, it } from "vitest";
import type { ScanEvent } from "../../src/events/event.js";
import { createRenderer as createCsv, csvCell } from "../../src/format/csv.js";
import { OutputBuffer } from "../../src/format/output-buffer.js";
import type { FormatOptions } from "../../src/format/registry.js";
import { createRenderer as createTemplate } from "../../src/format/template.js";
import { createRenderer as createTsv } from "../../src/format/tsv.js";
import { fullTime, isoWithOffset, pathValue, valueGetter } from "../../src/format/values.js";
import { formatOptions, sampleEvent } from "../helpers/format.js";

// Exact lines of the formats other programs read (README: csv, tsv and --template write
// whole values; a time is complete in every --time mode, local with its UTC offset).

const options = formatOptions();
const ev = (o: Partial<ScanEvent> = {}) =>
  sampleEvent({ customer_gateway_station: "Dock 3", ...o });
const template = (text: string, event: ScanEvent = ev(), time: FormatOptions["time"] = "utc") =>
  createTemplate(options({ template: text, time })).render(event, "");

describe("--template", () => {
  it.each([
    ["{{code}}", "4006381333931\n"],
    ["code: {{code}}", "code: 4006381333931\n"],
    ["{{code}} scanned", "4006381333931 scanned\n"],
    ["{{serial}}{{code}}", "M2SR1211031324006381333931\n"],
    ["<{{ code }}>", "<4006381333931>\n"],
    ["no placeholders", "no placeholders\n"],
    ["a\\tb\\nc\\\\d \\x", "a\tb\nc\\d \\x\n"],
    ["{{code}}\\t{{serial}}\\n", "4006381333931\tM2SR121103132\n\n"],
    ["\\\\t", "\\t\n"],
  ])("%j prints %j", (text, line) => {
    expect(template(text)).toBe(line);
  });

  it("fills column names with whole values, and event fields as they are", () => {
    const event = ev({
      custom: { a: [1, "x"] },
      flag: true,
      zero: 0,
      nothing: null,
      ".dot": "literal",
    });
    expect(
      template(
        "{{time}}|{{battery}}|{{latency}}|{{gateway}}|{{station}}|{{symbology}}|{{custom}}|{{custom.a.1}}|{{flag}}|{{zero}}|{{nothing}}|{{nothing.x}}|{{.dot}}|{{.nope}}|{{missing}}",
        event,
      ),
    ).toBe(
      '2023-11-14T22:13:20.000Z|87|250|Inbound Gateway 1|Dock 3|EAN-13|{"a":[1,"x"]}|x|true|0|||literal||\n',
    );
  });

  it("gateway falls back to the gateway id; a missing battery or latency is empty", () => {
    const event = ev({
      customer_gateway_name: undefined,
      gateway_id: "gw-7",
      device_battery: undefined,
      time_received: undefined,
    });
    expect(template("{{gateway}}|{{battery}}|{{latency}}", event)).toBe("gw-7||\n");
  });
});

describe("whole times in every --time mode", () => {
  it.each([
    [0, "2023-11-14T22:13:20.000+00:00"],
    [-0, "2023-11-14T22:13:20.000+00:00"],
    [-210, "2023-11-14T18:43:20.000-03:30"],
    [330, "2023-11-15T03:43:20.000+05:30"],
    [345, "2023-11-15T03:58:20.000+05:45"],
    [-600, "2023-11-14T12:13:20.000-10:00"],
  ])("a local time %d minutes east of UTC is ISO 8601 with that offset", (offset, shown) => {
    expect(isoWithOffset(1_700_000_000_000, offset)).toBe(shown);
    expect(new Date(shown).getTime()).toBe(1_700_000_000_000);
  });

  it("local time is the machine's wall clock with its offset: exact again when read back", () => {
    const shown = fullTime(1_700_000_000_007, "local", {});
    expect(shown).toMatch(/^2023-11-1[45]T\d\d:\d\d:20\.007[+-]\d\d:\d\d$/);
    expect(new Date(shown).getTime()).toBe(1_700_000_000_007);
    // A wall clock past the last date JavaScript can hold is shown as the number.
    expect(isoWithOffset(8.64e15, 60)).toBe("8640000000000000");
  });

  it("utc, epoch and relative (milliseconds since the first event)", () => {
    expect(fullTime(1_700_000_000_000, "utc", {})).toBe("2023-11-14T22:13:20.000Z");
    expect(fullTime(1_700_000_000_000, "epoch", {})).toBe("1700000000000");
    const base = {};
    expect(fullTime(1_700_000_000_000, "relative", base)).toBe("0");
    expect(fullTime(1_700_000_001_500, "relative", base)).toBe("1500");
    expect(fullTime(1_699_999_999_000, "relative", base)).toBe("-1000");
    expect(fullTime(undefined, "utc", {})).toBe("");
    expect(fullTime(8.64e15 + 1, "utc", {})).toBe("8640000000000001");
  });

  it("a time column falls back to the received time", () => {
    const get = valueGetter("TIME", "epoch");
    expect(get(ev({ time_created: undefined }))).toBe("1700000000250");
  });
});

describe("dotted paths", () => {
  it.each([
    ["a.b", { a: { b: 1 } }, 1],
    ["a.0", { a: ["x"] }, "x"],
    ["a.b", { a: null }, undefined],
    ["a.b", { a: "text" }, undefined],
    ["a.length", { a: "text" }, undefined],
    ["a.toString", { a: {} }, undefined],
    ["a.b.c", { a: { b: null } }, undefined],
  ] as const)("%s of %j is %j", (path, event, value) => {
    expect(pathValue(event as ScanEvent, path)).toBe(value);
  });
});

describe("csv", () => {
  it.each([
    [" padded ", '" padded "'],
    ["trailing ", '"trailing "'],
    ["a,b", '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ["-55", "-55"],
    ["-1.25", "-1.25"],
    ["-1.", "'-1."],
    ["-1.5e3", "'-1.5e3"],
    ["-", "'-"],
    ["- 5", "'- 5"],
    ["+5", "'+5"],
    ["=1,2", `"'=1,2"`],
    ["=A1-5", "'=A1-5"],
    ["@x -2.5", "'@x -2.5"],
    ["1234", "1234"],
  ])("%j is written as %j", (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("a row of whole values under the header, ending in CRLF", () => {
    const r = createCsv(options({ fields: ["serial", "battery", "station", "code"] }));
    expect(r.render(ev({ customer_gateway_station: " Dock, 3 " }), "")).toBe(
      'serial,battery,station,code\r\nM2SR121103132,87," Dock, 3 ",4006381333931\r\n',
    );
    expect(r.render(ev({ scan_code: "-12" }), "")).toBe("M2SR121103132,87,Dock 3,-12\r\n");
  });

  it("tsv writes the same values, one line per row", () => {
    const r = createTsv(
      options({ fields: ["serial", "battery", "latency", "time"], time: "epoch" }),
    );
    expect(r.render(ev(), "")).toBe(
      "serial\tbattery\tlatency\ttime\nM2SR121103132\t87\t250\t1700000000000\n",
    );
  });
});

describe("output buffer", () => {
  it("joins text lines into one string to write, then starts empty again", () => {
    const out = new OutputBuffer();
    expect(out.empty).toBe(true);
    out.text("");
    expect(out.empty).toBe(true);
    out.line("a");
    out.text("b\nc\n");
    expect(out.empty).toBe(false);
    expect(out.take()).toBe("a\nb\nc\n");
    expect(out.empty).toBe(true);
    expect(out.take()).toBe("");
  });

  it("keeps received bytes as they are, each on its own line, beside text", () => {
    const out = new OutputBuffer();
    out.text("x\n");
    out.line(new TextEncoder().encode('{"a":"é"}'));
    out.line("y");
    const chunk = out.take();
    expect(Buffer.isBuffer(chunk)).toBe(true);
    expect(chunk.toString()).toBe('x\n{"a":"é"}\ny\n');
    // The next batch without bytes is text again.
    out.line("z");
    expect(out.take()).toBe("z\n");
  });
});
