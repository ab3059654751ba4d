import { createTokenProvider, type TokenProvider } from "../auth/tokens.js";
import { resolveLiveSettings, validateLiveUrl } from "../config/settings.js";
import type { ConfigStore, Profile } from "../config/store.js";
import type { Context } from "../context.js";
import { AuthError, UsageError } from "../errors.js";
import { type ExecuteOptions, executeStream } from "../run/execute.js";
import type { StatusReporter } from "../run/status.js";
import { type LiveWithHistoryOptions, withHistory } from "../sources/history-source.js";
import { openLive } from "../sources/live.js";
import { parseWhen } from "../sources/when.js";
import { formatDuration } from "../util/duration.js";
import { redactUrl } from "../util/redact.js";
import { openStore, profileName } from "./common.js";
import {
  type ConnectionFlags,
  type ConnectionSetup,
  resolveConnection,
} from "./connection-options.js";
import { type TokenOrigin, withFeedErrors } from "./feed-errors.js";
import { historyAccessFor } from "./history-access.js";
import type { CommandFlags, FlagsOf, GlobalFlags, HISTORY_OPTIONS } from "./options.js";
import { type OutputSetup, resolveOutput } from "./output-options.js";

type HistoryFlags = FlagsOf<typeof HISTORY_OPTIONS>;

export interface LiveTarget {
  url: string;
  customer?: string;
  tokens: TokenProvider;
  /** The profile whose credentials are used (none for the demo). */
  profile?: string;
  /** Where the token comes from when not the provider's own source (the demo's simulator). */
  tokenOrigin?: TokenOrigin;
  /** Stored events: --since and gap fill (none without a base URL). */
  history?: Omit<LiveWithHistoryOptions, "now">;
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
      const worded = {
        ...live,
        items: (stop: AbortSignal) => withFeedErrors(live.items(stop), origin),
      };
      return target.history ? withHistory(worded, { ...target.history, now: ctx.now }) : worded;
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
 * The live feed of a profile (flags > environment > profile): its URL, customer, token
 * source and event history (--since, gap fill), checked; shared by tail and forward so
 * both get the same reconnects and gap fill. With -v, says where each came from;
 * `describe` is said before the history line.
 */
export function resolveLiveTarget(
  ctx: Context,
  flags: Pick<ConnectionFlags, "url" | "customer" | "tokenKind" | "insecure"> &
    HistoryFlags &
    GlobalFlags,
  account: LiveAccount,
  describe?: string,
): LiveTarget {
  const { name, store, profile } = account;
  const since =
    flags.since !== undefined ? parseWhen(flags.since, ctx.now(), "--since") : undefined;
  const { url, customer, tokenKind, baseUrl } = resolveLiveSettings(flags, ctx.env, profile);
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
  // Stored events need the REST base URL and the customer: --since insists, gap fill is
  // simply off without them.
  const restReady = baseUrl.value !== undefined && customer.value !== undefined;
  if (since !== undefined && !restReady) {
    throw new UsageError(
      `--since needs the event history's ${baseUrl.value === undefined ? "base URL" : "customer ID"} (profile "${name}")`,
      baseUrl.value === undefined
        ? "pass --base-url, set SCANTAIL_BASE_URL, or run `scantail login` (it stores the base URL)"
        : "pass --customer, set SCANTAIL_CUSTOMER, or run `scantail login`",
    );
  }
  const gapFill = flags.gapFill !== false;
  const access =
    restReady && (since !== undefined || gapFill)
      ? historyAccessFor(ctx, {
          baseUrl: baseUrl.value!,
          customer: customer.value!,
          tokenKind: tokenKind.value,
          store,
          profileName: name,
          profile,
          insecure: flags.insecure === true,
        })
      : undefined;
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
    if (describe) say(describe);
    say(
      access
        ? `event history ${baseUrl.value} (from ${baseUrl.source}); gap fill ${gapFill ? "on" : "off (--no-gap-fill)"}${since !== undefined ? `; since ${new Date(since).toISOString()}` : ""}`
        : `gap fill off: ${flags.gapFill === false ? "--no-gap-fill" : "no base URL or customer for the event history"}`,
    );
  }
  return {
    url: liveUrl,
    customer: customer.value,
    tokens,
    profile: name,
    history: access ? { access, since, gapFill } : undefined,
  };
}

export async function runTail(ctx: Context, flags: CommandFlags<"tail">): Promise<number> {
  // Validate everything that needs no I/O first: a bad flag fails before the config is read.
  const connection = resolveConnection(flags);
  if (flags.since !== undefined) parseWhen(flags.since, ctx.now(), "--since");
  const account = await openAccount(ctx, flags);
  const setup = resolveOutput(flags, ctx, account.profile);
  const target = resolveLiveTarget(
    ctx,
    flags,
    account,
    `format ${setup.format}; heartbeat ${formatDuration(connection.heartbeatMs)}; renew after ${formatDuration(connection.renewAfterMs)}`,
  );
  return tailLive(ctx, target, setup, connection, flags.verbose === true);
}
