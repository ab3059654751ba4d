import { Argument, Command, CommanderError, type Option } from "commander";
import {
  addGroup,
  COMMAND_OPTIONS,
  type CommandFlags,
  GLOBAL_OPTIONS,
} from "./commands/options.js";
import type { Context } from "./context.js";
import { EXIT, ScantailError, UsageError } from "./errors.js";
import { sanitize } from "./util/sanitize.js";
import { didYouMean } from "./util/suggest.js";

declare const SCANTAIL_VERSION: string | undefined;
export const VERSION = typeof SCANTAIL_VERSION === "string" ? SCANTAIL_VERSION : "0.0.0-dev";

const MAIN_HELP = `
Run \`scantail <command> --help\` (or \`scantail help <command>\`) for a command's options.
Options may stand before or after the command: \`scantail -o table demo\` = \`scantail demo -o table\`.

Exit codes:
  0    done (--count reached, replay finished, command succeeded)
  1    runtime failure (connection lost with --no-reconnect, retries exhausted)
  2    usage or configuration error
  3    authentication (not signed in, token refused, sign-in refused)
  124  --timeout elapsed before --count was reached
  130  stopped by Ctrl-C (SIGINT); 143 by SIGTERM

Environment (a flag beats the environment, which beats the stored profile):
  SCANTAIL_PROFILE           config profile (like --profile)
  SCANTAIL_URL               live feed URL (like --url)
  SCANTAIL_CUSTOMER          customer ID (like --customer)
  SCANTAIL_TOKEN             use this token as is, never refreshed (no flag: keeps it out of argv)
  SCANTAIL_TOKEN_KIND        access or id (like --token-kind)
  SCANTAIL_FORMAT            output format (like -o)
  SCANTAIL_BASE_URL          Insight API base URL (like --base-url)
  SCANTAIL_CONFIG_DIR        where the config file lives (default: the user's config directory)
  SCANTAIL_COGNITO_ENDPOINT  sign-in endpoint (tests, private endpoints)
  SCANTAIL_SIMULATE_TOKEN    simulate: accept only this token
  SCANTAIL_FORWARD_SECRET    forward: sign each delivery with this secret (HMAC-SHA256)
  NO_COLOR, FORCE_COLOR      turn colour off / on

Examples:
  scantail demo                           watch simulated scans (no account needed)
  scantail login                          sign in once; then just run scantail
  scantail -s 'M2SR*' -y ean13            one device family, EAN-13 only
  scantail -o ndjson | jq -r .scan_code   pipe events to other tools
  scantail -o devices                     which scanners report, battery and latency
  scantail doctor                         find the broken link from config to first event
  scantail forward http://localhost:3000/scans   POST every scan to your service
`;

const examples = (lines: string) => `\nExamples:\n${lines}`;

