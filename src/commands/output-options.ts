import type { Profile } from "../config/store.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import { compileFilter, type FilterOptions, splitList } from "../events/filter.js";
import type { ColorMode } from "../format/color.js";
import {
  FORMAT_NAMES,
  type FormatName,
  resolveFormatName,
  TIME_MODES,
  type TimeMode,
} from "../format/names.js";
import type { OutputPlan } from "../run/plan.js";
import { parseDuration, parsePositiveInt } from "../util/duration.js";

export interface OutputFlags extends FilterOptions {
  format?: string;
  count?: string;
  timeout?: string;
  tee?: string;
  fields?: string[];
  time?: string;
  summary?: boolean;
  color?: string;
}

export type OutputSetup = OutputPlan;

export function parseColorMode(value: string | undefined): ColorMode {
  const mode = value ?? "auto";
  if (mode !== "auto" && mode !== "always" && mode !== "never") {
    throw new UsageError(`invalid --color "${mode}": expected auto, always or never`);
  }
  return mode;
}

/** Complete → validate, before any I/O: every bad value fails here with exit 2. */
export function resolveOutput(
  flags: OutputFlags,
  ctx: Context,
  profile: Profile = {},
): OutputSetup {
  const stdoutTTY = ctx.stdout.isTTY === true;
  const requested = flags.format ?? ctx.env.SCANTAIL_FORMAT ?? profile.format;
  let format: FormatName;
  if (requested === undefined) format = stdoutTTY ? "pretty" : "ndjson";
  else if (resolveFormatName(requested)) format = resolveFormatName(requested)!;
  else
    throw new UsageError(
      `unknown format "${requested}"; valid formats: ${FORMAT_NAMES.join(", ")}`,
    );

  const filterOptions: FilterOptions = {
    serial: flags.serial,
    symbology: flags.symbology,
    excludeSerial: flags.excludeSerial,
    excludeSymbology: flags.excludeSymbology,
    gateway: flags.gateway,
    station: flags.station,
    eventType: flags.eventType,
    code: flags.code,
  };
  // Compiled here only to fail fast on a bad --code regex; the pipeline compiles its own.
  compileFilter(filterOptions);
  const time = (flags.time ?? "local") as TimeMode;
  if (!TIME_MODES.includes(time))
    throw new UsageError(`invalid --time "${flags.time}": expected ${TIME_MODES.join(", ")}`);
  const fields = flags.fields ? splitList(flags.fields) : undefined;
  if (flags.fields && fields?.length === 0)
    throw new UsageError("--fields needs at least one field name");
  if (fields && format === "devices") throw new UsageError("--fields does not apply to -o devices");

  const count = flags.count !== undefined ? parsePositiveInt(flags.count, "--count") : undefined;
  const timeoutMs =
    flags.timeout !== undefined ? parseDuration(flags.timeout, "--timeout") : undefined;
  const colorMode = parseColorMode(flags.color);

  if (flags.tee === "") throw new UsageError("--tee needs a file name");
  const teePath = flags.tee;
  return {
    format,
    filterOptions,
    count,
    timeoutMs,
    teePath,
    fields,
    time,
    summary: flags.summary === true,
    colorMode,
    header: true,
    wide: false,
    ignoreCase: false,
    quiet: false,
  };
}
