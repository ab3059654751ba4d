import { type Command, Option } from "commander";
import type { FilterOptions } from "../events/filter.js";
import { EVENT_TYPES } from "../events/symbologies.js";
import { DEVICE_SORTS, FORMAT_NAMES, TIME_MODES } from "../format/names.js";

/*
 * Every option of every command, declared once: flag, value type, default, help text,
 * value choices and help section come from one entry here; commander options are built
 * from it (`addGroup`), handler flag types are derived from it (`FlagsOf`), and so are
 * the filter options handed to the pipeline (`pickFilters`). This module is loaded for
 * every run (help needs it), so it imports nothing heavy; values are checked by the pure
 * plan functions (output-options.ts, connection-options.ts, simulator-options.ts).
 */

/** switch: `--summary`; negatable: `--no-header` (true unless given); value: one string;
 * list: repeatable and comma-separated (`-s A -s B,C`), one value per use so that a
 * positional argument after it (`replay -s X rec.ndjson`) is never swallowed. */
type Kind = "switch" | "negatable" | "value" | "list";

export interface OptionSpec<K extends Kind = Kind> {
  readonly kind: K;
  readonly flags: string;
  readonly help: string;
  /** The default as a user would write it (`30s`); shown in help without quotes. */
  readonly default?: string;
  /** A fixed set of values: shown once in help, offered by shell completion. */
  readonly choices?: readonly string[];
  /** Compare choices ignoring case (`-o Table`); the plan reports unknown values. */
  readonly anyCase?: boolean;
  readonly hidden?: boolean;
}

type ValueOf<K extends Kind> = K extends "switch" | "negatable"
  ? boolean
  : K extends "value"
    ? string
    : string[];

export type OptionGroup = Readonly<Record<string, OptionSpec>>;

/** The flags commander hands a handler for these groups (absent when not given). */
export type FlagsOf<G> = {
  -readonly [K in keyof G]?: G[K] extends OptionSpec<infer Of> ? ValueOf<Of> : never;
};

const spec =
  <K extends Kind>(kind: K) =>
  (flags: string, help: string, extra: Omit<OptionSpec<K>, "kind" | "flags" | "help"> = {}) =>
    ({ kind, flags, help, ...extra }) as OptionSpec<K>;
const toggle = spec("switch");
const negatable = spec("negatable");
const value = spec("value");
const list = spec("list");

const REPEAT = "repeatable, comma-separated";

export const GLOBAL_OPTIONS = {
  // No commander default: it would hide SCANTAIL_PROFILE (flag > env > default).
  profile: value("--profile <name>", "config profile (env SCANTAIL_PROFILE; default: default)"),
  color: value("--color <when>", "colour (NO_COLOR and FORCE_COLOR are honoured)", {
    default: "auto",
    choices: ["auto", "always", "never"],
  }),
  quiet: toggle(
    "-q, --quiet",
    "no banner, connection status or summary on stderr; errors and warnings still shown",
  ),
  verbose: toggle("-v, --verbose", "say more on stderr; stack traces for unexpected errors"),
} as const;

/** Keys must be exactly FilterOptions' keys (checked below), so no flag can be dropped. */
export const FILTER_OPTIONS = {
  serial: list(
    "-s, --serial <pattern>",
    `keep events whose device_serial matches (${REPEAT}; * and ? globs; any case)`,
  ),
  symbology: list(
    "-y, --symbology <name>",
    `keep these symbologies, ignoring case, spaces, - and _ (ean13 = EAN-13; ${REPEAT}; globs)`,
  ),
  excludeSerial: list("--exclude-serial <pattern>", `drop events whose device_serial matches`),
  excludeSymbology: list("--exclude-symbology <name>", "drop these symbologies"),
  gateway: list(
    "--gateway <pattern>",
    "keep events whose gateway_id or customer_gateway_name matches",
  ),
  station: list("--station <pattern>", "keep events whose customer_gateway_station matches"),
  eventType: list("--event-type <type>", "keep events of this event_type (default: every type)", {
    choices: EVENT_TYPES,
  }),
  code: value("--code <regex>", "keep events whose scan_code matches this JavaScript regex"),
  // `-i` (ignoreCase) is an output option that also applies to --code: planOutput adds it.
} as const satisfies Record<Exclude<keyof FilterOptions, "ignoreCase">, OptionSpec>;