/** What each command says about itself: one line, and examples for its help. */
const ABOUT = {
  tail: {
    description: "stream live events (the default command)",
    examples: examples(`  scantail                                 every event, pretty on a terminal
  scantail -s M2SR121103132 -y ean13      one scanner, EAN-13 only
  scantail --code '^0400' -o table         codes starting 0400, as a table
  scantail -o ndjson --tee scans.ndjson    keep a recording while piping
  scantail -n 1 --timeout 30s              wait for one scan; exit 124 after 30s
  scantail --since 10m                     the last ten minutes from the history, then live
`),
  },
  demo: {
    description: "stream from a built-in simulated feed: no account needed",
    examples: examples(`  scantail demo                            simulated scans, pretty
  scantail demo -o devices                 the simulated fleet, one row per scanner
  scantail demo --rate 50 -o ndjson | head a quick sample as NDJSON
  scantail demo --reject 500,500,ok        watch the client retry a failing handshake
  scantail demo --stall-after 10s --heartbeat 2s   see a dead link detected
  scantail demo --since 10m                the simulator's stored past, then live
  scantail demo --drop-after 6s -o ndjson  drops, each gap filled from the history
`),
  },
  events: {
    description: "stored events from the REST event history, oldest first (experimental)",
    examples: examples(`  scantail events                          the last hour's scans
  scantail events --since 15m -s M2SR121103132   did my test scan arrive?
  scantail events --since 2026-11-26T08:00 --until 2026-11-26T09:00 -o csv > shift.csv
  scantail events --since 1700000000000 -o ndjson | jq -r .scan_code
`),
  },
  simulate: {
    description: "serve a simulated Insight live feed on loopback for other clients",
    examples:
      examples(`  scantail simulate                        print a ws://127.0.0.1:…/latest/ URL and serve it
  scantail simulate --port 8080 --seed 1   a fixed port and a repeatable feed
  scantail simulate --max-age 1m --malformed 0.1   exercise a client's reconnects and parser
`),
  },
  replay: {
    description: "run recorded NDJSON events through the same filters and formats",
    examples: examples(`  scantail replay scans.ndjson -o table      a recording as a table
  scantail replay scans.ndjson -s 'M2SR*' -n 10   the first ten scans of some devices
  scantail replay - --realtime < scans.ndjson     from stdin, paced as recorded
  scantail replay scans.ndjson --strict            report every bad line
`),
  },
  login: {
    description: "sign in and store tokens for the profile",
    examples: examples(`  scantail login                           asks for what it needs
  scantail login --base-url https://… --customer ID --username me@example.com --password-stdin < pw
  printf %s "$TOKEN" | scantail login --token-stdin
`),
  },
  logout: {
    description: "forget the profile's tokens",
    examples: examples(`  scantail logout
  scantail logout --profile staging
`),
  },
  status: {
    description:
      "profile, customer, URL, token expiry — never a secret (exit 3 when not signed in)",
    examples: examples(`  scantail status
  scantail status --json | jq .expiresAt
`),
  },
  config: {
    description: "read and change settings: get|set|unset <key> [value], list, path",
    examples: examples(`  scantail config set format table         a stored default for -o
  scantail config set token-kind id        kebab-case works as the flags spell it
  scantail config list
  scantail config unset url
`),
  },
  forward: {
    description: "deliver live events to a webhook or a NATS JetStream subject",
    examples:
      examples(`  scantail forward https://hooks.example.com/scans --header 'X-Team: receiving'
  scantail forward http://localhost:3000/scans --demo      the simulated feed, no account
  SCANTAIL_FORWARD_SECRET=whsec_… scantail forward https://…  signed (Scantail-Signature)
  scantail forward nats://127.0.0.1:4222 --create-stream SCANS
  scantail forward nats://nats:4222 --subject 'scans.{gateway_id}.{device_serial}'
  scantail forward https://… -s 'M2SR*' --max-attempts 10 -q   one family; give up after 10
`),
  },
  completion: {
    description: "print a shell completion script: bash, zsh or fish",
    examples: examples(`  source <(scantail completion bash)        in ~/.bashrc
  source <(scantail completion zsh)         in ~/.zshrc, after compinit
  scantail completion fish > ~/.config/fish/completions/scantail.fish
`),
  },
  doctor: {
    description: "check every link from config to first event",
    examples: examples(`  scantail doctor
  scantail doctor --wait 2m --json
`),
  },
} as const;

/** What the commands do, loaded only once one runs (see commands/index.ts). */
const commands = () => import("./commands/index.js");

type CommandName = keyof typeof COMMAND_OPTIONS;
type Handler<N extends CommandName> = (flags: CommandFlags<N>, args: string[]) => Promise<number>;

/**
 * Builds the commander program for one run. Options come from commands/options.ts (one
 * definition each); command code is loaded lazily, and so is what is heavy and not always
 * needed — ws, conf, ora, chalk, the simulator. `--version` alone never loads
 * this file (main.ts answers).
 */
