import { resolveLiveSettings } from "../config/settings.js";
import type { Context } from "../context.js";
import { AuthError, UsageError } from "../errors.js";
import { executeStream } from "../run/execute.js";
import { openHistory } from "../sources/history-source.js";
import { resolveWindow } from "../sources/when.js";
import { openStore, profileName } from "./common.js";
import { historyAccessFor } from "./history-access.js";
import type { CommandFlags } from "./options.js";
import { resolveOutput } from "./output-options.js";

/**
 * `scantail events`: the stored events of one window from the REST event history,
 * oldest first, through the same filters and formats as the live feed.
 */
export async function runEvents(ctx: Context, flags: CommandFlags<"events">): Promise<number> {
  const window = resolveWindow(flags.since, flags.until, ctx.now());
  const name = profileName(flags, ctx);
  const store = openStore(ctx);
  const profile = await store.profile(name);
  const setup = resolveOutput(flags, ctx, profile);
  const { customer, tokenKind, baseUrl } = resolveLiveSettings(flags, ctx.env, profile);
  if (!baseUrl.value) {
    throw new UsageError(
      `no base URL for the event history (profile "${name}")`,
      "pass --base-url, set SCANTAIL_BASE_URL, or run `scantail login` (it stores the base URL)",
    );
  }
  if (!customer.value) {
    throw new UsageError(
      `no customer ID for the event history (profile "${name}")`,
      "pass --customer, set SCANTAIL_CUSTOMER, or run `scantail login`",
    );
  }
  if (!profile.auth && !ctx.env.SCANTAIL_TOKEN) {
    throw new AuthError(
      `not signed in (profile "${name}")`,
      "run `scantail login`, or try `scantail demo --since 10m` to see stored events without an account",
    );
  }
  const access = historyAccessFor(ctx, {
    baseUrl: baseUrl.value,
    customer: customer.value,
    tokenKind: tokenKind.value,
    store,
    profileName: name,
    profile,
    insecure: flags.insecure === true,
  });
  if (flags.verbose) {
    ctx.stderr.write(
      `scantail: event history ${baseUrl.value} (from ${baseUrl.source}), customer ${customer.value}, ${new Date(window.since).toISOString()} to ${new Date(window.until).toISOString()}\n`,
    );
  }
  return executeStream({
    ctx,
    plan: setup,
    verbose: flags.verbose === true,
    source: () => openHistory(access, window, name),
  });
}
