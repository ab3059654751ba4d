import type { Command, Option } from "commander";
import { SETTING_KEYS } from "../config/settings.js";
import { normalizeSymbology } from "../events/filter.js";
import { SYMBOLOGIES } from "../events/symbologies.js";
import { FORMAT_NAMES, TIME_MODES } from "../format/names.js";

/*
 * What shell completion and the man page know about the command line, read from the
 * commander program that `--help` prints (buildProgram in cli.ts): commands, options,
 * flags, descriptions, choices and defaults are never listed here by hand, so they
 * cannot drift. Only what commander cannot know lives here: which values an option
 * without declared choices takes (formats, symbologies, profiles, files).
 */

/** Where the candidate values of an option or argument come from. */
export type ValueSource =
  | { kind: "words"; words: readonly string[] }
  /** Stored profile names, asked of the binary when completing (they change). */
  | { kind: "profiles" }
  | { kind: "files" };

export interface OptionSpec {
  /** Every spelling: `-o`, `--format`. */
  names: string[];
  /** `<format>` or `[x]`, empty for a switch. */
  valueName: string;
  takesValue: boolean;
  /** `<pattern...>`: every following word up to the next option is a value. */
  variadic: boolean;
  description: string;
  values?: ValueSource;
  /** As commander shows it: `"30s"`, `"auto"`; undefined when there is none. */
  defaultValue?: string;
}

export interface ArgumentSpec {
  name: string;
  required: boolean;
  variadic: boolean;
  description: string;
  values?: ValueSource;
}

export interface CommandSpec {
  name: string;
  aliases: string[];
  description: string;
  options: OptionSpec[];
  arguments: ArgumentSpec[];
  usage: string;
}

export interface ProgramSpec {
  name: string;
  description: string;
  usage: string;
  /** Options of the program itself, valid before and after any command name. */
  globalOptions: OptionSpec[];
  commands: CommandSpec[];
  /** The command that runs when none is named (`scantail -s X` is `scantail tail -s X`). */
  defaultCommand?: string;
}

const words = (list: readonly string[]): ValueSource => ({ kind: "words", words: list });

/**
 * -y ignores case, spaces, `-` and `_`, so symbologies are offered in that compact
 * spelling, which needs no quoting in a shell: `ean13`, `code128`, `qrcode`.
 */
const SYMBOLOGY_WORDS = [...new Set(SYMBOLOGIES.map(normalizeSymbology))];

/** Values of options that declare no choices, by the option's long name. */
const OPTION_VALUES: Record<string, ValueSource> = {
  "--format": words(FORMAT_NAMES),
  "--time": words(TIME_MODES),
  "--token-kind": words(["access", "id"]),
  "--profile": { kind: "profiles" },
  "--symbology": words(SYMBOLOGY_WORDS),
  "--exclude-symbology": words(SYMBOLOGY_WORDS),
  "--tee": { kind: "files" },
};

/** Values of positional arguments that declare no choices, by `command argument`. */
const ARGUMENT_VALUES: Record<string, ValueSource> = {
  "replay file": { kind: "files" },
  "config action": words(["get", "set", "unset", "list", "path"]),
  "config key": words(SETTING_KEYS),
  "completion shell": words(["bash", "zsh", "fish"]),
};

function describeOption(option: Option): OptionSpec {
  const names = [option.short, option.long].filter((n): n is string => Boolean(n));
  const takesValue = option.required || option.optional;
  const valueName = /[<[][^>\]]*[>\]]/.exec(option.flags)?.[0] ?? "";
  const values: ValueSource | undefined = option.argChoices
    ? words(option.argChoices)
    : takesValue
      ? OPTION_VALUES[option.long ?? ""]
      : undefined;
  const shown = option.defaultValueDescription ?? option.defaultValue;
  const hasDefault =
    takesValue && shown !== undefined && !(Array.isArray(shown) && shown.length === 0);
  return {
    names,
    valueName,
    takesValue,
    variadic: option.variadic,
    description: option.description,
    ...(values ? { values } : {}),
    ...(hasDefault ? { defaultValue: Array.isArray(shown) ? shown.join(",") : String(shown) } : {}),
  };
}

function describeCommand(command: Command): CommandSpec {
  const help = command.createHelp();
  return {
    name: command.name(),
    aliases: command.aliases(),
    description: command.description(),
    options: help.visibleOptions(command).map(describeOption),
    arguments: command.registeredArguments.map((argument) => {
      const values = argument.argChoices
        ? words(argument.argChoices)
        : ARGUMENT_VALUES[`${command.name()} ${argument.name()}`];
      return {
        name: argument.name(),
        required: argument.required,
        variadic: argument.variadic,
        description: argument.description,
        ...(values ? { values } : {}),
      };
    }),
    usage: command.usage(),
  };
}

export function describeProgram(program: Command): ProgramSpec {
  const help = program.createHelp();
  // commander keeps the default command's name private; it is the one declared with
  // { isDefault: true }, and without it there is simply no default to complete.
  const defaultCommand = (program as unknown as { _defaultCommandName?: string })
    ._defaultCommandName;
  const root = describeCommand(program);
  const commands = help.visibleCommands(program).map(describeCommand);
  // `scantail help <command>` completes the command names.
  const names = words(commands.map((c) => c.name).filter((n) => n !== "help"));
  for (const argument of commands.find((c) => c.name === "help")?.arguments ?? [])
    argument.values ??= names;
  return {
    name: program.name(),
    description: program.description(),
    usage: program.usage(),
    globalOptions: root.options,
    commands,
    ...(defaultCommand ? { defaultCommand } : {}),
  };
}

/**
 * The titled sections that follow the options in `scantail --help` ("Exit codes:",
 * "Environment:", "Examples:"), as written by `addHelpText("after", …)`: title and lines.
 */
export function helpSections(text: string): { title: string; lines: string[] }[] {
  const sections: { title: string; lines: string[] }[] = [];
  let current: { title: string; lines: string[] } | undefined;
  for (const line of text.split("\n")) {
    const title = /^([A-Z][^:]*):$/.exec(line)?.[1];
    if (title) {
      current = { title, lines: [] };
      sections.push(current);
    } else if (current && line.trim()) {
      current.lines.push(line);
    }
  }
  return sections.filter((s) => !/^(Usage|Commands|Arguments)|Options$/.test(s.title));
}