export function buildProgram(ctx: Context, setExit: (code: number) => void): Command {
  const program = new Command("scantail");
  const output = {
    writeOut: (s: string) => ctx.stdout.write(s),
    writeErr: (s: string) => ctx.stderr.write(s),
    // Command lines can carry escape sequences too: errors quote them escaped.
    outputError: (s: string, write: (s: string) => void) =>
      write(`scantail: ${safeLines(commanderMessage(s))}`),
  };

  program
    .name("scantail")
    .description(
      "Tail the ProGlove Insight live data feed: every barcode scan, live in your terminal or as NDJSON.",
    )
    .usage("[command] [options]")
    .optionsGroup("Global Options:")
    .version(VERSION, "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .helpCommand("help [command]", "show help for a command")
    .showSuggestionAfterError(true)
    .configureHelp({
      showGlobalOptions: true,
      // `config <action> [key] [value]`, without commander's "[options]" in every row.
      subcommandTerm: (command) =>
        [
          command.name(),
          ...command.registeredArguments.map((a) =>
            a.required ? `<${a.name()}>` : `[${a.name()}]`,
          ),
        ].join(" "),
    })
    .addHelpText("after", MAIN_HELP)
    .exitOverride()
    .configureOutput(output);
  addGroup(program, GLOBAL_OPTIONS, "Global Options:");

  const define = <N extends CommandName>(
    name: N,
    handler: Handler<N>,
    configure?: (command: Command) => void,
  ): Command => {
    const about = ABOUT[name];
    const command = program
      .command(name, name === "tail" ? { isDefault: true } : undefined)
      .description(about.description)
      .helpOption("-h, --help", "show help")
      .exitOverride()
      .configureOutput(output)
      .configureHelp({ showGlobalOptions: true });
    configure?.(command);
    for (const [heading, group] of Object.entries(COMMAND_OPTIONS[name]))
      addGroup(command, group, heading);
    command.addHelpText("after", about.examples);
    command.action(async (...args: unknown[]) => {
      const self = args[args.length - 1] as Command;
      const positional = self.args.slice(0, self.registeredArguments.length);
      // The options were built from the same table as CommandFlags<N> (addGroup checks
      // every attribute name), so this is the one place the types meet commander.
      setExit(await handler(self.optsWithGlobals() as CommandFlags<N>, positional));
    });
    return command;
  };

  define("tail", async (flags) => (await commands()).runTail(ctx, flags));
  define("demo", async (flags) => (await commands()).runDemo(ctx, flags));
  define("events", async (flags) => (await commands()).runEvents(ctx, flags));
  define("simulate", async (flags) => (await commands()).runSimulate(ctx, flags));
  define(
    "replay",
    async (flags, [file]) => (await commands()).runReplay(ctx, file ?? "-", flags),
    (command) => command.argument("<file>", "NDJSON recording, or - for stdin"),
  );
  define("login", async (flags) => (await commands()).runLogin(ctx, flags));
  define("logout", async (flags) => (await commands()).runLogout(ctx, flags));
  define("status", async (flags) => (await commands()).runStatus(ctx, flags));
  define(
    "config",
    async (flags, [verb, key, value]) =>
      (await commands()).runConfig(ctx, verb ?? "", key, value, flags),
    (command) =>
      command
        .addArgument(
          new Argument("<action>", "what to do").choices(["get", "set", "unset", "list", "path"]),
        )
        .argument("[key]", "customer, url, base-url, token-kind or format (either spelling)")
        .argument("[value]", "the value to set"),
  );
  define("doctor", async (flags) => (await commands()).runDoctor(ctx, flags));
  define(
    "forward",
    async (flags, [destination]) => (await commands()).runForward(ctx, destination ?? "", flags),
    (command) =>
      command.argument("<destination>", "http(s)://host/path (webhook) or nats://host:port"),
  );

  program
    .command("version")
    .description("print the version (the same as --version)")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .configureOutput(output)
    .action(() => {
      ctx.stdout.write(`${VERSION}\n`);
      setExit(EXIT.ok);
    });

  define(
    "completion",
    async (flags, [shell]) => (await commands()).runCompletion(ctx, shell, flags),
    (command) => command.argument("[shell]", "bash, zsh or fish"),
  );

  return program;
}

/** commander's wording, in the shape of every other scantail error line. */
function commanderMessage(text: string): string {
  return text
    .replace(/^error: /, "")
    .replace(/\n\(Did you mean (\S+)\?\)/, " (did you mean '$1'?)")
    .replace(
      /^option '(?:-\w, )?(--[\w-]+)[^']*' argument '(.*)' is invalid\. Allowed choices are (.*)\.$/m,
      (_, flag: string, value: string, choices: string) =>
        `invalid ${flag} "${value}"${didYouMean(value, choices.split(", "))}: expected ${choices.replace(/, ([^,]*)$/, " or $1")}`,
    )
    .replace(
      /^command-argument value '(.*)' is invalid for argument '(\w+)'\. Allowed choices are (.*)\.$/m,
      (_, value: string, name: string, choices: string) =>
        `unknown ${name} '${value}'${didYouMean(value, choices.split(", "))}: expected ${choices.replace(/, ([^,]*)$/, " or $1")}`,
    );
}