// Fails to compile if a filter flag's value type stops fitting the pipeline's FilterOptions.
export type FilterFlagsFit = FlagsOf<typeof FILTER_OPTIONS> extends FilterOptions ? true : never;
const filterFlagsFit: FilterFlagsFit = true;
void filterFlagsFit;

export const OUTPUT_OPTIONS = {
  format: value(
    "-o, --format <name>",
    "output format, any case; json and jsonl mean ndjson (default: pretty on a terminal, else ndjson)",
    { choices: FORMAT_NAMES, anyCase: true },
  ),
  template: value(
    "--template <text>",
    "one line per event with {{field}} replaced (dotted paths: {{metrics.0.values.0}}); implies -o template",
  ),
  fields: list(
    "--fields <list>",
    `columns of pretty/table/csv/tsv; with -o ndjson, keep only these fields (${REPEAT})`,
  ),
  time: value("--time <mode>", "how pretty/table show time", {
    default: "local",
    choices: TIME_MODES,
  }),
  header: negatable("--no-header", "csv/tsv/table without the header line"),
  wide: toggle("-w, --wide", "on a terminal, print every value whole (lines may wrap)"),
  sort: value(
    "--sort <key>",
    "row order of -o devices (default: by gateway and station); battery puts the lowest first, latency the slowest p95, last-seen the newest, scans the busiest",
    { choices: DEVICE_SORTS },
  ),
  highlight: value(
    "--highlight <regex>",
    "mark matches of this regex in the scan code (pretty/table; does not filter)",
  ),
  ignoreCase: toggle("-i, --ignore-case", "--code and --highlight ignore case"),
  count: value("-n, --count <n>", "exit 0 after n matching events have been written"),
  timeout: value(
    "--timeout <duration>",
    "stop after this long (exit 124 if --count was given and not reached)",
  ),
  tee: value("--tee <file>", "also append every matching event to this file as NDJSON"),
  summary: toggle("--summary", "print the closing summary even when stderr is not a terminal"),
} as const;

/** Written once: the resolvers fall back to these, help shows them. */
export const HEARTBEAT_DEFAULT = "30s";
export const RENEW_AFTER_DEFAULT = "110m";

export const CONNECTION_OPTIONS = {
  url: value("--url <url>", "live feed URL, wss://… (env SCANTAIL_URL)"),
  customer: value("--customer <id>", "customer ID, sent as customer= (env SCANTAIL_CUSTOMER)"),
  tokenKind: value(
    "--token-kind <kind>",
    "which stored token to send as token= (env SCANTAIL_TOKEN_KIND; default: access)",
    { choices: ["access", "id"] },
  ),
  reconnect: negatable("--no-reconnect", "exit 1 when the connection ends instead of reconnecting"),
  maxRetries: value(
    "--max-retries <n>",
    "give up (exit 1) after n failed connection attempts in a row (default: never)",
  ),
  heartbeat: value(
    "--heartbeat <duration>",
    "ping interval; a connection with no pong within one interval is dead",
    { default: HEARTBEAT_DEFAULT },
  ),
  renewAfter: value(
    "--renew-after <duration>",
    "open a fresh connection before the old one is this old (API Gateway ends them at 2h)",
    { default: RENEW_AFTER_DEFAULT },
  ),
  insecure: toggle("--insecure", "allow unencrypted ws:// to a host that is not loopback"),
} as const;

/** Stored events before and between live ones (tail, demo, forward). */
export const HISTORY_OPTIONS = {
  since: value(
    "--since <when>",
    "first the stored events since then — 15m, 2h, an ISO 8601 time or epoch ms — then live",
  ),
  baseUrl: value(
    "--base-url <url>",
    "Insight API base URL for stored events (env SCANTAIL_BASE_URL; stored at login)",
  ),
  gapFill: negatable(
    "--no-gap-fill",
    "after a reconnect, do not fetch the events of the gap from the event history",
  ),
} as const;

/** What demo takes of the history group: its history is the simulator's. */
export const DEMO_HISTORY_OPTIONS = pick(HISTORY_OPTIONS, ["since", "gapFill"]);

