import { latencyOf, num, type ScanEvent, str } from "../events/event.js";
import { formatAgo } from "../util/duration.js";
import { sanitize } from "../util/sanitize.js";
import { serialColor } from "./color.js";
import { batteryCell, latencyCell } from "./columns.js";
import type { DeviceSort } from "./names.js";
import type { FormatOptions, Renderer } from "./registry.js";

const MAX_DEVICES = 10_000;
const LATENCY_SAMPLES = 200;
const RATE_WINDOW_MS = 60_000;

export interface DeviceRow {
  serial: string;
  model: string;
  gateway: string;
  station: string;
  lastCode: string;
  symbology: string;
  scans: number;
  battery?: number;
  firmware: string;
  profile: string;
  lastLatency?: number;
  latencies: number[];
  /** Event times (ms) within the last minute, for the per-minute rate. */
  recent: number[];
  lastSeen: number;
}

/**
 * Stored display strings are cut: a hostile feed can send megabyte-long serials or
 * codes, and 10 000 rows of them must stay small. Longer than any real value (a serial
 * has at most 128 characters).
 */
const MAX_TEXT = 256;
/** Codes may be long (a QR code holds up to 4296 letters); they are kept whole up to that. */
const MAX_CODE = 4296;
const cut = (text: string | undefined, max = MAX_TEXT): string | undefined =>
  text !== undefined && text.length > max ? `${text.slice(0, max)}…` : text;

/** The per-device view model: pure, bounded, testable without a terminal. */
export class DeviceTable {
  readonly rows = new Map<string, DeviceRow>();
  total = 0;
  /** Newest event time seen (the clock of a replay). */
  latest = 0;

  add(event: ScanEvent, seenAt: number): DeviceRow {
    const serial = cut(str(event.device_serial)) ?? "(no serial)";
    let row = this.rows.get(serial);
    if (!row) {
      if (this.rows.size >= MAX_DEVICES) this.evict();
      row = {
        serial,
        model: "",
        gateway: "",
        station: "",
        lastCode: "",
        symbology: "",
        scans: 0,
        firmware: "",
        profile: "",
        latencies: [],
        recent: [],
        lastSeen: seenAt,
      };
      this.rows.set(serial, row);
    }
    this.total++;
    this.latest = Math.max(this.latest, seenAt);
    row.scans++;
    row.model = cut(str(event.device_model)) ?? row.model;
    row.gateway = cut(str(event.customer_gateway_name) ?? str(event.gateway_id)) ?? row.gateway;
    row.station = cut(str(event.customer_gateway_station)) ?? row.station;
    row.lastCode = cut(str(event.scan_code), MAX_CODE) ?? "";
    row.symbology = cut(str(event.scan_decode_symbology)) ?? "";
    row.battery = num(event.device_battery) ?? row.battery;
    row.firmware = cut(str(event.device_firmware)) ?? row.firmware;
    const profile = cut(str(event.configuration_profile_id));
    const revision = num(event.configuration_profile_revision);
    if (profile !== undefined)
      row.profile = revision !== undefined ? `${profile} r${revision}` : profile;
    const latency = latencyOf(event);
    if (latency !== undefined) {
      row.lastLatency = latency;
      row.latencies.push(latency);
      if (row.latencies.length > LATENCY_SAMPLES) row.latencies.shift();
    }
    row.lastSeen = Math.max(row.lastSeen, seenAt);
    row.recent.push(seenAt);
    while (row.recent.length && row.recent[0]! < seenAt - RATE_WINDOW_MS) row.recent.shift();
    // Keeps the newest 10 000 (a negative count removes nothing).
    row.recent.splice(0, row.recent.length - 10_000);
    return row;
  }

  private evict(): void {
    // Drop the tenth of devices that were quiet longest: memory stays bounded.
    const byAge = [...this.rows.values()].sort((a, b) => a.lastSeen - b.lastSeen);
    for (const row of byAge.slice(0, Math.ceil(MAX_DEVICES / 10))) this.rows.delete(row.serial);
  }

