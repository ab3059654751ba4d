/*
 * The names behind --format and --time: the option table (loaded for --help and
 * completion) needs them, not the formatters. Format names come from the registry.
 */
import { FORMAT_NAMES, FORMATS, type FormatDefinition, type FormatName } from "./registry.js";

export { FORMAT_NAMES, type FormatName };

/** Other spellings people reach for (`json`, `jsonl` → ndjson), from the registry. */
export const FORMAT_ALIASES: Readonly<Record<string, FormatName>> = Object.fromEntries(
  Object.entries(FORMATS).flatMap(([name, definition]: [string, FormatDefinition]) =>
    (definition.aliases ?? []).map((alias) => [alias, name as FormatName]),
  ),
);

/** `-o Table`, `-o JSONL` → the format's name; undefined when there is no such format. */
export function resolveFormatName(name: string): FormatName | undefined {
  const lower = name.trim().toLowerCase();
  if ((FORMAT_NAMES as readonly string[]).includes(lower)) return lower as FormatName;
  return Object.hasOwn(FORMAT_ALIASES, lower) ? FORMAT_ALIASES[lower] : undefined;
}

export type TimeMode = "local" | "utc" | "relative" | "epoch";
export const TIME_MODES: readonly TimeMode[] = ["local", "utc", "relative", "epoch"];

/** `--sort` of the devices view; the default groups rows by gateway and station. */
export type DeviceSort = "serial" | "last-seen" | "battery" | "latency" | "scans";
export const DEVICE_SORTS: readonly DeviceSort[] = [
  "serial",
  "last-seen",
  "battery",
  "latency",
  "scans",
];