/** `scantail events`: one window of stored events. */
export const EVENTS_OPTIONS = {
  since: value(
    "--since <when>",
    "window start: a duration back from now (15m, 2h), an ISO 8601 time or epoch ms",
    { default: "1h" },
  ),
  until: value("--until <when>", "window end, in the same forms (default: now)"),
  baseUrl: HISTORY_OPTIONS.baseUrl,
} as const;

/** What demo takes of the connection group: its feed is local, its URL and token fixed. */
export const DEMO_CONNECTION_OPTIONS = pick(CONNECTION_OPTIONS, [
  "reconnect",
  "maxRetries",
  "heartbeat",
  "renewAfter",
]);
/** What events takes: which customer, which token, whether http:// may carry it. */
export const EVENTS_CONNECTION_OPTIONS = pick(CONNECTION_OPTIONS, [
  "customer",
  "tokenKind",
  "insecure",
]);
/** What doctor takes: where to connect and with which token, nothing about staying up. */
export const DOCTOR_CONNECTION_OPTIONS = pick(CONNECTION_OPTIONS, [
  "url",
  "customer",
  "tokenKind",
  "insecure",
]);

export const SIMULATED_FEED_OPTIONS = {
  rate: value("--rate <events/s>", "average scans per second (Poisson arrivals; 0 = silent)", {
    default: "5",
  }),
  devices: value("--devices <n>", "number of simulated scanners", { default: "8" }),
  seed: value("--seed <n>", "seed for a repeatable fleet and scan sequence (default: random)"),
} as const;

export const FAULT_OPTIONS = {
  reject: value(
    "--reject <statuses>",
    "answer successive handshakes with these HTTP statuses, then accept: e.g. 500,429,ok",
  ),
  dropAfter: value(
    "--drop-after <duration>",
    "cut every connection after this long without a close frame (a network drop)",
  ),
  idleTimeout: value(
    "--idle-timeout <duration>",
    "close with 1001 after this long without a message (API Gateway: 10m)",
  ),
  maxAge: value(
    "--max-age <duration>",
    "close with 1001 when a connection is this old (API Gateway: 2h)",
  ),
  stallAfter: value(
    "--stall-after <duration>",
    "after this long, keep the connection open but stop sending events and stop answering pings (a half-dead link the heartbeat must detect)",
  ),
  malformed: value(
    "--malformed <ratio>",
    "fraction (0-1) of events followed by a frame that is not an event",
  ),
  oversizedEvery: value(
    "--oversized-every <n>",
    "follow every n-th event with a 2 MiB frame (larger than API Gateway sends)",
  ),
  resend: value(
    "--resend <n>",
    "send the last n events again to every new connection (duplicates to drop)",
  ),
  historyIgnoreWindow: toggle(
    "--history-ignore-window",
    "the REST history ignores start_time_millis/end_time_millis (the client must filter)",
  ),
  historyReject: value(
    "--history-reject <statuses>",
    "answer successive REST history requests with these HTTP statuses, then serve: e.g. 503,ok",
  ),
} as const;

export const SIMULATE_OPTIONS = {
  host: value("--host <host>", "address to listen on (0.0.0.0 or :: for other machines)", {
    default: "127.0.0.1",
  }),
  port: value("--port <n>", "port to listen on (0 = any free port)", { default: "0" }),
} as const;

export const REPLAY_OPTIONS = {
  realtime: toggle("--realtime", "pace events by their time_created, as they happened"),
  speed: value("--speed <x>", "pace events by time_created, x times faster (e.g. 10)"),
  strict: toggle(
    "--strict",
    "decode every line, so every bad line is reported (slower with filters)",
  ),
} as const;

export const LOGIN_OPTIONS = {
  baseUrl: value("--base-url <url>", "Insight API base URL, as the webportal shows it"),
  customer: value("--customer <id>", "customer ID"),
  username: value("--username <name>", "webportal user name (e-mail)"),
  passwordStdin: toggle("--password-stdin", "read the password from stdin"),
  tokenStdin: toggle("--token-stdin", "store a token read from stdin as is (no refresh possible)"),
} as const;

export const JSON_OPTIONS = {
  json: toggle("--json", "machine-readable output"),
} as const;

export const DOCTOR_OPTIONS = {
  wait: value("--wait <duration>", "how long to wait for the first event", { default: "30s" }),
  ...JSON_OPTIONS,
} as const;

