import { createTokenProvider, type TokenProvider } from "../auth/tokens.js";
import { resolveLiveSettings, validateLiveUrl } from "../config/settings.js";
import type { ConfigStore, Profile } from "../config/store.js";
import type { Context } from "../context.js";
import { AuthError, UsageError } from "../errors.js";
import { type ExecuteOptions, executeStream } from "../run/execute.js";
import type { StatusReporter } from "../run/status.js";
import { openLive } from "../sources/live.js";
import { formatDuration } from "../util/duration.js";
import { redactUrl, registerSecret } from "../util/redact.js";
import { openStore, profileName } from "./common.js";
import {
  type ConnectionFlags,
  type ConnectionSetup,
  resolveConnection,
} from "./connection-options.js";
import { type TokenOrigin, withFeedErrors } from "./feed-errors.js";
import type { CommandFlags, GlobalFlags } from "./options.js";
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

/**
 * Where a live run's events go besides stdout: forward hands its destination here (with
 * `stdout: false`), so tail and forward share one live source, with its reconnects and
 * gap fill.
 */
export interface LiveOutputs {
  outputs?: ExecuteOptions["outputs"];
  stdout?: boolean;
}

/** Tails a live feed (the real one, or the demo's simulator) to stdout and/or other outputs. */
export async function tailLive(
  ctx: Context,
  target: LiveTarget,
  setup: OutputSetup,
  connection: ConnectionSetup,
  verbose: boolean,
  onStatus?: (status: StatusReporter) => void,
  sinks: LiveOutputs = {},
): Promise<number> {
  return executeStream({
    ctx,
    plan: setup,
    verbose,
    outputs: sinks.outputs,
    stdout: sinks.stdout,
    source: (status) => {
      onStatus?.(status);
      const live = openLive(
        {
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

/** The stored profile a live command signs in with. */
export interface LiveAccount {
  name: string;
  store: ConfigStore;
  profile: Profile;
}

export async function openAccount(ctx: Context, flags: GlobalFlags): Promise<LiveAccount> {
  const name = profileName(flags, ctx);
  const store = openStore(ctx);
  return { name, store, profile: await store.profile(name) };
}

/**
 * The live feed of a profile (flags > environment > profile): its URL, customer and token
 * source, checked; shared by tail and forward. With -v, says where each came from.
 */
export function resolveLiveTarget(
  ctx: Context,
  flags: Pick<ConnectionFlags, "url" | "customer" | "tokenKind" | "insecure"> & GlobalFlags,
  account: LiveAccount,
): LiveTarget {
  const { name, store, profile } = account;
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
  }
  return { url: liveUrl, customer: customer.value, tokens, profile: name };
}

export async function runTail(ctx: Context, flags: CommandFlags<"tail">): Promise<number> {
  // Validate everything that needs no I/O first: a bad flag fails before the config is read.
  const connection = resolveConnection(flags);
  const account = await openAccount(ctx, flags);
  const setup = resolveOutput(flags, ctx, account.profile);
  const target = resolveLiveTarget(ctx, flags, account);
  if (flags.verbose) {
    ctx.stderr.write(
      `scantail: format ${setup.format}; heartbeat ${formatDuration(connection.heartbeatMs)}; renew after ${formatDuration(connection.renewAfterMs)}\n`,
    );
  }
  return tailLive(ctx, target, setup, connection, flags.verbose === true);
}
