import { Command, CommanderError, Option } from "commander";
import {
  addConnectionOptions,
  addOutputOptions,
  addSimulateOptions,
  addSimulatorOptions,
} from "./commands/options.js";
import type { Context } from "./context.js";
import { EXIT, ScantailError } from "./errors.js";
import { redactSecrets } from "./util/redact.js";

declare const SCANTAIL_VERSION: string | undefined;
export const VERSION = typeof SCANTAIL_VERSION === "string" ? SCANTAIL_VERSION : "0.0.0-dev";

const MAIN_HELP = `
Exit codes:
  0    done (--count reached, replay finished, command succeeded)
  1    runtime failure (connection lost with --no-reconnect, retries exhausted)
  2    usage or configuration error
  3    authentication (not signed in, token refused, sign-in refused)
  124  --timeout elapsed before --count was reached
  130  stopped by Ctrl-C (SIGINT); 143 by SIGTERM

Environment:
  SCANTAIL_PROFILE, SCANTAIL_URL, SCANTAIL_CUSTOMER, SCANTAIL_TOKEN (used as is, never
  refreshed), SCANTAIL_CONFIG_DIR, SCANTAIL_COGNITO_ENDPOINT, NO_COLOR, FORCE_COLOR

Examples:
  scantail demo                           watch simulated scans (no account needed)
  scantail login                          sign in once; then just run scantail
  scantail -s 'M2SR*' -y ean13            one device family, EAN-13 only
  scantail -o ndjson | jq -r .scan_code   pipe events to other tools
  scantail -o devices                     which scanners report, battery and latency
  scantail doctor                         find the broken link from config to first event
`;

type Flags = Record<string, unknown>;

/** What the commands do, loaded only once one runs (see commands/index.ts). */
const commands = () => import("./commands/index.js");

/**
 * Builds the commander program for one run. Commands are declared here; their code is
 * loaded lazily, and so is what is heavy and not always needed — ws, conf and ajv, ora,
 * cli-table3, chalk, the simulator. `--version` never loads this file (main.ts answers).
 */
