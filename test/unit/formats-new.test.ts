import { Chalk } from "chalk";
import stringWidth from "string-width";
import { beforeAll, describe, expect, it } from "vitest";
import { createRenderer as createCsv, csvCell } from "../../src/format/csv.js";
import { resolveFormatName } from "../../src/format/names.js";
import {
  compactJson,
  createRenderer as createNdjson,
  isCompactJson,
} from "../../src/format/ndjson.js";
import { OutputBuffer } from "../../src/format/output-buffer.js";
import { createRenderer as createPretty } from "../../src/format/pretty.js";
import { checkFormatOptions } from "../../src/format/registry.js";
import { createRenderer as createTable } from "../../src/format/table.js";
import { createRenderer as createTemplate } from "../../src/format/template.js";
import { loadTextWidth, type TextWidth } from "../../src/format/text-width.js";
import { createRenderer as createTsv, tsvCell } from "../../src/format/tsv.js";
import { formatOptions, sampleEvent } from "../helpers/format.js";

let text: TextWidth;
beforeAll(async () => {
  text = await loadTextWidth();
});
const options = formatOptions({}, () => text);
const ev = sampleEvent;

describe("csv", () => {
  it("writes a header and RFC 4180 rows with whole values", () => {
    const r = createCsv(options());
    const out = r.render(ev({ customer_gateway_station: 'Dock "A", 3' }), "");
    expect(out).toBe(
      "time,serial,symbology,code,station,gateway,battery\r\n" +
        '2023-11-14T22:13:20.000Z,M2SR121103132,EAN-13,4006381333931,"Dock ""A"", 3",Inbound Gateway 1,87\r\n',
    );
    expect(r.render(ev(), "").split("\r\n")).toHaveLength(2); // the header once
  });
  it("leaves the header out with --no-header and follows --fields", () => {
    const r = createCsv(
      options({ header: false, fields: ["serial", "latency", "metrics.0.values.0"] }),
    );
    expect(r.render(ev({ metrics: [{ values: [270] }] }), "")).toBe("M2SR121103132,250,270\r\n");
  });
  it.each([
    ["=HYPERLINK(1)", "'=HYPERLINK(1)"],
    ["+1+2", "'+1+2"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1)", "'@SUM(A1)"],
    ["-5", "-5"],
    ["12.5", "12.5"],
    ["a\tb", "a\\tb"],
    ["\u001b[31m", "\\e[31m"],
    ["plain", "plain"],
  ])("neutralises %j as %j", (value, cell) => expect(csvCell(value)).toBe(cell));
});

describe("tsv", () => {
  it("escapes tab, newline, CR and backslash so rows stay rows", () => {
    expect(tsvCell("a\tb\nc\rd\\e")).toBe("a\\tb\\nc\\rd\\\\e");
    const r = createTsv(options({ fields: ["serial", "code"] }));
    expect(r.render(ev({ scan_code: "x\ty" }), "")).toBe("serial\tcode\nM2SR121103132\tx\\ty\n");
  });
});

describe("template", () => {
  it("fills {{name}} from fields, columns and dotted paths; missing is empty", () => {
    const r = createTemplate(
      options({
        template: "{{serial}} {{code}} {{metrics.0.values.0}} [{{nope}}] {{ battery }}\\t{{time}}",
      }),
    );
    expect(r.render(ev({ metrics: [{ values: [270] }] }), "")).toBe(
      "M2SR121103132 4006381333931 270 [] 87\t2023-11-14T22:13:20.000Z\n",
    );
  });
  it("escapes control characters and never reaches the prototype", () => {
    const r = createTemplate(
      options({ template: "{{code}}|{{constructor}}|{{__proto__}}|{{toString}}" }),
    );
    expect(r.render(ev({ scan_code: "a\u001b[2Jb" }), "")).toBe("a\\e[2Jb|||\n");
  });
});

describe("ndjson", () => {
  it("passes compact frames through as received bytes and compacts others without re-serialising", () => {
    const r = createNdjson(options());
    const out = new OutputBuffer();
    const bytes = Buffer.from('{"event_id":"a","n":1.50}');
    r.write!({ event: JSON.parse(bytes.toString()), text: bytes.toString(), frame: bytes }, out);
    const spaced = '{ "event_id" : "b",\n "s": "a  b", "n": 1.50 }';
    r.write!({ event: JSON.parse(spaced), text: spaced, frame: spaced }, out);
    // 1.50 keeps its spelling: the server's text, not JSON.stringify's.
    expect(out.take().toString()).toBe(
      '{"event_id":"a","n":1.50}\n{"event_id":"b","s":"a  b","n":1.50}\n',
    );
  });
  it("survives a frame nested thousands of levels deep", () => {
    const deep = `{"event_id":"x","a": ${"[".repeat(20_000)}${"]".repeat(20_000)} }`;
    // JSON.parse/stringify overflow the stack on this up to Node 24 (Node 26's V8 does
    // not): compactJson must not depend on either.
    const line = compactJson(deep);
    expect(isCompactJson(line)).toBe(true);
    expect(line.length).toBe(deep.length - 2);
  });
  it("projects own fields only, a real constructor field included", () => {
    const r = createNdjson(options({ fields: ["constructor", "toString", "event_id"] }));
    const e = JSON.parse('{"event_id":"a","constructor":"c"}');
    expect(r.render(e, "")).toBe('{"constructor":"c","event_id":"a"}\n');
  });
});

