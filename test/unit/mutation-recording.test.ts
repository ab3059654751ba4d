import { spawnSync } from "node:child_process";
import { getEventListeners } from "node:events";
import {
  closeSync,
  constants,
  createReadStream,
  mkdtempSync,
  openSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import {
  MAX_LINE_BYTES,
  openRecording,
  type RecordingOptions,
  scanNeedle,
} from "../../src/sources/recording.js";
import type { SourceItem } from "../../src/sources/source.js";

/*
 * The recording source on its own: exactly which items it yields for a byte stream —
 * frames with their line numbers, oversized lines reported by number, what the pre-scan
 * passes over — and how it ends (end of input, stop, a read error).
 */
const origin = { source: "recording" };

type Input = Readable | Array<string | Buffer>;

function open(input: Input, options: Partial<RecordingOptions> = {}) {
  return openRecording({
    input: input instanceof Readable ? input : Readable.from(input),
    textPrecheck: false,
    now: () => 0,
    sleep: async () => {},
    ...options,
  });
}

async function itemsOf(input: Input, options: Partial<RecordingOptions> = {}) {
  const out: SourceItem[] = [];
  for await (const item of open(input, options).items(new AbortController().signal)) out.push(item);
  return out;
}

/** A frames item of consecutive [line number, text] pairs. */
function frames(lines: Array<[number, string]>, extra: Record<string, unknown> = {}) {
  return {
    kind: "frames",
    origin,
    frames: lines.map(([, text]) => text),
    lineNumbers: lines.map(([no]) => no),
    textPrecheck: false,
    ...extra,
  };
}

/** An oversized line under a small test cap (the MiB figure rounds to 0 there). */
function tooLong(line: number, bytes: number) {
  return {
    kind: "problem",
    origin,
    line,
    reason: `line longer than 0 MiB (${bytes} bytes so far), skipped`,
  };
}

describe("recording: lines across chunk boundaries", () => {
  it.each<[string, string[], SourceItem[] | ReturnType<typeof frames>[]]>([
    [
      "a line split over three chunks",
      ["ab", "c", "d\nok\n"],
      [
        frames([
          [1, "abcd"],
          [2, "ok"],
        ]),
      ],
    ],
    [
      "a partial line after a full one in the same chunk",
      ["ok\nabcd", "ef\n"],
      [frames([[1, "ok"]]), frames([[2, "abcdef"]])],
    ],
    [
      "CRLF split between chunks",
      ["a\r", "\nb\r\n"],
      [
        frames([
          [1, "a"],
          [2, "b"],
        ]),
      ],
    ],
    ["a last line without a newline", ["a\nb"], [frames([[1, "a"]]), frames([[2, "b"]])]],
    [
      "a last line without a newline, over chunks",
      ["a\nb", "c"],
      [frames([[1, "a"]]), frames([[2, "bc"]])],
    ],
    [
      "a chunk that ends exactly at a newline",
      ["a\n", "b\n"],
      [frames([[1, "a"]]), frames([[2, "b"]])],
    ],
  ])("%s", async (_name, chunks, expected) => {
    expect(
      await itemsOf(
        chunks.map((c) => Buffer.from(c)),
        { maxLineBytes: 6 },
      ),
    ).toEqual(expected);
  });

  it("string chunks (a stream with an encoding set) split the same as bytes", async () => {
    expect(await itemsOf(["ab\ncd", "e\n"])).toEqual([frames([[1, "ab"]]), frames([[2, "cde"]])]);
  });

  it("yields frames in batches of at most 512 lines", async () => {
    const text = Array.from({ length: 1000 }, (_, i) => `l${i}\n`).join("");
    const got = await itemsOf([Buffer.from(text)]);
    expect(got.map((item) => (item.kind === "frames" ? item.frames.length : item.kind))).toEqual([
      512, 488,
    ]);
    const numbers = got.flatMap((item) => (item.kind === "frames" ? item.lineNumbers! : []));
    expect(numbers).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(got[1]).toMatchObject({ frames: expect.arrayContaining(["l999"]) });
  });
});

describe("recording: byte-order mark", () => {
  it.each([
    ["a BOM at the very start is dropped", ["\ufeffa\n"], [[1, "a"]]],
    ["after an empty first chunk too", ["", "\ufeffa\n"], [[1, "a"]]],
    [
      "a BOM at the start of a later chunk is data",
      ["a\n", "\ufeffb\n"],
      [
        [1, "a"],
        [2, "\ufeffb"],
      ],
    ],
    // First characters whose UTF-8 shares some of the BOM's three bytes are data.
    ["U+1EFF (E1 BB BF)", ["\u1effa\n"], [[1, "\u1effa"]]],
    ["U+FF3F (EF BC BF)", ["\uff3fa\n"], [[1, "\uff3fa"]]],
    ["U+FEC0 (EF BB 80)", ["\ufec0a\n"], [[1, "\ufec0a"]]],
    ["U+FF21 (EF BC A1)", ["\uff21a\n"], [[1, "\uff21a"]]],
    ["a then U+00BF (61 C2 BF)", ["a\u00bf\n"], [[1, "a\u00bf"]]],
  ] as Array<[string, string[], Array<[number, string]>]>)("%s", async (_name, chunks, lines) => {
    const got = await itemsOf(chunks.map((c) => Buffer.from(c)));
    expect(got.flatMap((item) => (item.kind === "frames" ? item.frames : []))).toEqual(
      lines.map(([, text]) => text),
    );
    expect(got.flatMap((item) => (item.kind === "frames" ? item.lineNumbers! : []))).toEqual(
      lines.map(([no]) => no),
    );
  });
});

describe("recording: the line length cap", () => {
  it.each<[string, string[], unknown[]]>([
    ["a line of exactly the cap in one chunk is kept", ["abcdef\n"], [frames([[1, "abcdef"]])]],
    [
      "a line of exactly the cap over two chunks is kept",
      ["abc", "def\n"],
      [frames([[1, "abcdef"]])],
    ],
    [
      "a partial line of exactly the cap is kept until its end arrives",
      ["abcdef", "\nok\n"],
      [
        frames([
          [1, "abcdef"],
          [2, "ok"],
        ]),
      ],
    ],
    [
      "one byte over in one chunk",
      ["a\nabcdefg\nb\n"],
      [frames([[1, "a"]]), tooLong(2, 7), frames([[3, "b"]])],
    ],
    ["an oversized first line: no empty frames item", ["abcdefg\n"], [tooLong(1, 7)]],
    [
      "one byte over once assembled from two chunks",
      ["abcd", "efg\nok\n"],
      [tooLong(1, 7), frames([[2, "ok"]])],
    ],
    [
      "over the cap while still open: counted, not held, ended by its newline",
      ["ok\nxxxx", "xxxxxx", "yy\nb\n"],
      [frames([[1, "ok"]]), tooLong(2, 12), frames([[3, "b"]])],
    ],
    [
      "lines after a skipped one are read normally, also partial ones",
      ["xxxxxxxx", "yy\nab", "c\nd\n"],
      [
        tooLong(1, 10),
        frames([
          [2, "abc"],
          [3, "d"],
        ]),
      ],
    ],
    [
      "a skipped line that never ends is reported at the end with its size",
      ["ok\n", "xxxxx", "xxxxx"],
      [frames([[1, "ok"]]), tooLong(2, 10)],
    ],
  ])("%s", async (_name, chunks, expected) => {
    expect(
      await itemsOf(
        chunks.map((c) => Buffer.from(c)),
        { maxLineBytes: 6 },
      ),
    ).toEqual(expected);
  });

  it("the default cap is 16 MiB, and the report says so with the bytes read", async () => {
    expect(MAX_LINE_BYTES).toBe(16 * 1024 * 1024);
    const big = Buffer.alloc(MAX_LINE_BYTES + 5, 0x78);
    const expected = [
      frames([[1, "{}"]]),
      {
        kind: "problem",
        origin,
        line: 2,
        reason: `line longer than 16 MiB (${MAX_LINE_BYTES + 5} bytes so far), skipped`,
      },
      frames([[3, "ok"]]),
    ];
    expect(await itemsOf([Buffer.from("{}\n"), big, Buffer.from("\nok\n")])).toEqual(expected);
    // The pre-scan path has the same cap (and passes over the object line).
    const prescanned = await itemsOf([Buffer.from("{}\n"), big, Buffer.from("\nok\n")], {
      needle: Buffer.from("123"),
    });
    expect(prescanned).toEqual([
      frames([], { skipped: 1 }),
      expected[1],
      frames([[3, "ok"]], { skipped: 0 }),
    ]);
  });

  it("a line of exactly 16 MiB is kept", async () => {
    const got = await itemsOf([Buffer.alloc(MAX_LINE_BYTES, 0x78), Buffer.from("\n")]);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ kind: "frames", lineNumbers: [1] });
    expect((got[0] as { frames: string[] }).frames[0]).toHaveLength(MAX_LINE_BYTES);
  });
});