  /** Scans in the minute before `now`. */
  static perMinute(row: DeviceRow, now: number): number {
    let n = 0;
    for (let i = row.recent.length - 1; i >= 0 && row.recent[i]! > now - RATE_WINDOW_MS; i--) n++;
    return n;
  }

  static p95(row: DeviceRow): number | undefined {
    const sorted = [...row.latencies].sort((a, b) => a - b);
    // ceil(0.95 n) never exceeds n: the index is within the samples (-1 when there are none).
    return sorted[Math.ceil(sorted.length * 0.95) - 1];
  }

  /**
   * By default grouped by gateway and station, then serial: rows do not jump around as
   * scans arrive. `--sort` puts what needs attention first: the newest seen, the lowest
   * battery, the slowest p95 latency, the most scans (ties by serial).
   */
  sorted(by?: DeviceSort): DeviceRow[] {
    const bySerial = (a: DeviceRow, b: DeviceRow) => a.serial.localeCompare(b.serial);
    const order: Record<DeviceSort | "default", (a: DeviceRow, b: DeviceRow) => number> = {
      default: (a, b) =>
        a.gateway.localeCompare(b.gateway) || a.station.localeCompare(b.station) || bySerial(a, b),
      serial: bySerial,
      "last-seen": (a, b) => b.lastSeen - a.lastSeen || bySerial(a, b),
      battery: (a, b) =>
        (a.battery ?? Number.POSITIVE_INFINITY) - (b.battery ?? Number.POSITIVE_INFINITY) ||
        bySerial(a, b),
      latency: (a, b) =>
        (DeviceTable.p95(b) ?? Number.NEGATIVE_INFINITY) -
          (DeviceTable.p95(a) ?? Number.NEGATIVE_INFINITY) || bySerial(a, b),
      scans: (a, b) => b.scans - a.scans || bySerial(a, b),
    };
    return [...this.rows.values()].sort(order[by ?? "default"]);
  }
}

interface ViewColumn {
  header: string;
  align?: "left" | "right";
  text(row: DeviceRow, now: number): string;
  style?(row: DeviceRow, now: number, text: string): string;
}

/** A step towards fitting a terminal: drop a column, or shorten one down to `to` cells. */
type FitStep = { drop: string } | { shrink: string; to: number };

const CODE = "LAST CODE";
/** What the code keeps while other columns give up room (an SSCC and more). */
const CODE_TARGET = 20;
/**
 * Least important first. The code keeps CODE_TARGET cells until every other column has
 * given up its room; serial, station and last seen go last.
 */
const FIT_STEPS: readonly FitStep[] = [
  { drop: "FIRMWARE" },
  { drop: "PROFILE" },
  { drop: "LAT P95" },
  { drop: "MODEL" },
  { shrink: "SYMBOLOGY", to: 8 },
  { drop: "/MIN" },
  { shrink: "STATION / GATEWAY", to: 16 },
  { drop: "SYMBOLOGY" },
  { drop: "LATENCY" },
  { shrink: "STATION / GATEWAY", to: 10 },
  { drop: "SCANS" },
  { drop: "BATT" },
  { shrink: CODE, to: 8 },
  { shrink: "STATION / GATEWAY", to: 4 },
  { drop: "LAST SEEN" },
  { shrink: "SERIAL", to: 6 },
];
/**
 * Who gets room left over once the code is whole, most wanted first. Not the serial:
 * it shrinks last, only to what the width needs, so no room is ever left for it.
 */
const GROW_ORDER = ["STATION / GATEWAY", "SYMBOLOGY"];

interface Layout {
  kept: number[];
  widths: number[];
}

/**
 * Column widths for a terminal `total` cells wide: every column as wide as its widest
 * value when that fits, else FIT_STEPS in order until it does. Pure, for tests.
 */