describe("format names and options", () => {
  it.each([
    ["Table", "table"],
    ["NDJSON", "ndjson"],
    ["json", "ndjson"],
    ["JSONL", "ndjson"],
    ["csv", "csv"],
    ["yaml", undefined],
    ["__proto__", undefined],
  ])("%s → %s", (name, format) => expect(resolveFormatName(name)).toBe(format));
  it("refuses options a format does not take", () => {
    expect(() => checkFormatOptions("devices", ["fields"])).toThrow(
      /--fields does not apply to -o devices/,
    );
    expect(() => checkFormatOptions("ndjson", ["template"])).toThrow(/--template/);
    expect(() => checkFormatOptions("csv", ["fields", "header", "time"])).not.toThrow();
  });
});

describe("widths", () => {
  const long = {
    scan_code: "0101234567890128172512311010ABC123XYZ",
    customer_gateway_station: "Packing Station North Wing Building 12",
  };
  it("table off a terminal never shortens a value, whatever COLUMNS says", () => {
    for (const time of ["local", "utc", "relative", "epoch"] as const) {
      const out = createTable(options({ columns: 40, time })).render(ev(long), "");
      expect(out).toContain(long.scan_code);
      expect(out).toContain(long.customer_gateway_station);
      expect(out).not.toContain("…");
      expect(out).toContain(
        time === "epoch" ? "1700000000000" : time === "utc" ? "2023-11-14T22:13:20.000Z" : "",
      );
    }
  });
  it.each([60, 80, 120])(
    "table on a %d-column terminal fits, keeping an EAN-13 whole",
    (columns) => {
      const out = createTable(options({ columns, isTTY: true, time: "utc" })).render(ev(), "");
      for (const line of out.trimEnd().split("\n")) expect(stringWidth(line)).toBeLessThan(columns);
      expect(out).toContain("4006381333931");
    },
  );
  it("table cuts before colouring: no colour is left open", () => {
    const chalk = new Chalk({ level: 1 });
    const out = createTable(options({ columns: 60, isTTY: true, chalk })).render(ev(long), "");
    for (const line of out.trimEnd().split("\n")) {
      expect(
        line.endsWith("\u001b[39m") || line.endsWith("\u001b[22m") || !line.includes("\u001b"),
      ).toBe(true);
      expect(stringWidth(line)).toBeLessThan(60);
    }
  });
  it("table styles the text, not its padding: no underline runs into the gap, no trailing spaces", () => {
    const chalk = new Chalk({ level: 1 });
    const out = createTable(options({ columns: 120, isTTY: true, chalk })).render(ev(), "");
    const [header, row] = out.trimEnd().split("\n") as [string, string];
    expect(header).toMatch(/TIME\u001b\[24m\u001b\[22m {2,}/);
    for (const line of [header, row]) expect(line).not.toMatch(/ (\u001b\[\d+m)*$/);
  });
  it.each([60, 80, 120])(
    "pretty on a %d-column terminal never makes a line wider than it",
    (columns) => {
      const r = createPretty(options({ columns, isTTY: true, time: "local" }));
      const out = r.render(ev(long), "") + r.render(ev(), "");
      const lines = out.trimEnd().split("\n");
      for (const line of lines) expect(stringWidth(line)).toBeLessThan(columns);
      // The whole code is there, continued under the code column when it did not fit.
      const joined = lines.map((l) => l.trim()).join("");
      expect(joined).toContain(long.scan_code.slice(0, 10));
      const codeStart = lines[0]!.indexOf(long.scan_code.slice(0, 4));
      if (lines.length > 2) expect(lines[1]!.search(/\S/)).toBe(codeStart);
    },
  );
  it("pretty with --wide or on a pipe keeps one line per event", () => {
    for (const o of [{ wide: true, isTTY: true }, { isTTY: false }]) {
      const out = createPretty(options({ columns: 60, ...o })).render(ev(long), "");
      expect(out.trimEnd().split("\n")).toHaveLength(1);
      expect(out).toContain(long.scan_code);
    }
  });
  it("--highlight marks matches in the code with colour only", () => {
    const chalk = new Chalk({ level: 1 });
    const out = createPretty(options({ chalk, highlight: /3339/g })).render(ev(), "");
    expect(out).toContain("\u001b[7m3339\u001b[27m");
    const plainOut = createPretty(options({ highlight: /3339/g })).render(ev(), "");
    expect(plainOut).toContain("4006381333931");
  });
});
