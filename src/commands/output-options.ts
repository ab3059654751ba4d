import type { Profile } from "../config/store.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import {
  compileCodeRegExp,
  compileFilter,
  type FilterOptions,
  normalizeSymbology,
  splitList,
} from "../events/filter.js";
import { EVENT_FIELDS, EVENT_TYPES, SYMBOLOGIES } from "../events/symbologies.js";
import type { ColorMode } from "../format/color.js";
import {
  DEVICE_SORTS,
  type DeviceSort,
  FORMAT_NAMES,
  type FormatName,
  resolveFormatName,
  TIME_MODES,
  type TimeMode,
} from "../format/names.js";
import { checkFormatOptions } from "../format/registry.js";
import { parseDuration, parsePositiveInt } from "../util/duration.js";
import { hasGlob } from "../util/glob.js";
import { sanitize } from "../util/sanitize.js";
import { closest } from "../util/suggest.js";
import {
  defaultOf,
  type FilterFlags,
  GLOBAL_OPTIONS,
  type GlobalFlags,
  OUTPUT_OPTIONS,
  type OutputFlags,
  pickFilters,
  type ReplayFlags,
} from "./options.js";

export type { OutputFlags };

export interface OutputSetup {
  format: FormatName;
  filterOptions: FilterOptions;
  count?: number;
  timeoutMs?: number;
  teePath?: string;
  fields?: string[];
  time: TimeMode;
  summary: boolean;
  colorMode: ColorMode;
  /** `--template`: the line written per event (format is then the template format). */
  template?: string;
  /** false with `--no-header` (csv, tsv, table). */
  header: boolean;
  /** `--wide`: never shorten a value, even on a terminal. */
  wide: boolean;
  /** `--highlight`: a regular expression source, known to compile (with `ignoreCase`). */
  highlight?: string;
  /** `--sort`: the devices view's row order. */
  sort?: DeviceSort;
  /** `-i`: `--code` and `--highlight` ignore case. */
  ignoreCase: boolean;
  /** `-q`: no banner, status lines or summary; errors and data warnings still shown. */
  quiet: boolean;
  /** replay `--strict`: decode every line instead of pre-scanning bytes. */
  strict: boolean;
}

/** What the plan needs of the outside world, passed in so the plan stays pure. */
export interface OutputInputs {
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  /** The stored profile (only its `format` matters here). */
  profile?: Pick<Profile, "format">;
}

export interface OutputPlan {
  setup: OutputSetup;
  /** Typos worth a warning on stderr (unknown fields, symbologies, event types). */
  warnings: string[];
}

const COLOR_MODES = GLOBAL_OPTIONS.color.choices as readonly ColorMode[];

export function parseColorMode(value: string | undefined): ColorMode {
  const mode = value ?? "auto";
  if (!(COLOR_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`invalid --color "${mode}": expected ${COLOR_MODES.join(", ")}`);
  }
  return mode as ColorMode;
}

/** Column names `--fields` and `--template` know besides the event's own fields. */
export const COLUMN_NAMES = [
  "time",
  "serial",
  "code",
  "symbology",
  "station",
  "gateway",
  "battery",
  "latency",
  "model",
  "firmware",
  "profile",
  "device",
  "type",
  "id",
  "where",
] as const;
const KNOWN_FIELDS: readonly string[] = [...COLUMN_NAMES, ...EVENT_FIELDS];

/**
 * Flags + environment + stored profile → everything the output side of a run needs.
 * Pure (no disk, no network, no clock) so it is tested with one-line tables; every bad
 * value fails here with a UsageError (exit 2) before anything connects.
 */
export function planOutput(
  flags: OutputFlags & GlobalFlags & Pick<ReplayFlags, "strict">,
  inputs: OutputInputs,
): OutputPlan {
  const format = planFormat(flags, inputs);
  const warnings = new Set<string>();
  const warn = (
    what: string,
    name: string,
    known: readonly string[],
    kind: string,
    normalize?: (s: string) => string,
  ) => {
    const match = closest(name, known, normalize);
    warnings.add(
      // The name comes from the command line, but may hold anything: shown escaped.
      `${what} "${sanitize(name)}" is not a known ${kind}${match ? ` (did you mean '${match}'?)` : ""}`,
    );
  };

  const filterOptions = { ...pickFilters(flags), ignoreCase: flags.ignoreCase === true };
  // Compiled here only to fail fast on a bad --code regex; the pipeline compiles its own.
  compileFilter(filterOptions);
  checkSymbologies(flags, (flag, name) =>
    warn(flag, name, SYMBOLOGIES, "symbology", normalizeSymbology),
  );
  for (const type of splitList(flags.eventType)) {
    if (!hasGlob(type) && !(EVENT_TYPES as readonly string[]).includes(type.toLowerCase()))
      warn("--event-type", type, EVENT_TYPES, "event type");
  }

  const time = (flags.time ?? defaultOf(OUTPUT_OPTIONS.time)) as TimeMode;
  if (!TIME_MODES.includes(time))
    throw new UsageError(`invalid --time "${flags.time}": expected ${TIME_MODES.join(", ")}`);
  const fields = flags.fields ? splitList(flags.fields) : undefined;
  if (flags.fields && fields?.length === 0)
    throw new UsageError("--fields needs at least one field name");
  for (const field of fields ?? []) {
    if (!isKnownField(field)) warn("--fields", field, KNOWN_FIELDS, "field");
  }
  if (flags.template !== undefined) {
    for (const match of flags.template.matchAll(/\{\{\s*([^{}]*?)\s*\}\}/g)) {
      const name = match[1] ?? "";
      if (name && !isKnownField(name)) warn("--template {{…}}", name, KNOWN_FIELDS, "field");
    }
  }

  const sort = flags.sort as DeviceSort | undefined;
  if (sort !== undefined && !DEVICE_SORTS.includes(sort))
    throw new UsageError(`invalid --sort "${flags.sort}": expected ${DEVICE_SORTS.join(", ")}`);
  const ignoreCase = flags.ignoreCase === true;
  if (flags.highlight !== undefined)
    compileCodeRegExp(flags.highlight, { ignoreCase, flag: "--highlight" });
  // An option the chosen format does not take is a mistake worth saying; with the
  // format left to its default (ndjson on a pipe) it simply has nothing to do.
  if (flags.format !== undefined)
    checkFormatOptions(format, [
      ...(fields ? (["fields"] as const) : []),
      ...(flags.header === false ? (["header"] as const) : []),
      ...(flags.highlight !== undefined ? (["highlight"] as const) : []),
      ...(flags.wide === true ? (["wide"] as const) : []),
      ...(sort !== undefined ? (["sort"] as const) : []),
    ]);
  if (flags.tee === "") throw new UsageError("--tee needs a file name");

  return {
    setup: {
      format,
      filterOptions,
      count: flags.count !== undefined ? parsePositiveInt(flags.count, "--count") : undefined,
      timeoutMs:
        flags.timeout !== undefined ? parseDuration(flags.timeout, "--timeout") : undefined,
      teePath: flags.tee,
      fields,
      time,
      summary: flags.summary === true,
      colorMode: parseColorMode(flags.color),
      template: flags.template,
      header: flags.header !== false,
      wide: flags.wide === true,
      highlight: flags.highlight,
      sort,
      ignoreCase,
      quiet: flags.quiet === true,
      strict: flags.strict === true,
    },
    warnings: [...warnings],
  };
}

