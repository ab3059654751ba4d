import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { plainChalk } from "../../src/format/color.js";
import { createRenderer, FORMAT_NAMES, type FormatName } from "../../src/format/registry.js";
import { openRecording } from "../../src/sources/recording.js";
import { makeContext, runCli } from "../helpers/context.js";
import { event, startTestServer } from "../helpers/ws-server.js";

/*
 * Bugs once planted in scantail that the suite let through; each test here fails with
 * its bug back in.
 */
const ev = {
  event_id: "e1",
  event_type: "scan",
  time_created: 1_700_000_000_000,
  time_received: 1_700_000_000_250,
  scan_code: "4006381333931",
  scan_decode_symbology: "EAN-13",
  device_serial: "M2SR121103132",
  device_battery: 87,
  customer_gateway_station: "Dock 1",
};

async function render(name: FormatName, rows = 30, isTTY = false): Promise<string> {
  const renderer = await createRenderer(name, {
    chalk: plainChalk,
    isTTY,
    columns: 120,
    rows,
    time: "utc",
    now: () => 1_700_000_001_000,
    header: true,
    wide: false,
    template: "{{serial}}|{{code}}",
  });
  const text = JSON.stringify(ev);
  return renderer.render(ev, text) + (renderer.finish?.() ?? "");
}

describe("the registry loads each format's own renderer", () => {
  const signatures: Record<FormatName, RegExp> = {
    pretty: /^\d{4}-\d\d-\d\dT[\d:.]+Z {2}M2SR121103132 .*4006381333931\n$/,
    table: /^TIME +SERIAL +SYMBOLOGY +CODE/,
    ndjson: /^\{"event_id":"e1",.*\}\n$/,
    devices: /SERIAL/,
    csv: /^time,serial,symbology,code,station,gateway,battery\r\n/,
    tsv: /^time\tserial\tsymbology\tcode\tstation\tgateway\tbattery\n/,
    template: /^M2SR121103132\|4006381333931\n$/,
  };
  it.each(FORMAT_NAMES)("%s", async (name) => {
    expect(await render(name)).toMatch(signatures[name]);
  });
});

describe("the table header comes back once per screenful on a terminal", () => {
  it.each([
    [10, 8],
    [24, 22],
  ])("with %d rows: a header, then %d rows", async (rows, perScreen) => {
    const renderer = await createRenderer("table", {
      chalk: plainChalk,
      isTTY: true,
      columns: 120,
      rows,
      time: "utc",
      now: () => 0,
      header: true,
      wide: false,
    });
    let out = "";
    for (let i = 0; i < perScreen * 3; i++) out += renderer.render(ev, "");
    const lines = out.trimEnd().split("\n");
    const headers = lines.flatMap((l, i) => (l.startsWith("TIME") ? [i] : []));
    expect(headers).toEqual([0, perScreen + 1, 2 * (perScreen + 1)]);
  });
});

describe("replay --speed paces by time_created", () => {
  it("asks to wait the gap divided by the speed", async () => {
    const lines = [0, 1000, 3000, 3000, 10_000].map((dt, i) =>
      JSON.stringify({ event_id: `p${i}`, time_created: 1_700_000_000_000 + dt }),
    );
    let now = 0;
    const waits: number[] = [];
    const source = openRecording({
      input: Readable.from([Buffer.from(`${lines.join("\n")}\n`)]),
      speed: 10,
      textPrecheck: false,
      now: () => now,
      sleep: async (ms) => {
        waits.push(ms);
        now += ms;
      },
    });
    const frames: string[] = [];
    for await (const item of source.items(new AbortController().signal)) {
      if (item.kind === "frames") frames.push(...(item.frames as string[]));
    }
    expect(frames).toHaveLength(5);
    expect(waits).toEqual([100, 200, 700]);
  });
});

describe("live frames go to stdout as received", () => {
  it("keeps the server's own spelling of every value", async () => {
    const frames = [
      '{"event_id":"a","n":1.50,"e":1E3,"s":"\\u00e9\\/x","big":12345678901234567890}',
      JSON.stringify(event({ event_id: "b" })),
    ];
    const server = await startTestServer({
      onConnection: (ws) => {
        for (const f of frames) ws.send(f);
      },
    });
    const r = await runCli(
      ["--url", server.url, "-o", "ndjson", "-n", "2"],
      makeContext({ env: { SCANTAIL_TOKEN: "t" } }),
    );
    await server.close();
    expect(r.stdout).toBe(`${frames.join("\n")}\n`);
  });
});
