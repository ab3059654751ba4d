import { UsageError } from "../errors.js";

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses `250ms`, `30s`, `5m`, `2h`, `1d`, `1.5s` or a bare number of seconds into
 * milliseconds. Combinations like `1h30m` are accepted too. Durations beyond Node's
 * 2^31 ms timer limit (`30d`) are valid: wait for them with src/util/timers.ts.
 */
export function parseDuration(input: string, what = "duration"): number {
  const text = String(input).trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(text))
    return checkedLength(Math.round(Number(text) * 1000), input, what);
  const part = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let match = part.exec(text); match; match = part.exec(text)) {
    total += Number(match[1]) * UNITS[match[2]!]!;
    consumed = part.lastIndex;
  }
  if (text === "" || consumed !== text.length) {
    throw new UsageError(
      `invalid ${what} "${input}": use a number with ms, s, m, h or d (e.g. 250ms, 30s, 5m, 2h, 30d)`,
    );
  }
  return checkedLength(Math.round(total), input, what);
}

/** Far beyond any wait a tail needs (timers for it chain: src/util/timers.ts). */
const MAX_DURATION_MS = 10 * 365 * 86_400_000;

function checkedLength(ms: number, input: string, what: string): number {
  if (!Number.isFinite(ms) || ms > MAX_DURATION_MS) {
    throw new UsageError(`invalid ${what} "${input}": at most 3650d (10 years)`);
  }
  return ms;
}

export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? "-" : "";
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)}s`;
  if (abs < 3_600_000) {
    const m = Math.floor(abs / 60_000);
    const s = Math.floor((abs % 60_000) / 1000);
    return `${sign}${m}m${s ? `${String(s).padStart(2, "0")}s` : ""}`;
  }
  if (abs < 86_400_000) {
    const h = Math.floor(abs / 3_600_000);
    const m = Math.floor((abs % 3_600_000) / 60_000);
    return `${sign}${h}h${m ? `${String(m).padStart(2, "0")}m` : ""}`;
  }
  return `${sign}${Math.floor(abs / 86_400_000)}d${Math.floor((abs % 86_400_000) / 3_600_000)}h`;
}

/** "3s ago", "4m ago" — coarse on purpose, for humans. */
export function formatAgo(ms: number): string {
  if (ms < 1000) return "just now";
  if (ms < 60_000) return `${Math.floor(ms / 1000)}s ago`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m ago`;
  if (ms < 86_400_000) return `${Math.floor(ms / 3_600_000)}h ago`;
  return `${Math.floor(ms / 86_400_000)}d ago`;
}

export function parsePositiveInt(input: string, what: string, { allowZero = false } = {}): number {
  const text = String(input).trim();
  if (!/^\d+$/.test(text))
    throw new UsageError(`invalid ${what} "${input}": expected a whole number`);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || (!allowZero && value === 0)) {
    throw new UsageError(
      `invalid ${what} "${input}": expected a whole number ${allowZero ? ">= 0" : "> 0"}`,
    );
  }
  return value;
}

export function parsePositiveNumber(input: string, what: string): number {
  const text = String(input).trim();
  const value = Number(text);
  if (text === "" || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`invalid ${what} "${input}": expected a number > 0`);
  }
  return value;
}