export function buildProgram(ctx: Context, setExit: (code: number) => void): Command {
  const program = new Command("scantail");
  const output = {
    writeOut: (s: string) => ctx.stdout.write(s),
    writeErr: (s: string) => ctx.stderr.write(s),
    outputError: (s: string, write: (s: string) => void) =>
      write(`scantail: ${s.replace(/^error: /, "")}`),
  };
  const flagsOf = (command: Command): Flags => command.optsWithGlobals();
  const action =
    (load: (flags: Flags, args: string[]) => Promise<number>) =>
    async (...args: unknown[]) => {
      const command = args[args.length - 1] as Command;
      const positional = args.slice(0, -2).map((a) => a as string);
      setExit(await load(flagsOf(command), positional));
    };

  program
    .name("scantail")
    .description(
      "Tail the ProGlove Insight live data feed: every barcode scan, live in your terminal or as NDJSON.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand(false)
    .addOption(
      new Option("--profile <name>", "config profile (env SCANTAIL_PROFILE; default: default)"),
    )
    .addOption(
      new Option("--color <when>", "colour: auto, always or never (NO_COLOR, FORCE_COLOR honoured)")
        .choices(["auto", "always", "never"])
        .default("auto"),
    )
    .option("-v, --verbose", "say more on stderr; stack traces for unexpected errors")
    .showSuggestionAfterError(true)
    .addHelpText("after", MAIN_HELP)
    .exitOverride()
    .configureOutput(output);

  const sub = (name: string, description: string, isDefault = false) =>
    program
      .command(name, isDefault ? { isDefault: true } : undefined)
      .description(description)
      .helpOption("-h, --help", "show help")
      .exitOverride()
      .configureOutput(output);

  addConnectionOptions(
    addOutputOptions(sub("tail", "stream live events (the default command)", true)),
  ).action(action(async (flags) => (await commands()).runTail(ctx, flags)));

  addSimulatorOptions(
    addOutputOptions(sub("demo", "stream from a built-in simulated feed: no account needed")),
    "5",
  )
    .option("--heartbeat <duration>", "ping interval", "30s")
    .option(
      "--renew-after <duration>",
      "open a fresh connection before the old one is this old",
      "110m",
    )
    .option("--no-reconnect", "exit 1 when the connection ends")
    .option("--max-retries <n>", "give up after n failed connection attempts in a row")
    .action(action(async (flags) => (await commands()).runDemo(ctx, flags)));

  addSimulatorOptions(
    addSimulateOptions(
      sub("simulate", "serve a simulated Insight live feed on loopback for other clients"),
    ),
    "5",
  ).action(action(async (flags) => (await commands()).runSimulate(ctx, flags)));

  addOutputOptions(sub("replay", "run recorded NDJSON events through the same filters and formats"))
    .argument(
      "<file>",
      "NDJSON file, or - for stdin (put it before -s, -y and other multi-value options)",
    )
    .option("--realtime", "pace events by their time_created, as they happened")
    .option("--speed <x>", "pace events by time_created, x times faster (e.g. 10)")
    .action(action(async (flags, [file]) => (await commands()).runReplay(ctx, file!, flags)));

  sub("login", "sign in and store tokens for the profile")
    .option("--base-url <url>", "Insight API base URL (shown in the webportal)")
    .option("--customer <id>", "customer ID")
    .option("--username <name>", "webportal user name (e-mail)")
    .option("--password-stdin", "read the password from stdin")
    .option("--token-stdin", "store a token read from stdin as is (no refresh possible)")
    .action(action(async (flags) => (await commands()).runLogin(ctx, flags)));

  sub("logout", "forget the profile's tokens").action(
    action(async (flags) => (await commands()).runLogout(ctx, flags)),
  );

  sub("status", "profile, customer, URL, token expiry — never a secret")
    .option("--json", "machine-readable output")
    .action(action(async (flags) => (await commands()).runStatus(ctx, flags)));

  sub("config", "read and change settings: get|set|unset <key> [value], list, path")
    .argument("<action>", "get, set, unset, list or path")
    .argument("[key]", "customer, url, baseUrl, tokenKind or format")
    .argument("[value]", "the value to set")
    .option("--json", "with list: machine-readable output")
    .action(
      action(async (flags, [verb, key, value]) =>
        (await commands()).runConfig(ctx, verb!, key, value, flags),
      ),
    );

  sub("doctor", "check every link from config to first event")
    .option("--wait <duration>", "how long to wait for the first event", "30s")
    .option("--json", "machine-readable output")
    .option("--url <url>", "live feed URL to check (env SCANTAIL_URL)")
    .option("--customer <id>", "customer ID (env SCANTAIL_CUSTOMER)")
    .option("--token-kind <kind>", "access or id")
    .option("--insecure", "allow unencrypted ws:// to a host that is not loopback")
    .action(action(async (flags) => (await commands()).runDoctor(ctx, flags)));

  sub("completion", "print a shell completion script: bash, zsh or fish")
    .argument("[shell]", "bash, zsh or fish")
    .addOption(new Option("--list-profiles", "stored profile names, for the scripts").hideHelp())
    .action(action(async (flags, [shell]) => (await commands()).runCompletion(ctx, shell, flags)));

  return program;
}

/** Runs one command line; maps every failure to one line on stderr and an exit code. */
export async function run(argv: string[], ctx: Context): Promise<number> {
  let exitCode: number = EXIT.ok;
  const verbose = argv.includes("-v") || argv.includes("--verbose");
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    return reportError(error, ctx, verbose);
  }
}

export function reportError(error: unknown, ctx: Context, verbose: boolean): number {
  if (error instanceof CommanderError) {
    if (
      error.code === "commander.helpDisplayed" ||
      error.code === "commander.version" ||
      error.code === "commander.help"
    ) {
      return EXIT.ok;
    }
    // commander has printed its one-line message already.
    return EXIT.usage;
  }
  if (error instanceof ScantailError) {
    ctx.stderr.write(`scantail: ${redactSecrets(error.message)}\n`);
    if (error.hint) ctx.stderr.write(`  ${redactSecrets(error.hint)}\n`);
    if (verbose && error.cause instanceof Error && error.cause.stack)
      ctx.stderr.write(`${redactSecrets(error.cause.stack)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(
    `scantail: unexpected error: ${redactSecrets(message)}${verbose ? "" : " (run with --verbose for details)"}\n`,
  );
  if (verbose && error instanceof Error && error.stack)
    ctx.stderr.write(`${redactSecrets(error.stack)}\n`);
  return EXIT.failure;
}