export function fitDeviceColumns(headers: string[], natural: number[], total: number): Layout {
  const widths = [...natural];
  let kept = headers.map((_h, i) => i);
  const at = (name: string) => headers.indexOf(name);
  const code = at(CODE);
  // While deciding, a long code counts as CODE_TARGET cells: it must not empty the row.
  const planned = (i: number) => (i === code ? Math.min(widths[i]!, CODE_TARGET) : widths[i]!);
  const used = () => kept.reduce((sum, i) => sum + planned(i), 0) + kept.length - 1;
  // When every value fits, the first step ends the loop and nothing below changes a width.
  for (const step of FIT_STEPS) {
    if (used() <= total) break;
    if ("drop" in step) kept = kept.filter((i) => headers[i] !== step.drop);
    else {
      const i = at(step.shrink);
      // A column shrinks before it could be dropped (and a dropped one is not shown).
      if (i < 0) continue;
      // A long code counts as CODE_TARGET cells from here on (planned is the width otherwise).
      widths[i] = planned(i);
      widths[i] = Math.max(Math.min(step.to, widths[i]!), widths[i]! - (used() - total));
    }
  }
  // The code takes what is left, up to its whole value; then the shortened columns. (A
  // code still wider than CODE_TARGET gives up its excess below: the loop stopped with it
  // counted as CODE_TARGET, so it keeps at least that.)
  const line = () => kept.reduce((sum, i) => sum + widths[i]!, 0) + kept.length - 1;
  let spare = total - line();
  // FIT_STEPS never drop the code, so it is kept whenever it is a column.
  if (code >= 0) {
    const grow = Math.max(0, Math.min(spare, natural[code]! - widths[code]!));
    widths[code]! += grow;
    spare -= grow;
  }
  for (const name of GROW_ORDER) {
    const i = at(name);
    if (i < 0 || !kept.includes(i) || spare <= 0) continue;
    const grow = Math.min(spare, natural[i]! - widths[i]!);
    widths[i]! += grow;
    spare -= grow;
  }
  // Still too wide (a long code, or a very narrow terminal): the code gives up the rest.
  if (spare < 0 && code >= 0) widths[code] = Math.max(1, widths[code]! + spare);
  // A pane narrower even than that: columns go from the right, and the last one left is
  // cut to the width, so that no line wraps.
  while (kept.length > 1 && line() > total) kept = kept.slice(0, -1);
  if (line() > total) widths[kept[0]!] = total;
  return { kept, widths: kept.map((i) => widths[i]!) };
}

const ALT_SCREEN_ON = "\u001b[?1049h\u001b[?25l";
const ALT_SCREEN_OFF = "\u001b[?25h\u001b[?1049l";

const pad2 = (n: number) => String(n).padStart(2, "0");
/** 24-hour local time, as the rows and the other formats show it. */
const clockText = (ms: number) => {
  const t = new Date(ms);
  return `${pad2(t.getHours())}:${pad2(t.getMinutes())}:${pad2(t.getSeconds())}`;
};

/**
 * One row per device. Off a terminal the table is printed once at the end with every
 * value whole; on a terminal it is redrawn in place on the alternate screen and fits
 * the width (FIT_STEPS), unless `--wide`; the final table is left on the normal screen.
 */