/** What forward takes of the output group: no format (nothing goes to stdout), the run controls. */
export const FORWARD_RUN_OPTIONS = pick(OUTPUT_OPTIONS, [
  "ignoreCase",
  "count",
  "timeout",
  "summary",
]);
/** forward's --insecure covers both ends: a ws:// feed and an http:// destination off loopback. */
export const FORWARD_CONNECTION_OPTIONS = {
  ...pick(CONNECTION_OPTIONS, [
    "url",
    "customer",
    "tokenKind",
    "reconnect",
    "maxRetries",
    "heartbeat",
    "renewAfter",
  ]),
  insecure: toggle(
    "--insecure",
    "allow unencrypted ws:// (feed) and http:// (destination) to a host that is not loopback",
  ),
} as const;

/**
 * The simulator's feed options without commander defaults, so that forward can tell a
 * `--rate` given without `--demo` (a mistake) from one not given; the resolver falls back
 * to the same defaults, which help still shows.
 */
export const FORWARD_DEMO_FEED_OPTIONS = {
  rate: value(
    "--rate <events/s>",
    `${SIMULATED_FEED_OPTIONS.rate.help} (default: ${SIMULATED_FEED_OPTIONS.rate.default})`,
  ),
  devices: value(
    "--devices <n>",
    `${SIMULATED_FEED_OPTIONS.devices.help} (default: ${SIMULATED_FEED_OPTIONS.devices.default})`,
  ),
  seed: SIMULATED_FEED_OPTIONS.seed,
} as const satisfies Record<keyof typeof SIMULATED_FEED_OPTIONS, OptionSpec>;

export const REQUEST_TIMEOUT_DEFAULT = "10s";

export const FORWARD_OPTIONS = {
  header: list("--header <line>", "add this 'Name: value' header to every delivery (repeatable)"),
  subject: value(
    "--subject <subject>",
    "NATS subject; {device_serial}, {event_type}, {gateway_id} are replaced (default: insight.events)",
  ),
  createStream: value(
    "--create-stream <name>",
    "create this JetStream stream for the subject when none takes it",
  ),
  maxAttempts: value(
    "--max-attempts <n>",
    "give up (exit 1) after n attempts to deliver one event (default: never)",
  ),
  requestTimeout: value(
    "--request-timeout <duration>",
    "longest wait for one HTTP answer or one JetStream acknowledgement",
    { default: REQUEST_TIMEOUT_DEFAULT },
  ),
  demo: toggle(
    "--demo",
    "forward the built-in simulated feed (no account); takes the simulator's options",
  ),
} as const;

/** For the completion scripts, which ask the binary for stored profile names on Tab. */
export const COMPLETION_OPTIONS = {
  listProfiles: toggle("--list-profiles", "print the stored profile names", { hidden: true }),
} as const;

export type GlobalFlags = FlagsOf<typeof GLOBAL_OPTIONS>;
export type FilterFlags = FlagsOf<typeof FILTER_OPTIONS>;
export type OutputFlags = FlagsOf<typeof OUTPUT_OPTIONS> & FilterFlags;
export type ConnectionFlags = FlagsOf<typeof CONNECTION_OPTIONS>;
export type SimulatorFlags = FlagsOf<typeof SIMULATED_FEED_OPTIONS> & FlagsOf<typeof FAULT_OPTIONS>;
export type SimulateFlags = SimulatorFlags & FlagsOf<typeof SIMULATE_OPTIONS>;
export type ReplayFlags = OutputFlags & FlagsOf<typeof REPLAY_OPTIONS>;
export type LoginFlags = FlagsOf<typeof LOGIN_OPTIONS>;
export type DoctorFlags = FlagsOf<typeof DOCTOR_OPTIONS> &
  FlagsOf<typeof DOCTOR_CONNECTION_OPTIONS>;

/**
 * Which groups each command takes, under which help heading. The command's handler
 * flags are typed from the same entry (CommandFlags), so a handler cannot read a flag
 * its command does not declare.
 */