describe("recording: how reading ends", () => {
  it("a stop ends the read while the writer is silent, dropping the unfinished line", async () => {
    const input = new Readable({ read() {} });
    input.push("a\nunfinished");
    const stop = new AbortController();
    const got: SourceItem[] = [];
    for await (const item of open(input).items(stop.signal)) {
      got.push(item);
      stop.abort();
    }
    expect(got).toEqual([frames([[1, "a"]])]);
    expect(input.destroyed).toBe(true);
  });

  it.each([
    ["while the reader handles a line", (stop: AbortController) => stop.abort()],
    ["while a read waits", (stop: AbortController) => setImmediate(() => stop.abort())],
  ])("a stop ends the read of a FIFO whose writer is silent: %s", async (_name, abort) => {
    const dir = mkdtempSync(join(tmpdir(), "scantail-fifo-"));
    const fifo = join(dir, "feed.fifo");
    expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
    // Read-write: opening does not wait for a reader, and this end keeps the FIFO open.
    const writer = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    try {
      writeSync(writer, "a\nb");
      const stop = new AbortController();
      const got: SourceItem[] = [];
      for await (const item of open(createReadStream(fifo)).items(stop.signal)) {
        got.push(item);
        abort(stop);
      }
      expect(got).toEqual([frames([[1, "a"]])]);
    } finally {
      closeSync(writer);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("a reader that stops early without a stop ends the stream", async () => {
    const input = new Readable({ read() {} });
    input.push("a\nb\n");
    for await (const item of open(input).items(new AbortController().signal)) {
      expect(item).toEqual(
        frames([
          [1, "a"],
          [2, "b"],
        ]),
      );
      break;
    }
    expect(input.destroyed).toBe(true);
  });

  it("a stop given before reading begins reads nothing", async () => {
    const stop = new AbortController();
    stop.abort();
    for (const options of [{}, { needle: Buffer.from("123") }, { speed: 1 }]) {
      const got: SourceItem[] = [];
      const source = open([Buffer.from('{"s":"123"}\n'), Buffer.from("b\n")], options);
      for await (const item of source.items(stop.signal)) got.push(item);
      expect(got).toEqual([]);
    }
  });

  it("a read error is passed on", async () => {
    const input = new Readable({
      read() {
        this.destroy(Object.assign(new Error("EIO: i/o error, read"), { syscall: "read" }));
      },
    });
    const stop = new AbortController();
    const read = async () => {
      for await (const _ of open(input).items(stop.signal));
    };
    await expect(read()).rejects.toThrow("EIO: i/o error, read");
    expect(getEventListeners(stop.signal, "abort")).toEqual([]);
  });

  it("leaves no listener on the stop signal once the recording is read", async () => {
    const stop = new AbortController();
    const input = Readable.from([Buffer.from("a\n")]);
    for await (const _ of open(input).items(stop.signal));
    expect(getEventListeners(stop.signal, "abort")).toEqual([]);
  });

  it("reads a file from disk, CRLF and all", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scantail-rec-"));
    try {
      const file = join(dir, "r.ndjson");
      writeFileSync(file, '\ufeff{"a":1}\r\n\r\n{"b":2}');
      const got = await itemsOf(createReadStream(file, { highWaterMark: 4 }));
      expect(got.flatMap((item) => (item.kind === "frames" ? item.frames : []))).toEqual([
        '{"a":1}',
        "",
        '{"b":2}',
      ]);
      expect(got.flatMap((item) => (item.kind === "frames" ? item.lineNumbers! : []))).toEqual([
        1, 2, 3,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("recording: the byte pre-scan decodes exactly the lines that may matter", () => {
  const needle = scanNeedle({ serial: ["AB123"] })!;
  const decoded = "decoded";
  const skipped = "skipped";
  const blank = "blank";
  it.each([
    ['{"device_serial":"AB123"}', decoded],
    ['{"device_serial":"ab123"}', decoded],
    // An escape that spells one of the needle's characters: the value may match.
    ['{"device_serial":"AB\\u0031\\u00323"}', decoded],
    ['{"device_serial":"AB\\u00312\\u0033"}', decoded],
    // Escapes of other characters cannot spell the needle.
    ['{"x":"\\u0041"}', skipped],
    ['{"x":"a\\nb\\t\\"c\\"\\\\"}', skipped],
    ['{"x":"\\u00e9\\u0041"}', skipped],
    ['{"x":"\\u00C9\\u00Ff"}', skipped],
    // A broken escape is no JSON: decoded, so that it is reported.
    ['{"x":"\\uZ041"}', decoded],
    ['{"x":"\\u0Z41"}', decoded],
    ['{"x":"\\u00Z1"}', decoded],
    ['{"x":"\\u004Z"}', decoded],
    ['{"x":"\\q"}', decoded],
    // Lines shaped like an object, without the needle: passed over, and counted.
    ['{"a":1}', skipped],
    [' \t{"a":1}\t ', skipped],
    ['\r{"a":1}\r', skipped],
    ['{"a":1}\r\r', skipped],
    // Anything else is decoded, so that a broken line is reported whatever the filter.
    ["garbage", decoded],
    ['{"a":1', decoded],
    ['"a":1}', decoded],
    [" [1] ", decoded],
    ["", blank],
    ["   ", blank],
    ["\t", blank],
    [" \t\r", blank],
    ["  \r\r", blank],
  ])("%j is %s", async (line, fate) => {
    const got = await itemsOf([Buffer.from(`${line}\r\n`)], { needle });
    const text = line.replace(/\r$/, "");
    if (fate === decoded) expect(got).toEqual([frames([[1, text]], { skipped: 0 })]);
    else if (fate === skipped) expect(got).toEqual([frames([], { skipped: 1 })]);
    else expect(got).toEqual([]);
  });

  it("an escaped slash counts when the needle has a slash", async () => {
    const slashed = scanNeedle({ serial: ["AB12/3"] })!;
    expect(slashed.toString()).toBe("12/3");
    const lines = ['{"s":"AB12\\/3"}', '{"s":"\\/"}', '{"s":"\\n"}'];
    expect(await itemsOf([Buffer.from(`${lines.join("\n")}\n`)], { needle: slashed })).toEqual([
      frames(
        [
          [1, lines[0]!],
          [2, lines[1]!],
        ],
        { skipped: 1 },
      ),
    ]);
  });

  it("lines of one chunk are each judged on their own bytes", async () => {
    const lines = [
      '"123"',
      '{"s":"456"}',
      '"\\u0031"',
      '{"s":"x"}',
      "",
      "oops",
      '{"s":"123"}',
      '{"s":"789"}',
    ];
    for (const first of [[], ['{"s":"\\u0031"}'], ["\\u0031"], ["x123"]]) {
      const all = [...first, ...lines];
      const expected = all
        .map((line, i) => [i + 1, line] as [number, string])
        .filter(([, line]) => /123|\\u0031|oops/.test(line));
      expect(await itemsOf([Buffer.from(`${all.join("\n")}\n`)], { needle })).toEqual([
        frames(expected, { skipped: all.length - expected.length - 1 }),
      ]);
    }
  });

  it.each<[string, string, unknown[]]>([
    [
      "frames and passed-over lines before an oversized line come first",
      '{"s":"123"}\n{"a":1}\nxxxxxxxxxxxxxxxxxx\n{"s":"123"}\n',
      [
        frames([[1, '{"s":"123"}']], { skipped: 1 }),
        tooLong(3, 18),
        frames([[4, '{"s":"123"}']], { skipped: 0 }),
      ],
    ],
    [
      "only passed-over lines before it",
      '{"a":1}\nxxxxxxxxxxxxxxxxxx\n',
      [frames([], { skipped: 1 }), tooLong(2, 18)],
    ],
    ["nothing before it", "xxxxxxxxxxxxxxxxxx\n\n", [tooLong(1, 18)]],
    ["a batch of blank lines yields nothing", "\n  \n\t\n", []],
  ])("%s", async (_name, text, expected) => {
    expect(await itemsOf([Buffer.from(text)], { needle, maxLineBytes: 12 })).toEqual(expected);
  });

  it("passes --strict's choice on: frames may be text-prechecked only when allowed", async () => {
    for (const textPrecheck of [true, false]) {
      expect(await itemsOf([Buffer.from("a123\n")], { needle, textPrecheck })).toEqual([
        frames([[1, "a123"]], { skipped: 0, textPrecheck }),
      ]);
      expect(await itemsOf([Buffer.from("a123\n")], { textPrecheck })).toEqual([
        frames([[1, "a123"]], { textPrecheck }),
      ]);
    }
  });
});

describe("recording: scanNeedle", () => {
  it.each<[string, Record<string, string[]>, string | undefined]>([
    ["the longest case-free run", { serial: ["12345AB67"] }, "12345"],
    ["the first of equally long runs", { serial: ["123AB456"] }, "123"],
    ["a run of exactly three", { serial: ["AB123"] }, "123"],
    ["the last seven bytes of a long run", { serial: ["1234567890"] }, "4567890"],
    ["a slash is a literal byte", { serial: ["AB12/3"] }, "12/3"],
    ["the longest over all lists", { serial: ["AB123"], station: ["Dock 4567"] }, " 4567"],
    ["a gateway", { gateway: ["GW-0001"] }, "-0001"],
    ["a quote would be escaped", { serial: ['12"345'] }, undefined],
    ["a backslash would be escaped", { serial: ["12\\345"] }, undefined],
    ["a quoted run is dropped, the other kept", { serial: ['12"345AB678'] }, "678"],
    ["letters only", { eventType: ["scan"] }, undefined],
    ["two patterns", { serial: ["AB123,CD456"] }, undefined],
  ])("%s", (_name, filters, expected) => {
    expect(scanNeedle(filters)?.toString()).toBe(expected);
  });
});

describe("recording: paced by time_created", () => {
  const events = [
    '{"time_created":1000}',
    "garbage",
    '{"time_created" : 3000}',
    '{"time_created": 2000}',
    "x".repeat(40),
    '{"time_created":7000.25}',
  ];

  it("waits for each event's time, scaled by speed; other lines and problems pass at once", async () => {
    let clock = 50_000;
    const waits: number[] = [];
    const got = await itemsOf([Buffer.from(`${events.join("\n")}\n`)], {
      speed: 2,
      maxLineBytes: 30,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    expect(got).toEqual([
      frames([[1, events[0]!]]),
      frames([[2, "garbage"]]),
      frames([[3, events[2]!]]),
      frames([[4, events[3]!]]),
      tooLong(5, 40),
      frames([[6, events[5]!]]),
    ]);
    // 3000 is 1000 ms after the start at speed 2; 2000 is already due; 7000.25 is
    // 3000.125 ms after the start, and 1000 ms have passed.
    expect(waits).toEqual([1000, 2000.125]);
  });

  it("reads every line, never the pre-scan, and keeps the text-precheck choice", async () => {
    for (const textPrecheck of [true, false]) {
      const got = await itemsOf([Buffer.from('{"a":1}\n{"s":"123"}\n')], {
        speed: 1,
        needle: Buffer.from("123"),
        textPrecheck,
      });
      expect(got).toEqual([
        frames([[1, '{"a":1}']], { textPrecheck }),
        frames([[2, '{"s":"123"}']], { textPrecheck }),
      ]);
    }
  });

  it("a stop during a wait ends the replay", async () => {
    const stop = new AbortController();
    const signals: AbortSignal[] = [];
    const source = open([Buffer.from(`${events.join("\n")}\n`)], {
      speed: 1,
      maxLineBytes: 100,
      now: () => 0,
      sleep: async (_ms, signal) => {
        signals.push(signal);
        stop.abort();
      },
    });
    const got: SourceItem[] = [];
    for await (const item of source.items(stop.signal)) got.push(item);
    expect(got).toEqual([frames([[1, events[0]!]]), frames([[2, "garbage"]])]);
    expect(signals).toEqual([stop.signal]);
  });
});
