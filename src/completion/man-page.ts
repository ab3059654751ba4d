import { CONFIG_FILE, configDir } from "../config/paths.js";
import { helpSections, type OptionSpec, type ProgramSpec } from "./spec.js";

/*
 * scantail(1) in roff (man(7) macros), made at build time from the same commander
 * program as --help (see spec.ts) and from the titled sections --help prints after the
 * options (exit codes, environment, examples), so the page cannot drift from the CLI.
 */

/** Text for roff: backslashes, and lines that would start with a control character. */
function roff(text: string): string {
  return text
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .replace(/…/g, "...")
    .replace(/—/g, "\\(em")
    .replace(/→/g, "\\(->")
    .replace(/^([.'])/gm, "\\&$1");
}

const bold = (text: string) => `\\fB${roff(text)}\\fR`;
const italic = (text: string) => `\\fI${roff(text)}\\fR`;

function optionEntry(option: OptionSpec): string {
  const names = option.names.map(bold).join(", ");
  const value = option.valueName ? ` ${italic(option.valueName)}` : "";
  const choices =
    option.values?.kind === "words" &&
    option.values.words.length <= 8 &&
    !option.values.words.every((word) => option.description.includes(word))
      ? ` One of: ${option.values.words.join(", ")}.`
      : "";
  const fallback =
    option.defaultValue !== undefined && !option.description.includes("default")
      ? ` Default: ${option.defaultValue}.`
      : "";
  return `.TP\n${names}${value}\n${roff(`${option.description}.${choices}${fallback}`.replace(/\.\./g, "."))}`;
}

/** A --help section as a tagged list when its lines are `term  description`, else prose. */
function sectionBody(lines: string[]): string {
  const entries: { term: string; text: string }[] = [];
  let prose = 0;
  for (const line of lines) {
    const match = /^\s+(\S.*?)\s{2,}(\S.*)$/.exec(line);
    if (match) entries.push({ term: match[1]!, text: match[2]! });
    else if (entries.length > 0) entries[entries.length - 1]!.text += ` ${line.trim()}`;
    else prose++;
  }
  if (prose > 0 || entries.length === 0) return roff(lines.map((l) => l.trim()).join(" "));
  return entries.map((e) => `.TP\n${bold(e.term)}\n${roff(e.text)}`).join("\n");
}

const MAN_SECTION: Record<string, string> = {
  "exit codes": "EXIT STATUS",
  environment: "ENVIRONMENT",
  examples: "EXAMPLES",
};

export function manPage(spec: ProgramSpec, helpText: string, version: string): string {
  const name = spec.name;
  // "Environment (a flag beats the environment, …):" is the ENVIRONMENT section, with
  // what follows its name as the section's first sentence.
  const sections = new Map<string, { lead: string; lines: string[] }>();
  for (const { title, lines } of helpSections(helpText)) {
    const known = Object.keys(MAN_SECTION).find((k) => title.toLowerCase().startsWith(k));
    const note = known
      ? title
          .slice(known.length)
          .trim()
          .replace(/^\((.*)\)$/, "$1")
      : "";
    sections.set(known ? MAN_SECTION[known]! : title, {
      lead: note ? `${note[0]!.toUpperCase()}${note.slice(1)}.` : "",
      lines,
    });
  }
  const body = (title: string) => {
    const found = sections.get(title)!;
    return `${found.lead ? `${roff(found.lead)}\n.PP\n` : ""}${sectionBody(found.lines)}`;
  };
  const section = (title: string) => (sections.has(title) ? `.SH ${title}\n${body(title)}` : "");
  const defaultNote = spec.defaultCommand
    ? `\n.PP\nWith no command, ${bold(name)} runs ${bold(spec.defaultCommand)}. Options may stand before or after the command name.`
    : "";
  const dir = (env: Record<string, string>, platform: NodeJS.Platform) =>
    `${configDir(env, platform)}/${CONFIG_FILE}`;

  const page = [
    `.TH ${name.toUpperCase()} 1 "" "${name} ${version}" "User Commands"`,
    ".SH NAME",
    `${name} \\- ${roff(spec.description.replace(/\.$/, ""))}`,
    ".SH SYNOPSIS",
    ...(spec.defaultCommand ? [`${bold(name)} ${roff("[options]")}\n.br`] : []),
    spec.commands.map((c) => `${bold(name)} ${bold(c.name)} ${roff(c.usage)}`).join("\n.br\n"),
    ".SH DESCRIPTION",
    `${roff(spec.description)}${defaultNote}`,
    ".SH COMMANDS",
    ...spec.commands.map((c) =>
      [
        `.SS "${name} ${c.name}${c.aliases.length ? ` (${c.aliases.join(", ")})` : ""}"`,
        `${roff(c.description)}.`,
        ...c.arguments.map(
          (a) =>
            `.TP\n${italic(a.required ? `<${a.name}>` : `[${a.name}]`)}\n${roff(a.description)}`,
        ),
        ...c.options
          .filter((o) => !o.names.every((n) => spec.globalOptions.some((g) => g.names.includes(n))))
          .map(optionEntry),
      ].join("\n"),
    ),
    ".SH GLOBAL OPTIONS",
    "Valid with every command.",
    ...spec.globalOptions.map(optionEntry),
    section("ENVIRONMENT"),
    ".SH FILES",
    `.TP\n${italic(dir({ SCANTAIL_CONFIG_DIR: "$SCANTAIL_CONFIG_DIR" }, "linux"))}`,
    roff(
      `The profiles, their settings and tokens (mode 0600), when SCANTAIL_CONFIG_DIR is set. Otherwise ${dir({ XDG_CONFIG_HOME: "$XDG_CONFIG_HOME" }, "linux")}, by default ${dir({ HOME: "~" }, "linux")} (macOS: ${dir({ HOME: "~" }, "darwin")}). ${name} config path prints it.`,
    ),
    section("EXIT STATUS"),
    section("EXAMPLES"),
    ...[...sections.keys()]
      .filter((title) => !Object.values(MAN_SECTION).includes(title))
      .map((title) => `.SH ${roff(title.toUpperCase())}\n${body(title)}`),
    ".SH SEE ALSO",
    `${bold("jq")}(1); the README of the ${name} package.`,
  ];
  return `${page.filter(Boolean).join("\n")}\n`;
}
