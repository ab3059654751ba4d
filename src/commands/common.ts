import type { Context } from "../context.js";
import { UsageError } from "../errors.js";
import type { GlobalFlags } from "./options.js";

/** Options every command inherits from the program (declared in options.ts). */
export type { GlobalFlags };

/** --profile > SCANTAIL_PROFILE > "default". */
export function profileName(flags: GlobalFlags, ctx: Pick<Context, "env">): string {
  const name = flags.profile ?? ctx.env.SCANTAIL_PROFILE ?? "default";
  if (!/^[\w.-]{1,64}$/.test(name)) {
    throw new UsageError(`invalid profile name "${name}": use letters, digits, -, _ or .`);
  }
  return name;
}
