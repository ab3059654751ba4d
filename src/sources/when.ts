import { UsageError } from "../errors.js";
import { parseDuration } from "../util/duration.js";

const HELP =
  "use a duration back from now (15m, 2h, 250ms; a bare number is seconds), an ISO 8601 time (2026-11-26T14:30:00Z) or epoch milliseconds (13 digits)";

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

/**
 * Parses a `<when>` (docs/history.md) into epoch milliseconds:
 * - `now`;
 * - a duration back from `now` (`15m`, `2h`, `1h30m`, `250ms`; a bare number of up to 9
 *   digits is seconds, as everywhere in scantail);
 * - an ISO 8601 date or date-time. With a zone (`Z`, `+02:00`) it is that instant;
 *   without one it is the machine's local time, as `date` and `touch -d` read it (a bare
 *   date is local midnight, not UTC midnight as JavaScript's Date.parse would have it);
 * - epoch milliseconds: exactly 13 digits. Ten digits look like epoch seconds, which a
 *   bare number would otherwise read as a 50-year duration: refused with a hint.
 */
export function parseWhen(input: string, now: number, what = "--since"): number {
  const text = String(input).trim();
  const bad = (why = HELP, hint?: string) =>
    new UsageError(`invalid ${what} "${input}": ${why}`, hint);
  if (text.toLowerCase() === "now") return now;
  if (/^\d+$/.test(text)) {
    if (text.length === 13) return Number(text);
    if (text.length === 10) {
      throw bad(
        "ten digits look like epoch seconds",
        `for epoch milliseconds write ${text}000; for a duration add a unit (${Number(text)}s)`,
      );
    }
    if (text.length > 9) throw bad();
    return now - parseDuration(text, what);
  }
  if (/^\d+(\.\d+)?(ms|s|m|h|d)/i.test(text)) {
    let ms: number;
    try {
      ms = parseDuration(text, what);
    } catch {
      throw bad();
    }
    return now - ms;
  }
  const m = ISO.exec(text);
  if (!m) throw bad();
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const ms = Math.floor(Number(`0.${frac}`) * 1000); // "0." is 0
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) {
    throw bad(`${y}-${mo}-${d} is not a date`);
  }
  if (hour > 23 || minute > 59 || second > 59) throw bad(`${h}:${mi}:${s} is not a time of day`);
  if (zone === undefined) return new Date(year, month - 1, day, hour, minute, second, ms).getTime();
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  // `Z` (and `+05`'s minutes) have no digits, and Number("") is 0: an offset of 0.
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  const offsetH = Number(digits.slice(0, 2));
  const offsetM = Number(digits.slice(2));
  if (offsetH > 23 || offsetM > 59) throw bad(`${zone} is not a time zone offset`);
  return utc - sign * (offsetH * 60 + offsetM) * 60_000;
}

export interface TimeWindow {
  /** Epoch ms, inclusive. */
  since: number;
  /** Epoch ms, inclusive. */
  until: number;
}

/**
 * `--since` / `--until` into a window; defaults are the contract's: the last hour up to now.
 * A window that ends before it starts is refused rather than silently empty.
 */
export function resolveWindow(
  sinceText: string | undefined,
  untilText: string | undefined,
  now: number,
): TimeWindow {
  const since = parseWhen(sinceText ?? "1h", now, "--since");
  const until = parseWhen(untilText ?? "now", now, "--until");
  if (since > until) {
    throw new UsageError(
      `--since ${sinceText ?? "1h"} is after --until ${untilText ?? "now"}: the window would be empty`,
      `since ${new Date(since).toISOString()}, until ${new Date(until).toISOString()}`,
    );
  }
  return { since, until };
}
