/*
 * The names behind --format and --time, in a module of their own: the option table
 * (commands/options.ts, loaded for --help) needs them, not the formatters.
 */
export const FORMAT_NAMES = ["pretty", "table", "ndjson", "devices"] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export type TimeMode = "local" | "utc" | "relative" | "epoch";
export const TIME_MODES: readonly TimeMode[] = ["local", "utc", "relative", "epoch"];

/** Other names people type for a format (`-o json` is what jq users reach for first). */
export const FORMAT_ALIASES = { json: "ndjson", jsonl: "ndjson" } as const satisfies Record<
  string,
  FormatName
>;

/** `-o Table`, `-o NDJSON`, `-o json`: any case, aliases included; undefined if unknown. */
export function resolveFormatName(name: string): FormatName | undefined {
  const lower = name.toLowerCase();
  if ((FORMAT_NAMES as readonly string[]).includes(lower)) return lower as FormatName;
  return (FORMAT_ALIASES as Record<string, FormatName>)[lower];
}