export const COMMAND_OPTIONS = {
  tail: {
    "Filters:": FILTER_OPTIONS,
    "Output:": OUTPUT_OPTIONS,
    "Connection:": CONNECTION_OPTIONS,
    "History:": HISTORY_OPTIONS,
  },
  events: {
    "Window:": EVENTS_OPTIONS,
    "Filters:": FILTER_OPTIONS,
    "Output:": OUTPUT_OPTIONS,
    "Connection:": EVENTS_CONNECTION_OPTIONS,
  },
  demo: {
    "Filters:": FILTER_OPTIONS,
    "Output:": OUTPUT_OPTIONS,
    "Simulated feed:": SIMULATED_FEED_OPTIONS,
    "Simulator faults:": FAULT_OPTIONS,
    "Connection:": DEMO_CONNECTION_OPTIONS,
    "History:": DEMO_HISTORY_OPTIONS,
  },
  simulate: {
    "Options:": SIMULATE_OPTIONS,
    "Simulated feed:": SIMULATED_FEED_OPTIONS,
    "Simulator faults:": FAULT_OPTIONS,
  },
  replay: {
    "Replay:": REPLAY_OPTIONS,
    "Filters:": FILTER_OPTIONS,
    "Output:": OUTPUT_OPTIONS,
  },
  login: { "Options:": LOGIN_OPTIONS },
  logout: {},
  status: { "Options:": JSON_OPTIONS },
  config: { "Options:": JSON_OPTIONS },
  doctor: {
    "Options:": DOCTOR_OPTIONS,
    "Connection:": DOCTOR_CONNECTION_OPTIONS,
    "History:": pick(HISTORY_OPTIONS, ["baseUrl"]),
  },
  forward: {
    "Forward:": FORWARD_OPTIONS,
    "Filters:": FILTER_OPTIONS,
    "Run:": FORWARD_RUN_OPTIONS,
    "Connection:": FORWARD_CONNECTION_OPTIONS,
    "History:": HISTORY_OPTIONS,
    "Simulated feed (--demo):": FORWARD_DEMO_FEED_OPTIONS,
    "Simulator faults (--demo):": FAULT_OPTIONS,
  },
  completion: { "Options:": COMPLETION_OPTIONS },
} as const satisfies Record<string, Record<string, OptionGroup>>;

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (
  i: infer I,
) => void
  ? I
  : never;
type Merged<G extends Record<string, OptionGroup>> = [keyof G] extends [never]
  ? Record<never, OptionSpec>
  : UnionToIntersection<G[keyof G]>;

/** The flags a command's handler receives: its groups' options and the global ones. */
export type CommandFlags<N extends keyof typeof COMMAND_OPTIONS> = FlagsOf<
  Merged<(typeof COMMAND_OPTIONS)[N]>
> &
  GlobalFlags;

/** The filter options, key for key from the group: a filter flag cannot be forgotten. */
export function pickFilters(flags: FilterFlags): FilterOptions {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(FILTER_OPTIONS)) {
    const v = flags[key as keyof FilterFlags];
    if (v !== undefined) picked[key] = v;
  }
  return picked as FilterOptions;
}

/** The default written in the group, for resolvers called without commander's help. */
export function defaultOf(option: OptionSpec): string {
  if (option.default === undefined) throw new Error(`option ${option.flags} has no default`);
  return option.default;
}

const collect = (v: string, previous: string[] | undefined) => [...(previous ?? []), v];

/** Builds the commander options of a group under one help heading. */
export function addGroup(command: Command, group: OptionGroup, heading?: string): Command {
  for (const [key, s] of Object.entries(group)) {
    const option = new Option(s.flags, s.help);
    // The handler types are keyed by the group's keys: they must be commander's names.
    if (option.attributeName() !== key)
      throw new Error(
        `option ${s.flags} is declared as "${key}", commander names it "${option.attributeName()}"`,
      );
    if (s.choices) option.choices(s.choices);
    // After choices(): keeps them for help and completion, but the plan checks values
    // (any case, aliases, a "did you mean" and the same words for env and profile values).
    if (s.anyCase) option.argParser((v: string) => v);
    if (s.kind === "list") option.argParser(collect);
    if (s.default !== undefined) option.default(s.default, s.default);
    if (heading) option.helpGroup(heading);
    if (s.hidden) option.hideHelp();
    command.addOption(option);
  }
  return command;
}

function pick<G extends OptionGroup, K extends keyof G & string>(
  group: G,
  keys: readonly K[],
): Pick<G, K> {
  const picked = {} as Pick<G, K>;
  for (const key of keys) picked[key] = group[key];
  return picked;
}
