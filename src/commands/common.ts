import { ConfigStore } from "../config/store.js";
import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import type { GlobalFlags } from "./options.js";

/** Options every command inherits from the program (declared in options.ts). */
export type { GlobalFlags };

/**
 * Profile names (README, "Profiles"): 1 to 64 letters, digits, `_`, `.` or `-`, starting
 * with a letter or digit. Names are keys in the config file, so `__proto__` and friends
 * must never reach it as anything but data; the store also keeps them as own keys.
 */
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** --profile > SCANTAIL_PROFILE > "default". */
export function profileName(flags: GlobalFlags, ctx: Pick<Context, "env">): string {
  const name = flags.profile ?? ctx.env.SCANTAIL_PROFILE ?? "default";
  if (!PROFILE_NAME.test(name)) {
    throw new UsageError(
      `invalid profile name ${JSON.stringify(name.slice(0, 80))}: use 1 to 64 letters, digits, _, . or -, starting with a letter or digit`,
    );
  }
  return name;
}

/** The config store, with its warnings (a file others can read) told once on stderr. */
export function openStore(ctx: Context): ConfigStore {
  return new ConfigStore(ctx.env, {
    platform: ctx.platform,
    onWarning: (text) => ctx.stderr.write(`scantail: warning: ${text}\n`),
  });
}
