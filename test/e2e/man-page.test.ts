import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const PAGE = join(ROOT, "dist/scantail.1");
const BIN = join(ROOT, "bin/scantail.js");

/** The page as a reader sees it: man -l, or groff where man is missing. */
function render(): string {
  const env = { ...process.env, MANWIDTH: "200", MANPAGER: "cat", PAGER: "cat" };
  const man = spawnSync("man", ["-l", PAGE], { env, encoding: "utf8" });
  const r = man.error
    ? spawnSync("groff", ["-man", "-Tutf8", PAGE], { env, encoding: "utf8" })
    : man;
  expect(r.error, "man or groff is needed (.ci/run installs man-db)").toBeUndefined();
  expect(r.status).toBe(0);
  // Undo overstriking (bold/underline as char-backspace-char) and groff's hyphen glyphs.
  return r.stdout.replace(/.\x08/g, "").replace(/[\u2010\u2212]/g, "-");
}

describe("the man page made by the build (dist/scantail.1)", () => {
  const text = render();

  it("has the sections a man page needs", () => {
    for (const section of [
      "NAME",
      "SYNOPSIS",
      "DESCRIPTION",
      "COMMANDS",
      "GLOBAL OPTIONS",
      "ENVIRONMENT",
      "FILES",
      "EXIT STATUS",
      "EXAMPLES",
    ])
      expect(text).toMatch(new RegExp(`^${section}$`, "m"));
    expect(text).toMatch(/^NAME\n\s+scantail - /m);
    expect(text).toMatch(/config\.json/);
    expect(text).toMatch(/^\s+124\s+--timeout elapsed/m);
    expect(text).toMatch(/SCANTAIL_PROFILE/);
  });

  it("documents every command and every option --help shows", () => {
    const help = spawnSync(process.execPath, [BIN, "--help"], { encoding: "utf8" }).stdout;
    const commandBlock = /^Commands:\n([\s\S]*?)\n\n/m.exec(help)?.[1] ?? "";
    const commands = [...commandBlock.matchAll(/^ {2}([a-z]+)/gm)]
      .map((m) => m[1]!)
      .filter((c) => c !== "help");
    expect(commands).toEqual(expect.arrayContaining(["tail", "demo", "replay", "completion"]));
    for (const command of commands) {
      expect(text).toMatch(new RegExp(`^\\s+scantail ${command}\\b`, "m"));
      const commandHelp = spawnSync(process.execPath, [BIN, command, "--help"], {
        encoding: "utf8",
      }).stdout.split("\nExamples:")[0]!;
      for (const flag of new Set(
        commandHelp.match(/(?<=^ {2}(?:-\w, )?)--?[a-zA-Z][\w-]*|(?<=^ {2})-\w(?=,)/gm),
      ))
        expect(text, `${command} ${flag}`).toMatch(new RegExp(`^\\s+(-\\w, )?${flag}\\b`, "m"));
    }
  });

  it("is listed in package.json, so npm installs it", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
    expect(pkg.man).toContain("dist/scantail.1");
    expect(pkg.files).toContain("dist/scantail.1");
  });
});
