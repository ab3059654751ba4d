import type { CommandSpec, OptionSpec, ProgramSpec, ValueSource } from "./spec.js";

/*
 * The bash script answers every Tab press in the shell itself (no Node start per key):
 * the command line's words are walked once to find the command, a pending option value
 * or the positional argument, and candidates come from tables generated here. Plain
 * `case` and strings, no associative arrays: macOS still ships bash 3.2.
 */

export const quote = (text: string): string => `'${text.replace(/'/g, `'\\''`)}'`;

/** A value source as the script's `_scantail_reply` carries it. */
export function sourceWord(source: ValueSource): string {
  return source.kind === "words" ? `words:${source.words.join(" ")}` : source.kind;
}

const optionNames = (options: OptionSpec[], which: (o: OptionSpec) => boolean) =>
  options.filter(which).flatMap((o) => o.names);

/** `case` branches: one pattern list per value source, first match wins. */
function valueBranches(spec: ProgramSpec): string[] {
  const branches: string[] = [];
  const fallback = new Map<string, string>();
  const add = (command: CommandSpec | undefined, option: OptionSpec) => {
    if (!option.values) return;
    const reply = sourceWord(option.values);
    const patterns = option.names.map((name) =>
      command ? quote(`${command.name} ${name}`) : `*${quote(` ${name}`)}`,
    );
    branches.push(`    ${patterns.join("|")}) _scantail_reply=${quote(reply)} ;;`);
    for (const name of option.names) if (!fallback.has(name)) fallback.set(name, reply);
  };
  for (const command of spec.commands) for (const option of command.options) add(command, option);
  for (const option of spec.globalOptions) add(undefined, option);
  // Before the command name (`scantail -o <Tab> demo`): any command's values for it.
  for (const [name, reply] of fallback)
    branches.push(`    *${quote(` ${name}`)}) _scantail_reply=${quote(reply)} ;;`);
  return branches;
}

export function bashScript(spec: ProgramSpec, version: string): string {
  const globals = spec.globalOptions;
  const all = [...globals, ...spec.commands.flatMap((c) => c.options)];
  const spaced = (names: string[]) => quote(` ${[...new Set(names)].join(" ")} `);
  const perCommand = (pick: (options: OptionSpec[]) => string[]) =>
    spec.commands.map(
      (c) => `    ${quote(c.name)}) _scantail_reply=${spaced(pick([...c.options, ...globals]))} ;;`,
    );
  const argumentBranches = spec.commands.flatMap((c) =>
    c.arguments.flatMap((a, index) =>
      a.values
        ? [`    ${quote(`${c.name} ${index}`)}) _scantail_reply=${quote(sourceWord(a.values))} ;;`]
        : [],
    ),
  );
  const commandNames = spec.commands.flatMap((c) => [c.name, ...c.aliases]);
  const aliasBranches = spec.commands
    .filter((c) => c.aliases.length > 0)
    .map((c) => `    ${c.aliases.map(quote).join("|")}) command=${quote(c.name)} ;;`);

  return `# bash completion for ${spec.name} ${version}, made by \`${spec.name} completion bash\`.
# Load it in ~/.bashrc:  source <(${spec.name} completion bash)

_scantail_commands=${quote(commandNames.join(" "))}
_scantail_default_command=${quote(spec.defaultCommand ?? "")}

# Every option of a command, the program's own included.
_scantail_options() {
  case $1 in
${perCommand((o) => optionNames(o, () => true)).join("\n")}
    *) _scantail_reply=${spaced(optionNames(globals, () => true))} ;;
  esac
}

# The options that take a value; before the command name, any command's.
_scantail_value_options() {
  case $1 in
${perCommand((o) => optionNames(o, (x) => x.takesValue)).join("\n")}
    *) _scantail_reply=${spaced(optionNames(all, (x) => x.takesValue))} ;;
  esac
}

# The options that take every following word up to the next option (<pattern...>).
_scantail_variadic_options() {
  case $1 in
${perCommand((o) => optionNames(o, (x) => x.variadic)).join("\n")}
    *) _scantail_reply=${spaced(optionNames(all, (x) => x.variadic))} ;;
  esac
}

# Where the values of option $2 of command $1 come from: words:…, profiles or files.
_scantail_option_values() {
  case "$1 $2" in
${valueBranches(spec).join("\n")}
    *) _scantail_reply='' ;;
  esac
}

# Where the values of positional argument $2 (from 0) of command $1 come from.
_scantail_argument_values() {
  case "$1 $2" in
${argumentBranches.join("\n")}
    *) _scantail_reply='' ;;
  esac
}

_scantail_add_values() {
  case $1 in
    words:*) COMPREPLY=($(compgen -P "$prefix" -W "\${1#words:}" -- "$cur")) ;;
    profiles)
      # Stored profile names change: ask the binary (it prints names only, never a secret).
      COMPREPLY=($(compgen -P "$prefix" -W "$("\${COMP_WORDS[0]}" completion --list-profiles 2>/dev/null)" -- "$cur")) ;;
    files)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur")) ;;
  esac
}

_scantail() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prefix='' word command='' pending='' variadic=''
  local positional=0 i option='' _scantail_reply
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ $word == = ]]; then
      # --name=value, split by COMP_WORDBREAKS: the value is the next word.
      ((i++))
      pending='' variadic=''
      continue
    fi
    if [[ -n $pending && $word != -* ]]; then
      [[ -z $variadic ]] && pending=''
      continue
    fi
    pending='' variadic=''
    case $word in
      -*=*) ;;
      -*)
        _scantail_value_options "$command"
        if [[ $_scantail_reply == *" $word "* ]]; then
          pending=$word
          _scantail_variadic_options "$command"
          [[ $_scantail_reply == *" $word "* ]] && variadic=1
        fi
        ;;
      *)
        if [[ -z $command && " $_scantail_commands " == *" $word "* ]]; then
          command=$word
          case $command in
${aliasBranches.join("\n")}
          esac
        else
          ((positional++))
        fi
        ;;
    esac
  done
  local current_command=\${command:-$_scantail_default_command}

  if [[ $cur == = ]]; then
    option=\${COMP_WORDS[COMP_CWORD - 1]} cur=''
  elif ((COMP_CWORD >= 2)) && [[ \${COMP_WORDS[COMP_CWORD - 1]} == = ]]; then
    option=\${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ $cur == --*=* ]]; then
    option=\${cur%%=*} prefix="\${cur%%=*}=" cur=\${cur#*=}
  elif [[ -n $pending && $cur != -* ]]; then
    option=$pending
  fi
  if [[ -n $option ]]; then
    _scantail_option_values "$current_command" "$option"
    _scantail_add_values "$_scantail_reply"
    return 0
  fi
  if [[ $cur == -* ]]; then
    _scantail_options "$current_command"
    COMPREPLY=($(compgen -W "$_scantail_reply" -- "$cur"))
    return 0
  fi
  if [[ -z $command ]]; then
    COMPREPLY=($(compgen -W "$_scantail_commands" -- "$cur"))
    return 0
  fi
  _scantail_argument_values "$command" "$positional"
  _scantail_add_values "$_scantail_reply"
  return 0
}

complete -F _scantail ${spec.name}
`;
}
