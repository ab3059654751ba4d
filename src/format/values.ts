import { fieldText, latencyOf, num, type ScanEvent } from "../events/event.js";
import { FIELD_ALIASES } from "./columns.js";
import type { TimeMode } from "./names.js";

/*
 * Whole, machine-readable values for the text formats that other programs read (csv,
 * tsv, template): a battery is `87`, not `87%`; a latency is milliseconds; a time is
 * complete in every --time mode (a file must never lose the date).
 */

/** Columns of csv/tsv when --fields is not given (the contract's order). */
export const DEFAULT_VALUE_COLUMNS = [
  "time",
  "serial",
  "symbology",
  "code",
  "station",
  "gateway",
  "battery",
] as const;

const pad2 = (n: number) => String(n).padStart(2, "0");

/** A full timestamp in the --time mode: local and utc are ISO 8601 with their offset. */
export function fullTime(ms: number | undefined, mode: TimeMode, base: { first?: number }): string {
  if (ms === undefined) return "";
  const t = new Date(ms);
  if (!Number.isFinite(t.getTime())) return String(ms);
  switch (mode) {
    case "epoch":
      return String(ms);
    case "utc":
      return t.toISOString();
    case "relative": {
      base.first ??= ms;
      return String(ms - base.first);
    }
    default:
      return isoWithOffset(ms, -t.getTimezoneOffset());
  }
}

/**
 * ISO 8601 at `offset` minutes east of UTC (`2023-11-15T03:43:20.000+05:30`): the wall
 * clock there, with the offset that makes it exact again.
 */
export function isoWithOffset(ms: number, offset: number): string {
  const wall = new Date(ms + offset * 60_000);
  if (!Number.isFinite(wall.getTime())) return String(ms);
  const abs = Math.abs(offset);
  const sign = offset < 0 ? "-" : "+";
  return `${wall.toISOString().slice(0, -1)}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** Looks up a dotted path (`metrics.0.values.0`) through own properties only. */
export function pathValue(event: ScanEvent, path: string): unknown {
  let value: unknown = event;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part))
      return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function valueText(value: unknown): string {
  if (value === undefined || value === null) return "";
  // Numbers and booleans read the same as JSON; objects and arrays are compact JSON.
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** A value getter for a column or field name, resolved once per run. */
export function valueGetter(name: string, time: TimeMode): (event: ScanEvent) => string {
  const lower = name.toLowerCase();
  const base: { first?: number } = {};
  switch (lower) {
    case "time":
      return (e) => fullTime(num(e.time_created) ?? num(e.time_received), time, base);
    case "battery":
      return (e) => valueText(num(e.device_battery));
    case "latency":
      return (e) => valueText(latencyOf(e));
    case "gateway":
      return (e) => fieldText(e, "customer_gateway_name") || fieldText(e, "gateway_id");
  }
  const field = Object.hasOwn(FIELD_ALIASES, lower) ? FIELD_ALIASES[lower]! : name;
  // A name that starts with a dot is a field's own name, not a path.
  if (field.startsWith(".")) return (e) => (Object.hasOwn(e, field) ? valueText(e[field]) : "");
  return (e) => valueText(pathValue(e, field));
}
