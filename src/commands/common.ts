import type { Context } from "../context.js";
import { UsageError } from "../errors.js";

/** Options every command inherits from the program. */
export interface GlobalFlags {
  profile?: string;
  color?: string;
  verbose?: boolean;
}

/** --profile > SCANTAIL_PROFILE > "default". */
export function profileName(flags: GlobalFlags, ctx: Context): string {
  const name = flags.profile ?? ctx.env.SCANTAIL_PROFILE ?? "default";
  if (!/^[\w.-]{1,64}$/.test(name)) {
    throw new UsageError(`invalid profile name "${name}": use letters, digits, -, _ or .`);
  }
  return name;
}
