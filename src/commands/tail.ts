import { createTokenProvider, type TokenProvider } from "../auth/tokens.js";
import { resolveLiveSettings, validateLiveUrl } from "../config/settings.js";
import type { Context } from "../context.js";
import { AuthError, UsageError } from "../errors.js";
import { executeStream } from "../run/execute.js";
import type { StatusReporter } from "../run/status.js";
import { openLive } from "../sources/live.js";
import { formatDuration } from "../util/duration.js";
import { redactUrl } from "../util/redact.js";
import { openStore, profileName } from "./common.js";
import { type ConnectionSetup, resolveConnection } from "./connection-options.js";
import { type TokenOrigin, withFeedErrors } from "./feed-errors.js";
import type { CommandFlags } from "./options.js";
import { type OutputSetup, resolveOutput } from "./output-options.js";

export interface LiveTarget {
  url: string;
  customer?: string;
  tokens: TokenProvider;
  /** The profile whose credentials are used (none for the demo). */
  profile?: string;
  /** Where the token comes from when not the provider's own source (the demo's simulator). */
  tokenOrigin?: TokenOrigin;
}

/** Tails a live feed (the real one, or the demo's simulator) to stdout. */
export async function tailLive(
  ctx: Context,
  target: LiveTarget,
  setup: OutputSetup,
  connection: ConnectionSetup,
  verbose: boolean,
  onStatus?: (status: StatusReporter) => void,
): Promise<number> {
  return executeStream({
    ctx,
    plan: setup,
    verbose,
    source: (status) => {
      onStatus?.(status);
      const live = openLive(
        {
          url: target.url,
          customer: target.customer,
          getToken: async (request) => {
            const token = await target.tokens.getToken(request);
            ctx.redactor.add(token);
            return token;
          },
          canRefresh: target.tokens.canRefresh,
          reconnect: connection.reconnect,
          maxRetries: connection.maxRetries,
          heartbeatMs: connection.heartbeatMs,
          renewAfterMs: connection.renewAfterMs,
          now: ctx.now,
          random: ctx.random,
        },
        target.profile,
      );
      // The transport raises facts; the words a person reads are the command's.
      const origin = target.tokenOrigin ?? target.tokens.source;
      return { ...live, items: (stop) => withFeedErrors(live.items(stop), origin) };
    },
  });
}

export async function runTail(ctx: Context, flags: CommandFlags<"tail">): Promise<number> {
  // Validate everything that needs no I/O first: a bad flag fails before the config is read.
  const connection = resolveConnection(flags);
  const name = profileName(flags, ctx);
  const store = openStore(ctx);
  const profile = await store.profile(name);
  const setup = resolveOutput(flags, ctx, profile);

  const { url, customer, tokenKind } = resolveLiveSettings(flags, ctx.env, profile);
  if (!url.value && !profile.auth && !ctx.env.SCANTAIL_TOKEN) {
    // Nothing set up at all: signing in is the one step that fixes everything.
    throw new AuthError(
      `not signed in (profile "${name}")`,
      "run `scantail login`, or try `scantail demo` to see scantail at work without an account",
    );
  }
  if (!url.value) {
    throw new UsageError(
      `no live feed URL for profile "${name}"`,
      "run `scantail login` (it discovers the URL), or `scantail config set url wss://…`, or pass --url",
    );
  }
  const liveUrl = validateLiveUrl(url.value, flags.insecure === true);
  const tokens = createTokenProvider({
    env: ctx.env,
    store,
    profileName: name,
    profile,
    tokenKind: tokenKind.value,
    now: ctx.now,
    signal: ctx.signal,
    redactor: ctx.redactor,
  });
  if (flags.verbose) {
    const say = (text: string) => ctx.stderr.write(`scantail: ${text}\n`);
    say(`profile ${name} (config ${store.path})`);
    say(`url ${redactUrl(liveUrl)} (from ${url.source})`);
    say(
      `customer ${customer.value ?? "(none)"}${customer.source ? ` (from ${customer.source})` : ""}`,
    );
    say(
      `token kind ${tokenKind.value} (from ${tokenKind.source}); token from ${tokens.source === "env" ? "SCANTAIL_TOKEN" : `profile (${tokens.source})`}`,
    );
    say(
      `format ${setup.format}; heartbeat ${formatDuration(connection.heartbeatMs)}; renew after ${formatDuration(connection.renewAfterMs)}`,
    );
  }
  return tailLive(
    ctx,
    { url: liveUrl, customer: customer.value, tokens, profile: name },
    setup,
    connection,
    flags.verbose === true,
  );
}
