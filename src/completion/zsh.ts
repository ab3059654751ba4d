import { quote, sourceWord } from "./bash.js";
import type { OptionSpec, ProgramSpec } from "./spec.js";

/*
 * The zsh script walks the words as the bash one does (same tables, same rules), and
 * hands candidates to zsh's own _describe (with descriptions), compadd and _files.
 * It works both from $fpath (as the autoloaded function _scantail) and sourced.
 */

const described = (name: string, description: string) =>
  quote(`${name.replace(/:/g, "\\:")}:${description.replace(/\s+/g, " ")}`);

export function zshScript(spec: ProgramSpec, version: string): string {
  const globals = spec.globalOptions;
  const all = [...globals, ...spec.commands.flatMap((c) => c.options)];
  const names = (options: OptionSpec[], which: (o: OptionSpec) => boolean = () => true) =>
    quote(` ${[...new Set(options.filter(which).flatMap((o) => o.names))].join(" ")} `);
  const describedOptions = (options: OptionSpec[]) => {
    const byName = new Map(options.flatMap((o) => o.names.map((n) => [n, o.description])));
    return [...byName].map(([n, description]) => described(n, description)).join(" ");
  };
  const perCommand = (body: (options: OptionSpec[]) => string) =>
    spec.commands.map((c) => `    ${quote(c.name)}) ${body([...c.options, ...globals])} ;;`);

  const valueBranches: string[] = [];
  const fallback = new Map<string, string>();
  for (const [command, options] of [
    ...spec.commands.map((c) => [c.name, c.options] as const),
    [undefined, globals] as const,
  ]) {
    for (const option of options) {
      if (!option.values) continue;
      const reply = quote(sourceWord(option.values));
      const patterns = option.names.map((n) =>
        command ? quote(`${command} ${n}`) : `*${quote(` ${n}`)}`,
      );
      valueBranches.push(`    ${patterns.join("|")}) REPLY=${reply} ;;`);
      for (const n of option.names) if (!fallback.has(n)) fallback.set(n, reply);
    }
  }
  for (const [n, reply] of fallback)
    valueBranches.push(`    *${quote(` ${n}`)}) REPLY=${reply} ;;`);

  const argumentBranches = spec.commands.flatMap((c) =>
    c.arguments.flatMap((a, index) =>
      a.values
        ? [`    ${quote(`${c.name} ${index}`)}) REPLY=${quote(sourceWord(a.values))} ;;`]
        : [],
    ),
  );
  const commandNames = spec.commands.flatMap((c) => [c.name, ...c.aliases]);
  const aliasBranches = spec.commands
    .filter((c) => c.aliases.length > 0)
    .map((c) => `          ${c.aliases.map(quote).join("|")}) command=${quote(c.name)} ;;`);

  return `#compdef ${spec.name}
# zsh completion for ${spec.name} ${version}, made by \`${spec.name} completion zsh\`.
# Save it as _${spec.name} in a directory of $fpath, or load it in ~/.zshrc after compinit:
#   source <(${spec.name} completion zsh)

_scantail_value_options() {
  case $1 in
${perCommand((o) => `REPLY=${names(o, (x) => x.takesValue)}`).join("\n")}
    *) REPLY=${names(all, (x) => x.takesValue)} ;;
  esac
}

_scantail_variadic_options() {
  case $1 in
${perCommand((o) => `REPLY=${names(o, (x) => x.variadic)}`).join("\n")}
    *) REPLY=${names(all, (x) => x.variadic)} ;;
  esac
}

_scantail_described_options() {
  case $1 in
${perCommand((o) => `reply=(${describedOptions(o)})`).join("\n")}
    *) reply=(${describedOptions(globals)}) ;;
  esac
}

_scantail_option_values() {
  case "$1 $2" in
${valueBranches.join("\n")}
    *) REPLY='' ;;
  esac
}

_scantail_argument_values() {
  case "$1 $2" in
${argumentBranches.join("\n")}
    *) REPLY='' ;;
  esac
}

_scantail_add_values() {
  local -a values
  case $1 in
    words:*)
      values=(\${=\${1#words:}})
      compadd -a values ;;
    profiles)
      # Stored profile names change: ask the binary (it prints names only, never a secret).
      values=(\${(f)"$(\${words[1]} completion --list-profiles 2>/dev/null)"})
      compadd -a values ;;
    files) _files ;;
  esac
}

_scantail() {
  local word command='' pending='' variadic='' option='' REPLY
  local -i i positional=0
  local -a reply
  local commands=${quote(` ${commandNames.join(" ")} `)}
  for ((i = 2; i < CURRENT; i++)); do
    word=$words[i]
    if [[ -n $pending && $word != -* ]]; then
      [[ -z $variadic ]] && pending=''
      continue
    fi
    pending='' variadic=''
    case $word in
      -*=*) ;;
      -*)
        _scantail_value_options "$command"
        if [[ $REPLY == *" $word "* ]]; then
          pending=$word
          _scantail_variadic_options "$command"
          [[ $REPLY == *" $word "* ]] && variadic=1
        fi
        ;;
      *)
        if [[ -z $command && $commands == *" $word "* ]]; then
          command=$word
          case $command in
${aliasBranches.join("\n")}
          esac
        else
          positional+=1
        fi
        ;;
    esac
  done
  local current_command=\${command:-${spec.defaultCommand ?? ""}}

  if [[ $PREFIX == --*=* ]]; then
    option=\${PREFIX%%=*}
    compset -P '*='
  elif [[ -n $pending && $PREFIX != -* ]]; then
    option=$pending
  fi
  if [[ -n $option ]]; then
    _scantail_option_values "$current_command" "$option"
    _scantail_add_values "$REPLY"
    return
  fi
  if [[ $PREFIX == -* ]]; then
    _scantail_described_options "$current_command"
    _describe -t options option reply
    return
  fi
  if [[ -z $command ]]; then
    reply=(${spec.commands.map((c) => described(c.name, c.description)).join(" ")})
    _describe -t commands command reply
    return
  fi
  _scantail_argument_values "$command" "$positional"
  _scantail_add_values "$REPLY"
}

if [[ $funcstack[1] == _scantail ]]; then
  # Autoloaded from $fpath: this file is the body of _scantail; complete now.
  _scantail "$@"
elif (( $+functions[compdef] )); then
  compdef _scantail ${spec.name}
fi
`;
}
