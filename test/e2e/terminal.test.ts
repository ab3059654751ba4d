import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import stringWidth from "string-width";
import { afterAll, describe, expect, it } from "vitest";

/*
 * Drives the real binary in a real terminal (tmux, 120×30) and asserts on the screen as a
 * person sees it: colours present, columns aligned, nothing wrapped, the screen restored.
 */
const BIN = join(import.meta.dirname, "../../bin/scantail.js");
const SOCKET = `scantail-test-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const configDir = mkdtempSync(join(tmpdir(), "scantail-tmux-"));
let sessions = 0;

function start(command: string): string {
  const name = `s${++sessions}`;
  tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    "120",
    "-y",
    "30",
    `env TERM=xterm-256color COLORTERM= NO_COLOR= FORCE_COLOR= SCANTAIL_CONFIG_DIR=${configDir} ${command}; echo "[exit $?]"; sleep 60`,
  );
  return name;
}
const screen = (name: string, colours = false) =>
  tmux("capture-pane", "-p", ...(colours ? ["-e"] : []), "-t", name);

async function until(name: string, test: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = screen(name);
    if (test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

afterAll(() => {
  try {
    tmux("kill-server");
  } catch {
    // Already gone.
  }
});

describe("in a real terminal (tmux 120×30)", () => {
  it("pretty: coloured, aligned lines that never wrap", async () => {
    const s = start(`node ${BIN} demo --seed 4 --rate 40 -n 20`);
    const text = await until(s, (t) => t.includes("[exit 0]"), "the demo to finish");
    const coloured = screen(s, true);
    expect(coloured).toMatch(/\u001b\[38;5;\d+m/); // serial colours (256-colour terminal)
    const events = text.split("\n").filter((l) => /^\d\d:\d\d:\d\d\.\d{3} {2}/.test(l));
    expect(events).toHaveLength(20);
    // Every column starts at the same cell on every line; the code is last and free.
    const starts = events.map((l) =>
      [...l.matchAll(/ {2,}(?=\S)/g)].slice(0, 3).map((m) => m.index! + m[0].length),
    );
    for (const s2 of starts) expect(s2).toEqual(starts[0]);
    for (const line of events) expect(stringWidth(line)).toBeLessThanOrEqual(120);
    expect(text).toMatch(/20 received, 20 shown/);
  });

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
    const text = await until(s, (t) => t.includes("[exit 0]"), "the replay to finish");
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
      expect(stringWidth(row)).toBeLessThanOrEqual(120);
    }
    // The escape sequence in a code is shown, not executed.
    expect(text).toContain("a\\e[31mred");
    expect(screen(s, true)).not.toContain("\u001b[31mred");
  });

  it("devices: redraws in place, then Ctrl-C restores the screen and leaves the final table", async () => {
    const s = start(`node ${BIN} demo --seed 9 --rate 60 --devices 6 -o devices`);
    const live = await until(
      s,
      (t) => t.includes("scantail devices") && /6 devices/.test(t),
      "the devices view",
    );
    expect(tmux("display-message", "-p", "-t", s, "#{alternate_on}").trim()).toBe("1");
    const header = live.split("\n").find((l) => l.startsWith("SERIAL"))!;
    expect(header).toMatch(
      /SERIAL\s+MODEL\s+STATION \/ GATEWAY\s+LAST CODE\s+SYMBOLOGY\s+SCANS\s+\/MIN\s+BATT/,
    );
    const rows = live.split("\n").filter((l) => /^(M2SR|M3AR|MDSR|MBSR|LEOR)\d{9} /.test(l));
    expect(rows).toHaveLength(6);
    const scansCol = stringWidth(header.slice(0, header.indexOf("SCANS") + 5));
    for (const row of rows) {
      expect(stringWidth(row)).toBeLessThanOrEqual(120);
      // SCANS is right-aligned: its last digit sits under the header's last letter.
      const cells = row.slice(0, scansCol);
      expect(cells).toMatch(/\d$/);
    }
    expect(screen(s, true)).toMatch(/\u001b\[1m/); // bold (header / codes)
    tmux("send-keys", "-t", s, "C-c");
    const after = await until(s, (t) => t.includes("[exit 130]"), "exit after Ctrl-C");
    expect(tmux("display-message", "-p", "-t", s, "#{alternate_on}").trim()).toBe("0");
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
    expect(text).toMatch(/auth-information failed/);
    expect(text).toContain("[exit 1]");
  });
});
