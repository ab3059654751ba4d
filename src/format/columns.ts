import type { ChalkInstance } from "chalk";
import { UsageError } from "../errors.js";
import { fieldText, latencyOf, num, type ScanEvent, str } from "../events/event.js";
import { formatDuration } from "../util/duration.js";
import { sanitize } from "../util/sanitize.js";
import { serialColor } from "./color.js";
import type { TimeMode } from "./names.js";

export interface ColumnContext {
  chalk: ChalkInstance;
  time: TimeMode;
  /** Base for `--time relative`: the time of the first event shown. */
  relativeBase?: number;
}

export interface Cell {
  text: string;
  style?: (text: string) => string;
}

export interface Column {
  name: string;
  header: string;
  /** Preferred width in table format; `flex` columns take what is left. */
  width: number;
  minWidth?: number;
  flex?: boolean;
  align?: "left" | "right";
  cell(event: ScanEvent, ctx: ColumnContext): Cell;
}

/** Aliases users may type in --fields; each maps to the event field it shows. */
export const FIELD_ALIASES: Record<string, string> = {
  serial: "device_serial",
  device: "device_serial",
  code: "scan_code",
  symbology: "scan_decode_symbology",
  station: "customer_gateway_station",
  gateway: "customer_gateway_name",
  model: "device_model",
  firmware: "device_firmware",
  profile: "configuration_profile_id",
  type: "event_type",
  id: "event_id",
};

const pad2 = (n: number) => String(n).padStart(2, "0");
const pad3 = (n: number) => String(n).padStart(3, "0");

export function formatTime(ms: number | undefined, ctx: ColumnContext): string {
  if (ms === undefined) return "-";
  switch (ctx.time) {
    case "epoch":
      return String(ms);
    case "utc":
      return Number.isFinite(new Date(ms).getTime()) ? new Date(ms).toISOString() : String(ms);
    case "relative": {
      ctx.relativeBase ??= ms;
      const d = ms - ctx.relativeBase;
      const sign = d < 0 ? "-" : "+";
      const a = Math.abs(d);
      const h = Math.floor(a / 3_600_000);
      const m = Math.floor((a % 3_600_000) / 60_000);
      const s = Math.floor((a % 60_000) / 1000);
      return `${sign}${h ? `${h}:${pad2(m)}` : pad2(m)}:${pad2(s)}.${pad3(a % 1000)}`;
    }
    default: {
      const t = new Date(ms);
      if (!Number.isFinite(t.getTime())) return String(ms);
      return `${pad2(t.getHours())}:${pad2(t.getMinutes())}:${pad2(t.getSeconds())}.${pad3(t.getMilliseconds())}`;
    }
  }
}

/** Cells a time takes in each --time mode (relative grows past an hour). */
export function timeWidth(mode: TimeMode): number {
  switch (mode) {
    case "utc":
      return 24;
    case "epoch":
      return 13;
    case "relative":
      return 10;
    default:
      return 12;
  }
}

/** Latency thresholds (ms): quick, slow, then alarming. Negative or hours off = clock skew. */
export const LATENCY_SLOW = 1000;
export const LATENCY_BAD = 5000;
export const LATENCY_SKEW = 3_600_000;

export function latencyCell(latency: number | undefined, chalk: ChalkInstance): Cell {
  if (latency === undefined) return { text: "" };
  if (latency < 0 || latency > LATENCY_SKEW) {
    return { text: `skew ${formatDuration(latency)}`, style: chalk.magenta };
  }
  const text = formatDuration(latency);
  if (latency >= LATENCY_BAD) return { text, style: chalk.red };
  if (latency >= LATENCY_SLOW) return { text, style: chalk.yellow };
  return { text, style: chalk.dim };
}

export function batteryCell(battery: number | undefined, chalk: ChalkInstance): Cell {
  if (battery === undefined) return { text: "" };
  const text = `${Math.round(battery)}%`;
  if (battery <= 15) return { text, style: chalk.red.bold };
  if (battery <= 30) return { text, style: chalk.yellow };
  return { text, style: chalk.dim };
}

