import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import stringWidth from "string-width";
import { afterAll, describe, expect, it } from "vitest";
import { sanitize } from "../../src/util/sanitize.js";

/*
 * Drives the real binary in a real terminal (tmux) and asserts on the screen as a person
 * sees it: colours present, columns aligned, nothing wrapped, the screen restored.
 * Screens are captured with -J: a row the terminal wrapped comes back as one line wider
 * than the terminal (without -J it would look like two short ones and pass).
 * Waits poll the pane until the text appears: other work may be slowing the machine.
 */
const BIN = join(import.meta.dirname, "../../bin/scantail.js");
const SOCKET = `scantail-test-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const configDir = mkdtempSync(join(tmpdir(), "scantail-tmux-"));
const WAIT_MS = 60_000;
let sessions = 0;

function start(command: string, columns = 120, rows = 30): string {
  const name = `s${++sessions}`;
  tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    String(columns),
    "-y",
    String(rows),
    `env TERM=xterm-256color COLORTERM= NO_COLOR= FORCE_COLOR= SCANTAIL_CONFIG_DIR=${configDir} ${command}; echo "[exit $?]"; sleep 120`,
  );
  return name;
}
/** The screen with wrapped rows joined; `history` adds what scrolled off the top. */
const screen = (name: string, { colours = false, history = false } = {}) =>
  tmux(
    "capture-pane",
    "-p",
    "-J",
    ...(colours ? ["-e"] : []),
    ...(history ? ["-S", "-"] : []),
    "-t",
    name,
  );
const alternateScreen = (name: string) =>
  tmux("display-message", "-p", "-t", name, "#{alternate_on}").trim();

async function until(name: string, test: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const text = screen(name, { history: true });
    if (test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const finished = (name: string, code = 0) =>
  until(name, (t) => t.includes(`[exit ${code}]`), `exit ${code}`);

/**
 * No line of the output wider than the terminal (a wrapped row, joined by -J, would be).
 * The closing summary on stderr is not the format's: it is left out here.
 */
function expectFits(text: string, columns: number): void {
  const summary = text.indexOf("\nscantail: ");
  const output = summary === -1 ? text : text.slice(0, summary);
  for (const line of output.split("\n"))
    expect(stringWidth(line.trimEnd()), line).toBeLessThanOrEqual(columns);
}

/** The text of `line` from display column `column` on (CJK takes two cells). */
function fromColumn(line: string, column: number): string {
  let used = 0;
  let at = 0;
  for (const ch of line) {
    if (used >= column) break;
    used += stringWidth(ch);
    at += ch.length;
  }
  return line.slice(at);
}

afterAll(() => {
  try {
    tmux("kill-server");
  } catch {
    // Already gone.
  }
});

/*
 * A recording with what cuts or wraps: long codes (a GS1 element string with a group
 * separator, a URL, 150 characters, CJK), long station and gateway names, EAN-13s.
 */
const LONG_STATIONS = [
  "Wareneingang Halle Nord, Rampe 17 (Kühlbereich)",
  "第二物流センター 出荷場 ゲート七",
];
const GATEWAYS = ["Inbound Gateway Kühlhaus Nord-Ost 2", "出荷ゲートウェイ 七号機 (予備)"];
const CODES = [
  "4006381333931",
  "0104006381000003172911051012345678901234\u001d21ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
  "5012345678900",
  "条码条码条码条码条码条码条码条码条码条码",
  "00340123450000000018",
  "https://id.gs1.org/01/04006381333931/10/ABC123/21/SERIAL-NUMBER-0001?linkType=all",
  "8712345678906",
  `LONG-${"0123456789".repeat(15)}`,
  "7612345678900",
];
const EANS = CODES.filter((c) => /^\d{13}$/.test(c));
const recordingEvents = CODES.map((code, i) => ({
  event_type: "scan",
  event_id: `e${i}`,
  time_created: 1_780_000_000_000 + i * 1500,
  time_received: 1_780_000_000_120 + i * 1500,
  scan_code: code,
  scan_decode_symbology: /^\d{13}$/.test(code) ? "EAN-13" : "QR CODE",
  device_serial: `M3AR13655723${i}`,
  device_model: "MARK 3",
  device_battery: 20 + i * 9,
  configuration_profile_id: "profile_inbound_cold_storage_with_a_long_name",
  // Some events carry only a gateway name: the table then shows it whole too.
  ...(i % 3 === 2 ? {} : { customer_gateway_station: LONG_STATIONS[i % LONG_STATIONS.length] }),
  customer_gateway_name: GATEWAYS[i % GATEWAYS.length],
}));
const recording = join(configDir, "long-values.ndjson");
writeFileSync(recording, `${recordingEvents.map((e) => JSON.stringify(e)).join("\n")}\n`);
const shownCodes = CODES.map((c) => sanitize(c));

const TIME_PATTERNS = {
  local: /^\d\d:\d\d:\d\d\.\d{3} /,
  utc: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /,
  relative: /^[+-]\d\d:\d\d\.\d{3} /,
  epoch: /^\d{13} /,
} as const;
const TIME_MODES = Object.keys(TIME_PATTERNS) as Array<keyof typeof TIME_PATTERNS>;
const SIZES = [
  [120, 30],
  [80, 24],
  [60, 10],
] as const;

describe("in a real terminal (tmux)", () => {
  it("pretty: coloured, aligned lines that never wrap (120×30)", async () => {
    const s = start(`node ${BIN} demo --seed 4 --rate 40 -n 20`);
    const text = await finished(s);
    expect(screen(s, { colours: true })).toMatch(/\u001b\[38;5;\d+m/); // serial colours
    const events = text.split("\n").filter((l) => /^\d\d:\d\d:\d\d\.\d{3} {2}/.test(l));
    expect(events).toHaveLength(20);
    // Every column starts at the same cell on every line; the code is last and free.
    const starts = events.map((l) =>
      [...l.matchAll(/ {2,}(?=\S)/g)].slice(0, 3).map((m) => m.index! + m[0].length),
    );
    for (const s2 of starts) expect(s2).toEqual(starts[0]);
    expectFits(text, 120);
    expect(text).toMatch(/20 received, 20 shown/);
  });

  it.each(SIZES)(
    "pretty at %i×%i: long codes whole, continued under the code column",
    async (columns, rows) => {
      const s = start(`node ${BIN} replay ${recording}`, columns, rows);
      const text = await finished(s);
      expectFits(text, columns);
      // Each event line and the lines continuing its code (indented under the code).
      const lines = text.split("\n");
      const codes: string[] = [];
      for (let i = 0; i < lines.length; i++) {
        if (!TIME_PATTERNS.local.test(lines[i]!)) continue;
        const more: string[] = [];
        while (/^ +\S/.test(lines[i + 1 + more.length] ?? ""))
          more.push(lines[i + 1 + more.length]!);
        if (more.length === 0) {
          const expected = shownCodes[codes.length]!;
          expect(lines[i]!.trimEnd().endsWith(` ${expected}`), lines[i]).toBe(true);
          codes.push(expected);
          continue;
        }
        const indent = more[0]!.length - more[0]!.trimStart().length;
        for (const line of more) expect(line.length - line.trimStart().length).toBe(indent);
        codes.push(
          fromColumn(lines[i]!, indent).trimEnd() +
            more.map((l) => l.slice(indent).trimEnd()).join(""),
        );
      }
      expect(codes).toEqual(shownCodes);
    },
  );

  it.each(SIZES.flatMap(([c, r]) => TIME_MODES.map((t) => [c, r, t] as const)))(
    "table at %i×%i, --time %s: header aligned, nothing wider than the terminal, EAN-13 whole",
    async (columns, rows, time) => {
      const s = start(`node ${BIN} replay ${recording} -o table --time ${time}`, columns, rows);
      const text = await finished(s);
      expectFits(text, columns);
      const lines = text.split("\n");
      const header = lines.find((l) => l.startsWith("TIME"))!;
      expect(header, text).toBeDefined();
      const rowLines = lines.filter((l) => TIME_PATTERNS[time].test(l));
      expect(rowLines).toHaveLength(CODES.length);
      const codeColumn = stringWidth(header.slice(0, header.indexOf("CODE")));
      const columnOf = (line: string, cell: string) =>
        stringWidth(line.slice(0, line.indexOf(cell)));
      for (const ean of EANS) {
        const row = rowLines.find((l) => l.includes(ean));
        expect(row, `${ean} whole`).toBeDefined();
        expect(columnOf(row!, ean)).toBe(codeColumn);
      }
      // Every row's cells start under their header (the time column is whole).
      const secondColumn = stringWidth(header.slice(0, header.indexOf("SERIAL")));
      for (const row of rowLines) expect(columnOf(row, "M3AR")).toBe(secondColumn);
    },
  );

  it("table: a header, rows under it, wide Unicode (CJK, emoji) not breaking alignment", async () => {
    const file = join(configDir, "wide.ndjson");
    const codes = ["ASCII-CODE-123", "条码条码条码", "📦📦 box 📦", "Ünïcödé", "a\u001b[31mred"];
    writeFileSync(
      file,
      codes
        .map((code, i) =>
          JSON.stringify({
            event_id: `e${i}`,
            time_created: 1_700_000_000_000 + i,
            time_received: 1_700_000_000_100 + i,
            scan_code: code,
            scan_decode_symbology: "QR CODE",
            device_serial: `M2SR12110313${i}`,
            customer_gateway_station: i % 2 ? "站点 2" : "Station 1",
            device_battery: 50,
          }),
        )
        .join("\n"),
    );
    const s = start(`node ${BIN} replay ${file} -o table --time utc`);
    const text = await finished(s);
    const lines = text.split("\n");
    const header = lines.find((l) => l.startsWith("TIME"))!;
    expect(header).toBeDefined();
    const rows = lines.filter((l) => l.startsWith("2023-"));
    expect(rows).toHaveLength(5);
    const stationCell = stringWidth(header.slice(0, header.indexOf("STATION")));
    const battCell = stringWidth(header.slice(0, header.indexOf("BATT")));
    for (const row of rows) {
      const at = Math.max(row.indexOf("Station 1"), row.indexOf("站点 2"));
      expect(stringWidth(row.slice(0, at)), row).toBe(stationCell);
      expect(stringWidth(row.slice(0, row.indexOf("50%"))) + 3, row).toBe(battCell + 4);
    }
    expectFits(text, 120);
    // The escape sequence in a code is shown, not executed.
    expect(text).toContain("a\\e[31mred");
    expect(screen(s, { colours: true })).not.toContain("\u001b[31mred");
  });

  it.each(SIZES)(
    "devices at %i×%i: the title and rows fit, q quits with the final table",
    async (columns, rows) => {
      const s = start(`node ${BIN} demo --seed 9 --rate 60 --devices 6 -o devices`, columns, rows);
      const live = await until(
        s,
        (t) => /6 devices, \d+ scans/.test(t) && t.split("\n").filter(isDeviceRow).length === 6,
        "the devices view with 6 rows",
      );
      expect(alternateScreen(s)).toBe("1");
      const lines = live.split("\n");
      // The title is the first line, whole and 24-hour, and the header right under it.
      expect(lines[0]).toMatch(/6 devices, \d+ scans {2}\d\d:\d\d:\d\d · q/);
      expect(lines[1]).toMatch(/^SERIAL +(MODEL +)?STATION/); // MODEL when values leave room
      expectFits(live, columns);
      tmux("send-keys", "-t", s, "q");
      const after = await finished(s);
      expect(alternateScreen(s)).toBe("0");
      expect(after.split("\n").filter((l) => l.startsWith("SERIAL"))).toHaveLength(1);
      expect(after.split("\n").filter(isDeviceRow)).toHaveLength(6);
      expectFits(after, columns);
    },
  );

  it("devices: redraws in place, then Ctrl-C restores the screen and leaves the final table", async () => {
    const s = start(`node ${BIN} demo --seed 9 --rate 60 --devices 6 -o devices`);
    const live = await until(
      s,
      (t) => t.includes("scantail devices") && /6 devices/.test(t),
      "the devices view",
    );
    expect(alternateScreen(s)).toBe("1");
    const header = live.split("\n").find((l) => l.startsWith("SERIAL"))!;
    // The simulated fleet depends on the seed and the wall clock; with short names there
    // is room for MODEL too. The essential columns are there, in this order, either way.
    expect(header).toMatch(
      /SERIAL\s+(MODEL\s+)?STATION \/ GATEWAY\s+LAST CODE\s+SYMBOLOGY\s+SCANS\s+\/MIN\s+BATT/,
    );
    const rows = live.split("\n").filter(isDeviceRow);
    expect(rows).toHaveLength(6);
    // Station and gateway are whole at 120 columns.
    expect(live).toMatch(
      /(Inbound Dock 1 \/ Inbound Gateway 1|Picking Zone A \/ Picking Gateway 1)/,
    );
    const scansCol = stringWidth(header.slice(0, header.indexOf("SCANS") + 5));
    for (const row of rows) {
      // SCANS is right-aligned: its last digit sits under the header's last letter.
      expect(row.slice(0, scansCol)).toMatch(/\d$/);
    }
    expectFits(live, 120);
    expect(screen(s, { colours: true })).toMatch(/\u001b\[1m/); // bold (header / codes)
    tmux("send-keys", "-t", s, "C-c");
    const after = await finished(s, 130);
    expect(alternateScreen(s)).toBe("0");
    expect(after.split("\n").filter((l) => l.startsWith("SERIAL")).length).toBe(1);
    expect(after).toMatch(/received, \d+ shown/);
  });

  it("login asks on the terminal and never echoes the password", async () => {
    const s = start(
      `node ${BIN} login --base-url http://127.0.0.1:9 --customer 42 --username someone@example.com`,
    );
    await until(s, (t) => t.includes("password:"), "the password prompt");
    tmux("send-keys", "-t", s, "-l", "hunter2-secret");
    tmux("send-keys", "-t", s, "Enter");
    const text = await until(s, (t) => /\[exit \d+\]/.test(t), "login to finish");
    expect(text).not.toContain("hunter2-secret");
    expect(text).toMatch(/auth-information failed|does not resolve|127\.0\.0\.1/);
    expect(text).toContain("[exit 1]");
  });
});

