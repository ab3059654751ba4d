import { readFileSync } from "node:fs";
import { bashScript } from "../completion/bash.js";
import { fishScript } from "../completion/fish.js";
import { describeProgram, type ProgramSpec } from "../completion/spec.js";
import { zshScript } from "../completion/zsh.js";
import { ConfigStore } from "../config/store.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";

const SCRIPTS: Record<string, (spec: ProgramSpec, version: string) => string> = {
  bash: bashScript,
  zsh: zshScript,
  fish: fishScript,
};

/** The names a profile may have (commands/common.ts): nothing a shell would expand. */
const PROFILE_NAME = /^[\w.-]{1,64}$/;

/**
 * `scantail completion bash|zsh|fish` prints the script, made from the program that
 * `--help` describes. The scripts call `scantail completion --list-profiles` for
 * stored profile names.
 */
export async function runCompletion(
  ctx: Context,
  shell: string | undefined,
  flags: { listProfiles?: boolean },
): Promise<number> {
  if (flags.listProfiles) {
    for (const name of storedProfiles(ctx)) ctx.stdout.write(`${name}\n`);
    return 0;
  }
  const script = shell ? SCRIPTS[shell] : undefined;
  if (!script) {
    throw new UsageError(
      shell
        ? `unknown shell "${shell}"; completion is made for ${Object.keys(SCRIPTS).join(", ")}`
        : `completion needs a shell: ${Object.keys(SCRIPTS).join(", ")}`,
    );
  }
  const { buildProgram, VERSION } = await import("../cli.js");
  ctx.stdout.write(script(describeProgram(buildProgram(ctx, () => {})), VERSION));
  return 0;
}

/**
 * Profile names only, read straight from the file: a Tab press must neither create the
 * config directory (as opening the store does) nor print an error into the command line,
 * so a missing or unreadable store simply has no profiles. Names a shell could expand
 * are left out: bash's `compgen -W` expands the words it is given.
 */
function storedProfiles(ctx: Context): string[] {
  try {
    const data = JSON.parse(readFileSync(new ConfigStore(ctx.env).path, "utf8"));
    return Object.keys(data?.profiles ?? {}).filter((name) => PROFILE_NAME.test(name));
  } catch {
    return [];
  }
}