const BUILTIN: Record<string, Column> = {
  time: {
    name: "time",
    header: "TIME",
    width: 12,
    cell: (e, ctx) => ({
      text: formatTime(num(e.time_created) ?? num(e.time_received), ctx),
      style: ctx.chalk.dim,
    }),
  },
  device_serial: {
    name: "device_serial",
    header: "SERIAL",
    width: 14,
    minWidth: 8,
    cell: (e, ctx) => {
      const serial = str(e.device_serial) ?? "";
      return { text: serial, style: serialColor(ctx.chalk, serial) };
    },
  },
  scan_decode_symbology: {
    name: "scan_decode_symbology",
    header: "SYMBOLOGY",
    // The longest name Insight reports, GS1 DATABAR EXPANDED: pretty's columns do not shift.
    width: 20,
    minWidth: 6,
    cell: (e) => ({ text: fieldText(e, "scan_decode_symbology") }),
  },
  scan_code: {
    name: "scan_code",
    header: "CODE",
    width: 24,
    minWidth: 10,
    flex: true,
    cell: (e, ctx) => ({ text: fieldText(e, "scan_code"), style: ctx.chalk.bold }),
  },
  where: {
    name: "where",
    header: "STATION / GATEWAY",
    width: 18,
    minWidth: 8,
    cell: (e) => ({
      text:
        str(e.customer_gateway_station) || str(e.customer_gateway_name) || str(e.gateway_id) || "",
    }),
  },
  battery: {
    name: "battery",
    header: "BATT",
    width: 4,
    align: "right",
    cell: (e, ctx) => batteryCell(num(e.device_battery), ctx.chalk),
  },
  latency: {
    name: "latency",
    header: "LATENCY",
    width: 7,
    align: "right",
    cell: (e, ctx) => latencyCell(latencyOf(e), ctx.chalk),
  },
};
BUILTIN.device_battery = { ...BUILTIN.battery!, name: "device_battery" };

/** Pretty puts the code last: codes vary wildly in length and must never be cut. */
export const DEFAULT_PRETTY_COLUMNS = [
  "time",
  "device_serial",
  "scan_decode_symbology",
  "where",
  "battery",
  "latency",
  "scan_code",
];

export const DEFAULT_COLUMNS = [
  "time",
  "device_serial",
  "scan_decode_symbology",
  "scan_code",
  "where",
  "battery",
  "latency",
];

export function resolveFieldName(name: string): string {
  const lower = name.toLowerCase();
  return Object.hasOwn(FIELD_ALIASES, lower) ? FIELD_ALIASES[lower]! : name;
}

/** `--fields` for pretty/table: built-in columns by name or alias, or any event field. */
export function resolveColumns(
  fields: readonly string[] | undefined,
  defaults: readonly string[] = DEFAULT_COLUMNS,
): Column[] {
  const names = fields?.length ? fields : defaults;
  return names.map((raw) => {
    const name = resolveFieldName(raw);
    if (Object.hasOwn(BUILTIN, name)) return BUILTIN[name]!;
    return {
      name,
      // A field name comes from the command line: shown escaped like any other text.
      header: sanitize(name.toUpperCase()),
      width: Math.min(Math.max(name.length, 8), 20),
      minWidth: 4,
      cell: (e) => ({ text: fieldText(e, name) }),
    } satisfies Column;
  });
}

/** `--fields` for ndjson: real event fields only (aliases allowed). */
export function resolveProjection(fields: readonly string[]): string[] {
  return fields.map((raw) => {
    const name = resolveFieldName(raw);
    if (name === "where" || name === "latency" || name === "battery") {
      throw new UsageError(
        `--fields ${raw} is a display column; with -o ndjson name event fields (e.g. ${name === "battery" ? "device_battery" : "time_created,time_received"})`,
      );
    }
    if (name === "time") return "time_created";
    return name;
  });
}