export function createRenderer(options: FormatOptions): Renderer {
  const { chalk, text: measure } = options;
  const table = new DeviceTable();
  const live = options.live !== false;
  const clock = () => (live ? options.now() : table.latest);
  const fitting = options.isTTY && !options.wide;
  let dirty = true;
  let lastDraw = 0;
  let entered = false;

  const lastSeenStyle = (row: DeviceRow, now: number, text: string) => {
    const quiet = now - row.lastSeen;
    if (quiet > 5 * 60_000) return chalk.red(text);
    if (quiet > 60_000) return chalk.dim(text);
    return text;
  };
  const columns: ViewColumn[] = [
    {
      header: "SERIAL",
      text: (r) => r.serial,
      style: (r, _n, t) => serialColor(chalk, r.serial)(t),
    },
    { header: "MODEL", text: (r) => r.model },
    {
      header: "STATION / GATEWAY",
      text: (r) => [r.station, r.gateway].filter(Boolean).join(" / "),
    },
    { header: CODE, text: (r) => r.lastCode, style: (_r, _n, t) => chalk.bold(t) },
    { header: "SYMBOLOGY", text: (r) => r.symbology },
    { header: "SCANS", align: "right", text: (r) => String(r.scans) },
    {
      header: "/MIN",
      align: "right",
      text: (r, now) => String(DeviceTable.perMinute(r, now)),
    },
    {
      header: "BATT",
      align: "right",
      text: (r) => batteryCell(r.battery, chalk).text,
      style: (r, _n, t) => batteryCell(r.battery, chalk).style?.(t) ?? t,
    },
    { header: "FIRMWARE", text: (r) => r.firmware },
    { header: "PROFILE", text: (r) => r.profile },
    {
      header: "LATENCY",
      align: "right",
      text: (r) => latencyCell(r.lastLatency, chalk).text,
      style: (r, _n, t) => latencyCell(r.lastLatency, chalk).style?.(t) ?? t,
    },
    {
      // The 95th percentile of the device's last 200 latencies.
      header: "LAT P95",
      align: "right",
      text: (r) => latencyCell(DeviceTable.p95(r), chalk).text,
      style: (r, _n, t) => latencyCell(DeviceTable.p95(r), chalk).style?.(t) ?? t,
    },
    {
      header: "LAST SEEN",
      align: "right",
      text: (r, now) => formatAgo(Math.max(0, now - r.lastSeen)),
      style: lastSeenStyle,
    },
  ];
  const headers = columns.map((c) => c.header);

  /** Pads `text` (measured) to `width` cells; `shown` is what is printed (it may be styled). */
  const pad = (text: string, width: number, align: ViewColumn["align"], shown = text) => {
    const room = " ".repeat(Math.max(0, width - measure.width(text)));
    return align === "right" ? room + shown : shown + room;
  };

  /**
   * The header and one line per row: fitted to `fit.width` in at most `fit.maxRows` lines,
   * or without `fit` every value whole.
   */
  const renderTable = (now: number, fit?: { width: number; maxRows?: number }) => {
    const all = table.sorted(options.sort);
    const maxRows = fit?.maxRows ?? all.length;
    const rows = all.length > maxRows ? all.slice(0, maxRows - 1) : all;
    const cells = rows.map((row) => columns.map((c) => sanitize(c.text(row, now))));
    const natural = columns.map((c, i) =>
      cells.reduce((w, line) => Math.max(w, measure.width(line[i]!)), measure.width(c.header)),
    );
    const { kept, widths } = fit
      ? fitDeviceColumns(headers, natural, fit.width)
      : { kept: columns.map((_c, i) => i), widths: natural };
    // Whole when it fits, else cut with …
    const cell = (text: string, k: number) => measure.truncate(text, widths[k]!);
    const header = kept
      .map((i, k) => pad(cell(columns[i]!.header, k), widths[k]!, columns[i]!.align))
      .join(" ")
      .trimEnd();
    const lines = [chalk.level ? chalk.bold.underline(header) : header];
    rows.forEach((row, r) => {
      const line = kept.map((i, k) => {
        const column = columns[i]!;
        const text = cell(cells[r]![i]!, k);
        const styled = column.style && text.trim() ? column.style(row, now, text) : text;
        return pad(text, widths[k]!, column.align, styled);
      });
      lines.push(line.join(" ").trimEnd());
    });
    if (rows.length < all.length) {
      // Only a fitted screen leaves rows out.
      const more = `… and ${all.length - rows.length} more devices (enlarge the terminal to see them)`;
      lines.push(chalk.dim(measure.truncate(more, fit!.width)));
    }
    return lines;
  };

  /** The title line, shortened to fit (never wrapped): details go before the counts. */
  const title = (now: number, width: number) => {
    const devices = table.rows.size;
    const quiet = [...table.rows.values()].filter((r) => now - r.lastSeen > 60_000).length;
    const quits = options.quitKey ? "q quits" : "Ctrl-C quits";
    const counts = `${devices} device${devices === 1 ? "" : "s"}, ${table.total} scans`;
    const variants: Array<Array<[string, (s: string) => string]>> = [
      [
        ["scantail devices  ", chalk.bold],
        [counts, (s) => s],
        [quiet ? `, ${quiet} quiet > 1m` : "", chalk.yellow],
        [`  ${clockText(now)} · ${options.quitKey ? "q or Ctrl-C" : "Ctrl-C"} to quit`, chalk.dim],
      ],
      [
        ["scantail devices  ", chalk.bold],
        [counts, (s) => s],
        [quiet ? `, ${quiet} quiet` : "", chalk.yellow],
        [`  ${clockText(now)} · ${quits}`, chalk.dim],
      ],
      [
        [counts, (s) => s],
        [quiet ? `, ${quiet} quiet` : "", chalk.yellow],
        [`  ${clockText(now)} · ${quits}`, chalk.dim],
      ],
      [
        [counts, (s) => s],
        [quiet ? `, ${quiet} quiet` : "", chalk.yellow],
      ],
    ];
    const plain = (v: Array<[string, unknown]>) => v.map(([t]) => t).join("");
    const chosen = variants.find((v) => measure.width(plain(v)) <= width);
    if (!chosen) return measure.truncate(plain(variants.at(-1)!), width);
    return chosen.map(([t, style]) => (t ? style(t) : t)).join("");
  };

  if (!options.isTTY) {
    return {
      render(event) {
        table.add(event, num(event.time_received) ?? num(event.time_created) ?? options.now());
        return "";
      },
      finish() {
        // Printed once, for a file or a program: every value whole, however wide.
        return table.rows.size ? `${renderTable(clock()).join("\n")}\n` : "";
      },
    };
  }

  /** Lines for the screen: with --wide rows may wrap, so count the rows they take. */
  const screenLines = (now: number) => {
    const width = options.columns - 1;
    const room = Math.max(1, options.rows - 1);
    if (fitting)
      return [title(now, width), ...renderTable(now, { width, maxRows: Math.max(1, room - 1) })];
    const lines = [title(now, width)];
    let used = 1;
    for (const line of renderTable(now)) {
      const takes = Math.max(1, Math.ceil(measure.width(line) / options.columns));
      if (used + takes > room) break;
      lines.push(line);
      used += takes;
    }
    return lines;
  };

  return {
    tickInterval: 250,
    resize(columns, rows) {
      options.columns = columns;
      options.rows = rows;
      dirty = true;
    },
    render(event) {
      table.add(
        event,
        live
          ? options.now()
          : (num(event.time_received) ?? num(event.time_created) ?? options.now()),
      );
      dirty = true;
      return "";
    },
    tick() {
      const now = clock();
      // Redraw when something changed, and once a second anyway ("last seen" ages).
      if (!dirty && options.now() - lastDraw < 1000) return "";
      dirty = false;
      lastDraw = options.now();
      let out = "";
      if (!entered) {
        entered = true;
        options.setTerminalRestore?.(ALT_SCREEN_OFF);
        out += ALT_SCREEN_ON;
      }
      out += `\u001b[H${screenLines(now)
        .map((l) => `${l}\u001b[K`)
        .join("\n")}\u001b[J`;
      return out;
    },
    finish() {
      let out = "";
      if (entered) {
        out += ALT_SCREEN_OFF;
        options.setTerminalRestore?.(undefined);
      }
      // Leave the final picture in the normal screen, where it stays visible.
      if (table.rows.size)
        out += `${renderTable(clock(), fitting ? { width: options.columns - 1 } : undefined).join("\n")}\n`;
      return out;
    },
  };
}
