import { latencyOf, num, type ScanEvent, str } from "../events/event.js";
import { formatAgo } from "../util/duration.js";
import { sanitize } from "../util/sanitize.js";
import { serialColor } from "./color.js";
import { batteryCell, latencyCell } from "./columns.js";
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
const cut = (text: string | undefined): string | undefined =>
  text !== undefined && text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;

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
    row.lastCode = cut(str(event.scan_code)) ?? "";
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
    if (row.recent.length > 10_000) row.recent.splice(0, row.recent.length - 10_000);
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
    if (row.latencies.length === 0) return undefined;
    const sorted = [...row.latencies].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.95) - 1)];
  }

  /** Grouped by gateway and station, then serial: rows do not jump around as scans arrive. */
  sorted(): DeviceRow[] {
    return [...this.rows.values()].sort(
      (a, b) =>
        a.gateway.localeCompare(b.gateway) ||
        a.station.localeCompare(b.station) ||
        a.serial.localeCompare(b.serial),
    );
  }
}

interface ViewColumn {
  header: string;
  width: number;
  flex?: boolean;
  align?: "left" | "right";
  text(row: DeviceRow, now: number): string;
  style?(row: DeviceRow, now: number, text: string): string;
}

const ALT_SCREEN_ON = "\u001b[?1049h\u001b[?25l";
const ALT_SCREEN_OFF = "\u001b[?25h\u001b[?1049l";

export function createRenderer(options: FormatOptions): Renderer {
  const { chalk } = options;
  const table = new DeviceTable();
  const live = options.live !== false;
  const clock = () => (live ? options.now() : table.latest);
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
      width: 13,
      text: (r) => r.serial,
      style: (r, _n, t) => serialColor(chalk, r.serial)(t),
    },
    { header: "MODEL", width: 12, text: (r) => r.model },
    {
      header: "STATION / GATEWAY",
      width: 22,
      text: (r) => [r.station, r.gateway].filter(Boolean).join(" / "),
    },
    {
      header: "LAST CODE",
      width: 18,
      flex: true,
      text: (r) => r.lastCode,
      style: (_r, _n, t) => chalk.bold(t),
    },
    { header: "SYMBOLOGY", width: 14, text: (r) => r.symbology },
    { header: "SCANS", width: 5, align: "right", text: (r) => String(r.scans) },
    {
      header: "/MIN",
      width: 4,
      align: "right",
      text: (r, now) => String(DeviceTable.perMinute(r, now)),
    },
    {
      header: "BATT",
      width: 4,
      align: "right",
      text: (r) => batteryCell(r.battery, chalk).text,
      style: (r, _n, t) => batteryCell(r.battery, chalk).style?.(t) ?? t,
    },
    { header: "FIRMWARE", width: 8, text: (r) => r.firmware },
    { header: "PROFILE", width: 14, text: (r) => r.profile },
    {
      header: "LATENCY p95",
      width: 13,
      align: "right",
      text: (r) => {
        const p95 = DeviceTable.p95(r);
        const last = latencyCell(r.lastLatency, chalk).text;
        return p95 === undefined ? last : `${last} / ${latencyCell(p95, chalk).text}`;
      },
      style: (r, _n, t) =>
        latencyCell(Math.max(r.lastLatency ?? 0, DeviceTable.p95(r) ?? 0), chalk).style?.(t) ?? t,
    },
    {
      header: "LAST SEEN",
      width: 9,
      align: "right",
      text: (r, now) => formatAgo(Math.max(0, now - r.lastSeen)),
      style: lastSeenStyle,
    },
  ];

  // Least important first to go when the terminal is narrow.
  const dropOrder = [
    "FIRMWARE",
    "PROFILE",
    "MODEL",
    "/MIN",
    "SYMBOLOGY",
    "LATENCY p95",
    "SCANS",
    "BATT",
  ];
  const layout = (width: number) => {
    let kept = [...columns];
    const need = (cols: ViewColumn[]) =>
      cols.reduce((s, c) => s + (c.flex ? 10 : c.width), 0) + cols.length - 1;
    for (const name of dropOrder) {
      if (need(kept) <= width) break;
      kept = kept.filter((c) => c.header !== name);
    }
    const widths = kept.map((c) => (c.flex ? 10 : c.width));
    const spare = width - need(kept);
    const flex = kept.findIndex((c) => c.flex);
    if (spare > 0 && flex >= 0) widths[flex]! += Math.min(spare, 40);
    return { kept, widths };
  };

  const renderTable = (width: number, maxRows: number | undefined, now: number): string[] => {
    const { kept, widths } = layout(width);
    const lines: string[] = [];
    const header = kept
      .map((c, i) => options.text.fit(c.header, widths[i]!, c.align))
      .join(" ")
      .trimEnd();
    lines.push(chalk.level ? chalk.bold.underline(header) : header);
    const rows = table.sorted();
    const shown =
      maxRows !== undefined && rows.length > maxRows
        ? rows.slice(0, Math.max(0, maxRows - 1))
        : rows;
    for (const row of shown) {
      const cells = kept.map((c, i) => {
        const text = options.text.fit(sanitize(c.text(row, now)), widths[i]!, c.align);
        return c.style && text.trim() ? c.style(row, now, text) : text;
      });
      lines.push(cells.join(" ").trimEnd());
    }
    if (shown.length < rows.length)
      lines.push(
        chalk.dim(
          `… and ${rows.length - shown.length} more devices (enlarge the terminal to see them)`,
        ),
      );
    return lines;
  };

  const title = (now: number) => {
    const devices = table.rows.size;
    const quiet = [...table.rows.values()].filter((r) => now - r.lastSeen > 60_000).length;
    return `${chalk.bold("scantail devices")}  ${devices} device${devices === 1 ? "" : "s"}, ${table.total} scans${quiet ? `, ${chalk.yellow(`${quiet} quiet > 1m`)}` : ""}  ${chalk.dim(`${new Date(now).toLocaleTimeString()} · Ctrl-C to quit`)}`;
  };

  if (!options.isTTY) {
    return {
      render(event) {
        table.add(event, num(event.time_received) ?? num(event.time_created) ?? options.now());
        return "";
      },
      finish() {
        return table.rows.size
          ? `${renderTable(Math.max(options.columns, 160), undefined, clock()).join("\n")}\n`
          : "";
      },
    };
  }

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
      const lines = [
        title(now),
        ...renderTable(options.columns - 1, Math.max(1, options.rows - 2), now),
      ];
      out += `\u001b[H${lines.map((l) => `${l}\u001b[K`).join("\n")}\u001b[J`;
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
        out += `${renderTable(options.columns - 1, undefined, clock()).join("\n")}\n`;
      return out;
    },
  };
}
