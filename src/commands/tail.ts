import { createTokenProvider, type TokenProvider } from "../auth/tokens.js";
import { resolveLiveSettings, validateLiveUrl } from "../config/settings.js";
import { ConfigStore } from "../config/store.js";
import type { Context } from "../context.js";
import { AuthError, UsageError } from "../errors.js";
import { openFeed } from "../feed/open-feed.js";
import { executeStream } from "../run/execute.js";
import type { StatusReporter } from "../run/status.js";
import { redactUrl, registerSecret } from "../util/redact.js";
import { type GlobalFlags, profileName } from "./common.js";
import {
  type ConnectionFlags,
  type ConnectionSetup,
  resolveConnection,
} from "./connection-options.js";
import { type TokenOrigin, withFeedErrors } from "./feed-errors.js";
import {
  createRendererFor,
  type OutputFlags,
  type OutputSetup,
  resolveOutput,
} from "./output-options.js";

export interface LiveTarget {
  url: string;
  customer?: string;
  tokens: TokenProvider;
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
  const renderer = await createRendererFor(setup, ctx);
  return executeStream({
    ctx,
    setup,
    renderer,
    verbose,
    live: true,
    dedupe: true,
    source: (stop, status) => {
      onStatus?.(status);
      const feed = openFeed({
        url: target.url,
        customer: target.customer,
        getToken: async (request) => {
          const token = await target.tokens.getToken(request);
          registerSecret(token);
          return token;
        },
        canRefresh: target.tokens.canRefresh,
        reconnect: connection.reconnect,
        maxRetries: connection.maxRetries,
        heartbeatMs: connection.heartbeatMs,
        renewAfterMs: connection.renewAfterMs,
        signal: stop,
        now: ctx.now,
        random: ctx.random,
      });
      return withFeedErrors(feed, target.tokenOrigin ?? target.tokens.source);
    },
  });
}

export async function runTail(
  ctx: Context,
  flags: OutputFlags & ConnectionFlags & GlobalFlags,
): Promise<number> {
  // Validate everything that needs no I/O first: a bad flag fails before the config is read.
  const connection = resolveConnection(flags);
  const name = profileName(flags, ctx);
  const store = new ConfigStore(ctx.env);
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
      `format ${setup.format}; heartbeat ${connection.heartbeatMs}ms; renew after ${connection.renewAfterMs}ms`,
    );
  }
  return tailLive(
    ctx,
    { url: liveUrl, customer: customer.value, tokens },
    setup,
    connection,
    flags.verbose === true,
  );
}
