import { UsageError } from "../errors.js";
import { globsToRegExp, globToRegExpSource, hasGlob } from "../util/glob.js";
import type { ScanEvent } from "./event.js";

export interface FilterOptions {
  serial?: string[];
  symbology?: string[];
  excludeSerial?: string[];
  excludeSymbology?: string[];
  gateway?: string[];
  station?: string[];
  eventType?: string[];
  code?: string;
  /** `-i`: --code ignores case. */
  ignoreCase?: boolean;
}

export type EventPredicate = (event: ScanEvent) => boolean;

/** `-s a,b -s c` → ["a","b","c"]; blanks dropped. */
export function splitList(values: readonly string[] | string | undefined): string[] {
  if (values === undefined) return [];
  const list = typeof values === "string" ? [values] : values;
  return list
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/**
 * Symbology names are spelled inconsistently (`EAN-13` but `CODE 128`, docs/insight-api.md §1):
 * compare them ignoring case, spaces, `-` and `_`.
 */
export function normalizeSymbology(name: string): string {
  return name.toLowerCase().replace(/[\s\-_]+/g, "");
}

function fieldMatcher(field: string, patterns: string[]): EventPredicate {
  const re = globsToRegExp(patterns);
  return (event) => {
    const value = event[field];
    return typeof value === "string" && re.test(value);
  };
}

function symbologyRegExp(patterns: string[]): RegExp {
  // No flags: normalised names are lower case and hold no line terminators.
  return new RegExp(
    `^(?:${patterns.map((p) => globToRegExpSource(normalizeSymbology(p))).join("|")})$`,
  );
}

function symbologyMatcher(patterns: string[]): EventPredicate {
  const re = symbologyRegExp(patterns);
  return (event) => {
    const value = event.scan_decode_symbology;
    return typeof value === "string" && re.test(normalizeSymbology(value));
  };
}

export interface RegExpOptions {
  ignoreCase?: boolean;
  /** For marking every match (--highlight). */
  global?: boolean;
  /** The option named in an error message. */
  flag?: string;
}

/** A user's JavaScript regular expression (--code, --highlight); exit 2 when invalid. */
export function compileCodeRegExp(source: string, options: RegExpOptions = {}): RegExp {
  const flags = `${options.ignoreCase ? "i" : ""}${options.global ? "g" : ""}`;
  try {
    return new RegExp(source, `u${flags}`);
  } catch (unicodeError) {
    try {
      // Patterns valid only without the u flag (e.g. `\-` outside a class) still work.
      return new RegExp(source, flags);
    } catch {
      throw new UsageError(
        `invalid ${options.flag ?? "--code"} regular expression: ${(unicodeError as Error).message.replace(/^Invalid regular expression: /, "")}`,
      );
    }
  }
}

/**
 * Compiles every filter once into one predicate. Kinds combine with AND, values of one
 * kind with OR, exclusions apply after the keeps (README "Watching and filtering").
 */
export function compileFilter(options: FilterOptions): EventPredicate {
  const checks: EventPredicate[] = [];
  const serial = splitList(options.serial);
  const symbology = splitList(options.symbology);
  const gateway = splitList(options.gateway);
  const station = splitList(options.station);
  const eventType = splitList(options.eventType);
  const excludeSerial = splitList(options.excludeSerial);
  const excludeSymbology = splitList(options.excludeSymbology);

  if (serial.length) checks.push(fieldMatcher("device_serial", serial));
  if (symbology.length) checks.push(symbologyMatcher(symbology));
  if (gateway.length) {
    const byId = fieldMatcher("gateway_id", gateway);
    const byName = fieldMatcher("customer_gateway_name", gateway);
    checks.push((e) => byId(e) || byName(e));
  }
  if (station.length) checks.push(fieldMatcher("customer_gateway_station", station));
  if (eventType.length) checks.push(fieldMatcher("event_type", eventType));
  if (options.code !== undefined) {
    const re = compileCodeRegExp(options.code, { ignoreCase: options.ignoreCase });
    checks.push((e) => typeof e.scan_code === "string" && re.test(e.scan_code));
  }
  if (excludeSerial.length) {
    const m = fieldMatcher("device_serial", excludeSerial);
    checks.push((e) => !m(e));
  }
  if (excludeSymbology.length) {
    const m = symbologyMatcher(excludeSymbology);
    checks.push((e) => !m(e));
  }

  return (event) => {
    for (const check of checks) if (!check(event)) return false;
    return true;
  };
}

/**
 * A cheap test on the raw frame text that can only say "certainly no match", used to skip
 * JSON.parse for most lines of a filtered replay. It is built only from keep-filters whose
 * patterns are all literals (no globs): such a value must appear in the text verbatim,
 * unless the text spells it with JSON escapes — so any line containing a backslash is
 * always passed on to the full parse. Returns undefined when no such shortcut exists.
 */
export function compileRawPrecheck(options: FilterOptions): ((raw: string) => boolean) | undefined {
  const tests: RegExp[] = [];
  for (const list of [options.serial, options.station, options.eventType, options.gateway]) {
    const patterns = splitList(list);
    if (patterns.length && !patterns.some(hasGlob)) {
      tests.push(new RegExp(patterns.map((p) => globToRegExpSource(p)).join("|"), "i"));
    }
  }
  if (tests.length === 0) return undefined;
  return (raw) => {
    if (raw.includes("\\")) return true;
    for (const test of tests) if (!test.test(raw)) return false;
    return true;
  };
}
