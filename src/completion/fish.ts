import type { OptionSpec, ProgramSpec, ValueSource } from "./spec.js";

/*
 * fish completes from `complete` rules, one per option, each guarded by a condition
 * saying which command is being typed (the default command's options apply while no
 * command is named).
 */

const quote = (text: string): string =>
  `'${text.replace(/\s+/g, " ").replace(/[\\']/g, (c) => `\\${c}`)}'`;

function values(source: ValueSource | undefined): string {
  if (!source) return "";
  switch (source.kind) {
    case "words":
      return ` -a ${quote(source.words.join(" "))}`;
    case "profiles":
      // Stored profile names change: ask the binary (it prints names only, never a secret).
      return ` -a '(__fish_scantail_binary completion --list-profiles 2>/dev/null)'`;
    case "files":
      return " -F";
  }
}

function optionRule(name: string, condition: string, option: OptionSpec): string {
  const spellings = option.names
    .map((n) => (n.startsWith("--") ? ` -l ${n.slice(2)}` : ` -s ${n.slice(1)}`))
    .join("");
  // -x: takes a value and completes no file names unless the values say so.
  const value = option.takesValue ? (option.values?.kind === "files" ? " -r" : " -x") : "";
  return `complete -c ${name}${condition}${spellings}${value}${values(option.values)} -d ${quote(option.description)}`;
}

export function fishScript(spec: ProgramSpec, version: string): string {
  const name = spec.name;
  const lines = [
    `# fish completion for ${name} ${version}, made by \`${name} completion fish\`.`,
    `# Save it as ~/.config/fish/completions/${name}.fish, or: ${name} completion fish | source`,
    "",
    "function __fish_scantail_binary",
    "    set -l tokens (commandline -opc)",
    "    $tokens[1] $argv",
    "end",
    "",
    "# The command being typed (an alias gives its command), empty while none is named.",
    "function __fish_scantail_command",
    "    set -l tokens (commandline -opc)",
    "    set -e tokens[1]",
    "    for token in $tokens",
    "        switch $token",
    ...spec.commands.map(
      (c) =>
        `            case ${[c.name, ...c.aliases].map(quote).join(" ")}\n                echo ${quote(c.name)}\n                return`,
    ),
    "        end",
    "    end",
    "end",
    "",
    "function __fish_scantail_using",
    "    set -l command (__fish_scantail_command)",
    `    test -n "$command"; or set command ${quote(spec.defaultCommand ?? "")}`,
    "    contains -- $command $argv",
    "end",
    "",
    "function __fish_scantail_no_command",
    "    set -l command (__fish_scantail_command)",
    '    test -z "$command"',
    "end",
    "",
    "# Words after the command that are not options: the positional argument being typed.",
    "# Usage: __fish_scantail_argument <index from 0> <command and its aliases>",
    "function __fish_scantail_argument",
    "    set -l tokens (commandline -opc)",
    "    set -e tokens[1]",
    "    set -l seen 0",
    "    set -l count 0",
    "    for token in $tokens",
    "        if test $seen = 1",
    "            string match -q -- '-*' $token; or set count (math $count + 1)",
    "        else if contains -- $token $argv[2..-1]",
    "            set seen 1",
    "        end",
    "    end",
    "    test $seen = 1; and test $count = $argv[1]",
    "end",
    "",
    `complete -c ${name} -f`,
    ...spec.commands.map(
      (c) =>
        `complete -c ${name} -n __fish_scantail_no_command -a ${quote(c.name)} -d ${quote(c.description)}`,
    ),
    ...spec.globalOptions.flatMap((o) => optionRule(name, "", o)),
  ];
  for (const command of spec.commands) {
    const condition = ` -n ${quote(`__fish_scantail_using ${command.name}`)}`;
    const globalNames = new Set(spec.globalOptions.flatMap((o) => o.names));
    for (const option of command.options)
      if (!option.names.every((n) => globalNames.has(n)))
        lines.push(optionRule(name, condition, option));
    command.arguments.forEach((argument, index) => {
      if (!argument.values) return;
      const at = ` -n ${quote(`__fish_scantail_argument ${index} ${[command.name, ...command.aliases].join(" ")}`)}`;
      lines.push(`complete -c ${name}${at}${values(argument.values)}`);
    });
  }
  return `${lines.join("\n")}\n`;
}