function isDeviceRow(line: string): boolean {
  return /^(M2SR|M3AR|MDSR|MBSR|LEOR)\d{9} /.test(line);
}

/** Runs the binary with stdout to a file or a pipe: whatever COLUMNS says, nothing is cut. */
function offTerminal(args: string, through: "file" | "pipe"): string {
  const out = join(configDir, `out-${++sessions}.txt`);
  const command =
    through === "file" ? `node ${BIN} ${args} > ${out}` : `node ${BIN} ${args} | cat > ${out}`;
  const result = spawnSync("sh", ["-c", command], {
    env: { ...process.env, COLUMNS: "60", SCANTAIL_CONFIG_DIR: configDir, NO_COLOR: "1" },
    encoding: "utf8",
  });
  expect(result.status, result.stderr).toBe(0);
  return readFileSync(out, "utf8");
}

describe("on a pipe or in a file every value is whole", () => {
  const wholeValues = (text: string, { gateways }: { gateways: boolean }) => {
    expect(text).not.toContain("…");
    for (const code of shownCodes) expect(text).toContain(code);
    for (const station of LONG_STATIONS) expect(text).toContain(station);
    if (gateways) for (const gateway of GATEWAYS) expect(text).toContain(gateway);
  };

  it.each(TIME_MODES)("replay -o table --time %s > file", (time) => {
    const text = offTerminal(`replay ${recording} -o table --time ${time}`, "file");
    wholeValues(text, { gateways: true });
    const lines = text.trimEnd().split("\n");
    expect(lines.filter((l) => TIME_PATTERNS[time].test(l))).toHaveLength(CODES.length);
    // Aligned: every code starts under CODE.
    const codeColumn = stringWidth(lines[0]!.slice(0, lines[0]!.indexOf("CODE")));
    for (const [i, code] of shownCodes.entries())
      expect(stringWidth(lines[i + 1]!.slice(0, lines[i + 1]!.indexOf(code)))).toBe(codeColumn);
  });

  it.each(TIME_MODES)("replay -o pretty --time %s | cat", (time) => {
    wholeValues(offTerminal(`replay ${recording} -o pretty --time ${time}`, "pipe"), {
      gateways: true,
    });
  });

  it("replay -o devices | cat", () => {
    const text = offTerminal(`replay ${recording} -o devices`, "pipe");
    wholeValues(text, { gateways: true });
    expect(text).toContain("profile_inbound_cold_storage_with_a_long_name");
    // Last seen by the recording's clock (its events span 12 s), not months ago.
    expect(text).toMatch(/ just now$/m);
    expect(text).not.toMatch(/\dd ago/);
  });

  it("demo -o devices | cat: a row per device, nothing cut", () => {
    const text = offTerminal("demo --seed 9 --rate 500 --devices 6 -n 200 -o devices", "pipe");
    expect(text).not.toContain("…");
    expect(text.split("\n").filter(isDeviceRow)).toHaveLength(6);
  });
});
