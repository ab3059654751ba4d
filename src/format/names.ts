/*
 * The names behind --format and --time, in a module of their own: the option table
 * (commands/options.ts, loaded for --help) needs them, not the formatters.
 */
export const FORMAT_NAMES = ["pretty", "table", "ndjson", "devices"] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export type TimeMode = "local" | "utc" | "relative" | "epoch";
export const TIME_MODES: readonly TimeMode[] = ["local", "utc", "relative", "epoch"];