/**
 * One rule for every command that writes events: `-o` (or `--template`) >
 * SCANTAIL_FORMAT > the profile's stored format > pretty on a terminal, ndjson otherwise.
 */
function planFormat(flags: OutputFlags, inputs: OutputInputs): FormatName {
  const templateFormat = resolveFormatName("template");
  if (flags.template !== undefined) {
    if (!templateFormat) throw new UsageError("--template is not supported by this build");
    if (flags.format !== undefined && resolveFormatName(flags.format) !== templateFormat)
      throw new UsageError(`--template implies -o template; drop -o ${flags.format}`);
    if (flags.template === "")
      throw new UsageError("--template needs a text, e.g. --template '{{time}} {{code}}'");
    return templateFormat;
  }
  const sources: Array<[string | undefined, string]> = [
    [flags.format, "-o"],
    [inputs.env.SCANTAIL_FORMAT || undefined, "SCANTAIL_FORMAT"],
    [inputs.profile?.format, "the profile's stored format"],
  ];
  const found = sources.find(([v]) => v !== undefined);
  if (!found) return inputs.stdoutIsTTY ? "pretty" : "ndjson";
  const [requested, source] = found as [string, string];
  const format = resolveFormatName(requested);
  if (!format) {
    const match = closest(requested, FORMAT_NAMES);
    throw new UsageError(
      `unknown format "${requested}" (from ${source})${match ? `; did you mean '${match}'?` : ""}`,
      `valid formats: ${FORMAT_NAMES.join(", ")} (json and jsonl mean ndjson)`,
    );
  }
  if (format === templateFormat)
    throw new UsageError("-o template needs --template '<text>', e.g. --template '{{code}}'");
  return format;
}

function isKnownField(name: string): boolean {
  const head = name.split(".")[0] ?? name;
  return KNOWN_FIELDS.includes(head.toLowerCase()) || KNOWN_FIELDS.includes(head);
}

function checkSymbologies(flags: FilterFlags, warn: (flag: string, name: string) => void): void {
  const known = new Set(SYMBOLOGIES.map(normalizeSymbology));
  for (const [flag, values] of [
    ["-y", flags.symbology],
    ["--exclude-symbology", flags.excludeSymbology],
  ] as const) {
    for (const name of splitList(values)) {
      if (!hasGlob(name) && !known.has(normalizeSymbology(name))) warn(flag, name);
    }
  }
}

/**
 * The stored profile, when the output plan needs it: only its format matters, so the
 * config store (conf is slow to load) is not read when -o, --template or
 * SCANTAIL_FORMAT decide the format anyway.
 */
export async function profileForOutput(
  flags: OutputFlags & GlobalFlags,
  ctx: Context,
): Promise<Profile> {
  if (flags.format !== undefined || flags.template !== undefined || ctx.env.SCANTAIL_FORMAT)
    return {};
  // conf (the store's library) is slow to load: only now that the profile matters.
  const { openStore, profileName } = await import("./common.js");
  return openStore(ctx).profile(profileName(flags, ctx));
}

/**
 * The plan, with its warnings written (once each) and the --tee file checked: what tail,
 * demo and replay call before they start.
 */
export function resolveOutput(
  flags: OutputFlags & GlobalFlags & Pick<ReplayFlags, "strict">,
  ctx: Context,
  profile: Profile = {},
): OutputSetup {
  const { setup, warnings } = planOutput(flags, {
    env: ctx.env,
    stdoutIsTTY: ctx.stdout.isTTY === true,
    profile,
  });
  for (const warning of warnings) ctx.stderr.write(`scantail: warning: ${warning}\n`);
  return setup;
}