/**
 * Lets options stand before the command name (`scantail -o table demo`) by moving them
 * after it, and names the closest command for an unknown one. Pure: it reads only the
 * program's declarations, so commands added later (completion, events, forward) are
 * known without a list here. No command name at all means `tail`, the default.
 */
export function reorderArgv(argv: readonly string[], program: Command): string[] {
  const commandNames = new Set<string>(["help"]);
  const options = new Map<string, Option>();
  const collect = (command: Command) => {
    for (const option of command.options) {
      if (option.long) options.set(option.long, option);
      if (option.short) options.set(option.short, option);
      if (option.negate && option.long) options.set(option.long, option);
    }
  };
  collect(program);
  for (const command of program.commands) {
    commandNames.add(command.name());
    for (const alias of command.aliases()) commandNames.add(alias);
    collect(command);
  }
  const before: string[] = [];
  const unknownOption = (flag: string): never => {
    const longs = [...options.keys()].filter((k) => k.startsWith("--"));
    throw new UsageError(
      `unknown option '${flag}'${flag.startsWith("--") ? didYouMean(flag, longs) : ""}`,
    );
  };
  const takesValue = (option: Option) => option.required || option.optional;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    if (token === "--") return [...argv];
    if (token === "-h" || token === "--help" || token === "-V" || token === "--version") {
      before.push(token);
      continue;
    }
    if (token.startsWith("--")) {
      const [name] = token.split("=", 1) as [string];
      const option = options.get(name) ?? unknownOption(name);
      before.push(token);
      if (takesValue(option) && !token.includes("=") && i + 1 < argv.length)
        before.push(argv[++i] as string);
      continue;
    }
    if (token.startsWith("-") && token.length > 1) {
      before.push(token);
      // A cluster of short flags (`-vq`), the last of which may take a value (`-otable`).
      for (let j = 1; j < token.length; j++) {
        const option = options.get(`-${token[j]}`) ?? unknownOption(`-${token[j]}`);
        if (takesValue(option)) {
          if (j === token.length - 1 && i + 1 < argv.length) before.push(argv[++i] as string);
          break;
        }
      }
      continue;
    }
    if (!commandNames.has(token)) {
      const hint = didYouMean(token, commandNames) || " (`scantail help` lists the commands)";
      throw new UsageError(`unknown command '${token}'${hint}`);
    }
    if (token === "help") {
      const topic = argv.slice(i + 1).find((t) => !t.startsWith("-"));
      if (topic !== undefined && !commandNames.has(topic))
        throw new UsageError(`unknown command '${topic}'${didYouMean(topic, commandNames)}`);
    }
    return before.length ? [token, ...before, ...argv.slice(i + 1)] : [...argv];
  }
  return [...argv];
}

/** Runs one command line; maps every failure to one line on stderr and an exit code. */
export async function run(argv: string[], ctx: Context): Promise<number> {
  let exitCode: number = EXIT.ok;
  const verbose = argv.includes("-v") || argv.includes("--verbose");
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(reorderArgv(argv, program), { from: "user" });
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
    ctx.stderr.write(`scantail: ${safeLines(ctx.redactor.redact(error.message))}\n`);
    if (error.hint) ctx.stderr.write(`  ${safeLines(ctx.redactor.redact(error.hint))}\n`);
    if (verbose && error.cause instanceof Error && error.cause.stack)
      ctx.stderr.write(`${ctx.redactor.redact(error.cause.stack)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(
    `scantail: unexpected error: ${safeLines(ctx.redactor.redact(message))}${verbose ? "" : " (run with --verbose for details)"}\n`,
  );
  if (verbose && error instanceof Error && error.stack)
    ctx.stderr.write(`${ctx.redactor.redact(error.stack)}\n`);
  return EXIT.failure;
}

/** Text made terminal-safe line by line (the line breaks themselves are kept). */
function safeLines(text: string): string {
  return text
    .split("\n")
    .map((line) => sanitize(line))
    .join("\n");
}
