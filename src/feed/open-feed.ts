import { errorMessage } from "../errors.js";
import { redactSecrets, redactUrl } from "../util/redact.js";
import { sleep as realSleep } from "./backoff.js";
import { type CloseInfo, FeedConnection } from "./connection.js";
import { FeedError, type FeedFailure } from "./errors.js";
import type { Frame } from "./frame.js";
import { classifyHandshake, describeVerdict } from "./handshake.js";
import {
  decide,
  type FeedAction,
  type FeedOutcome,
  type FeedPolicy,
  type GiveUpCause,
  INITIAL_POLICY_STATE,
  type PolicyState,
} from "./policy.js";
import { type Chunk, FeedQueue } from "./queue.js";

export type FeedStatus =
  /** `attempt` counts from 1 in each series of attempts; `reconnect` once one was open. */
  | { type: "connecting"; url: string; attempt: number; reconnect: boolean }
  | { type: "connected"; url: string; reconnected: boolean }
  | { type: "renewed"; url: string }
  /** An open connection ended (one reconnect); the next attempt follows after `delayMs`. */
  | {
      type: "reconnecting";
      delayMs: number;
      attempt: number;
      /** --max-retries, when set: the attempt number it stops at. */
      maxAttempts?: number;
      reason: string;
      /** 1001 Going Away after a healthy connection: API Gateway's routine cut. */
      routine: boolean;
    }
  /** An attempt failed before a connection opened; the next follows after `delayMs`. */
  | { type: "retrying"; delayMs: number; attempt: number; maxAttempts?: number; reason: string }
  | { type: "refreshing"; reason: string }
  | { type: "warning"; message: string };

export type FeedChunk = Chunk<Frame, FeedStatus>;

export interface TokenRequest {
  /** True after a 401/403: the token was refused, get a new one even if not expiring. */
  force: boolean;
}

export interface FeedOptions {
  /** Live URL without credentials. */
  url: string;
  customer?: string;
  /** Returns the token to send (refreshing when needed); throws AuthError when it cannot. */
  getToken: (request: TokenRequest) => Promise<string | undefined>;
  /** Whether a refused token can be replaced (false for a token that is used as given). */
  canRefresh: boolean;
  reconnect: boolean;
  maxRetries?: number;
  heartbeatMs: number;
  renewAfterMs: number;
  /** API Gateway caps messages at 128 KB; anything far beyond is not an event. */
  maxPayload?: number;
  /** TCP + TLS + upgrade together (HANDSHAKE_TIMEOUT_MS by default). */
  handshakeTimeoutMs?: number;
  highWaterMark?: number;
  signal: AbortSignal;
  now?: () => number;
  /** Jitter source in [0, 1); tests pass a constant. */
  random?: () => number;
  /** Waits between attempts; resolves early when the signal aborts. Tests pass a fake. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export const MAX_PAYLOAD = 1024 * 1024;

/** Adds token= and customer= to the live URL (docs/live-feed.md "The URL"). */
export function buildFeedUrl(
  base: string,
  token: string | undefined,
  customer: string | undefined,
): string {
  const url = new URL(base);
  if (token) url.searchParams.set("token", token);
  if (customer) url.searchParams.set("customer", customer);
  return url.toString();
}

export function describeClose(info: CloseInfo): string {
  if (info.heartbeatTimeout) return "no answer to heartbeat ping";
  // ws fails the connection itself (close code 1006 on our side, 1009 sent) when a
  // frame exceeds maxPayload.
  const errorCode = (info.error as NodeJS.ErrnoException | undefined)?.code;
  if (info.code === 1009 || errorCode === "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
    return "a frame was larger than the 1 MiB limit";
  }
  const reason = info.reason ? ` ${JSON.stringify(info.reason.slice(0, 80))}` : "";
  const names: Record<number, string> = {
    1000: "normal closure",
    1001: "going away",
    1006: "abnormal closure",
    1011: "server error",
    1012: "service restart",
    1013: "try again later",
  };
  const detail = info.error && info.code === 1006 ? `: ${info.error.message}` : "";
  return `closed by server (${info.code}${names[info.code] ? ` ${names[info.code]}` : ""}${reason})${detail}`;
}

/**
 * The live feed as an async stream of frames and status items. What to do after each
 * failure, end or renewal deadline is decided by `decide` (policy.ts); this loop performs
 * it: connects, holds the connection (renewing it make-before-break), sleeps, and pauses
 * reading while the consumer is backed up. Ends by throwing FeedError (or what getToken
 * throws), or returns when the signal aborts.
 */
export function openFeed(options: FeedOptions): AsyncIterable<FeedChunk> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  const policy: FeedPolicy = {
    reconnect: options.reconnect,
    maxRetries: options.maxRetries,
    canRefresh: options.canRefresh,
    renewAfterMs: options.renewAfterMs,
    random: options.random ?? Math.random,
  };
  const connections = new Set<FeedConnection>();
  const queue = new FeedQueue<Frame, FeedStatus>(
    options.highWaterMark ?? 2000,
    () => {
      for (const c of connections) c.pause();
    },
    () => {
      for (const c of connections) c.resume();
    },
  );
  let token: string | undefined;
  const safe = (text: string) => redactSecrets(text, [token]);
  const shownUrl = redactUrl(options.url);

  // Stops on the caller's signal, or when the consumer stops iterating (--count reached).
  const controller = new AbortController();
  const signal = controller.signal;
  const onAbort = () => controller.abort();
  signal.addEventListener("abort", () => {
    options.signal.removeEventListener("abort", onAbort);
    for (const c of connections) c.close(1000, "client stopping");
    queue.end();
  });

  const connect = async (force: boolean, openStatus: () => FeedStatus) => {
    token = await options.getToken({ force });
    const connection = await FeedConnection.create({
      url: buildFeedUrl(options.url, token, options.customer),
      maxPayload: options.maxPayload ?? MAX_PAYLOAD,
      heartbeatMs: options.heartbeatMs,
      handshakeTimeoutMs: options.handshakeTimeoutMs,
      now,
      onFrame: (frame) => queue.pushFrame(frame),
      // Status first: the frames of a new connection can arrive in the same tick as 'open'.
      onOpen: () => queue.pushStatus(openStatus()),
      isPaused: () => queue.paused,
    });
    connections.add(connection);
    void connection.closed.then(() => connections.delete(connection));
    const result = await connection.open(signal);
    if (result.ok && queue.paused) connection.pause();
    return { connection, result };
  };

  let state: PolicyState = INITIAL_POLICY_STATE;
  const next = (outcome: FeedOutcome): FeedAction => {
    const decision = decide(outcome, state, policy);
    state = decision.state;
    return decision.action;
  };

  async function run(): Promise<void> {
    let attempt = 1;
    let everOpen = false;
    let forceToken = false;
    while (!signal.aborted) {
      queue.pushStatus({ type: "connecting", url: shownUrl, attempt, reconnect: everOpen });
      const reconnected = everOpen;
      const { connection, result } = await connect(forceToken, () => ({
        type: "connected",
        url: shownUrl,
        reconnected,
      }));
      forceToken = false;
      if (signal.aborted) {
        connection.close(1000);
        return;
      }
      const verdict = classifyHandshake(result);
      let outcome: FeedOutcome;
      let reason: string;
      if (verdict.kind === "open") {
        everOpen = true;
        const info = await holdConnection(connection);
        if (signal.aborted) return;
        outcome = {
          kind: "ended",
          code: info.code,
          livedMs: info.closedAt - info.openedAt,
          frames: info.frames,
        };
        reason = safe(describeClose(info));
      } else {
        outcome = verdict;
        reason = describeVerdict(verdict, safe);
      }
      const refreshedBefore = state.refreshed;
      const action = next(outcome);
      switch (action.kind) {
        case "refresh":
          queue.pushStatus({ type: "refreshing", reason: `${reason}; refreshing the token` });
          forceToken = true;
          continue;
        case "give-up":
          throw new FeedError(failureOf(action.cause, outcome, reason, refreshedBefore), shownUrl);
        case "reconnect": {
          const { delayMs, attempt: nextAttempt, routine } = action;
          const maxAttempts = options.maxRetries;
          queue.pushStatus(
            outcome.kind === "ended"
              ? {
                  type: "reconnecting",
                  delayMs,
                  attempt: nextAttempt,
                  maxAttempts,
                  reason,
                  routine,
                }
              : { type: "retrying", delayMs, attempt: nextAttempt, maxAttempts, reason },
          );
          attempt = action.attempt;
          await sleep(action.delayMs, signal);
          continue;
        }
        default:
          throw new Error(`unexpected feed action ${action.kind}`);
      }
    }
  }

  function failureOf(
    cause: GiveUpCause,
    outcome: FeedOutcome,
    reason: string,
    refreshTried: boolean,
  ): FeedFailure {
    const status = "status" in outcome ? outcome.status : 0;
    switch (cause) {
      case "auth":
        return { kind: "auth", status, reason, refreshTried, canRefresh: options.canRefresh };
      case "refused": {
        const message = outcome.kind === "refused" ? safe(outcome.message).slice(0, 120) : "";
        return { kind: "refused", status, reason, message };
      }
      case "retries":
        return { kind: "retries-exhausted", attempts: state.failures, reason };
      case "no-reconnect":
        return outcome.kind === "ended"
          ? { kind: "ended", reason }
          : { kind: "unreachable", reason };
    }
  }

  /**
   * Waits for the connection to end, renewing it before API Gateway's 2-hour limit:
   * the new connection is opened first and the old one closed only once it is open.
   */
  async function holdConnection(first: FeedConnection): Promise<CloseInfo> {
    let current = first;
    let renewAt = current.openedAt + options.renewAfterMs;
    for (;;) {
      let timer: NodeJS.Timeout | undefined;
      const renewDue = new Promise<"renew">((resolve) => {
        timer = setTimeout(() => resolve("renew"), Math.max(0, renewAt - now()));
      });
      const ended = await Promise.race([current.closed, renewDue]);
      clearTimeout(timer);
      if (ended !== "renew") return ended;
      if (signal.aborted) return current.closed;
      next({ kind: "renew-due" });
      let replacement: FeedConnection | undefined;
      try {
        const { connection, result } = await connect(false, () => ({
          type: "renewed",
          url: shownUrl,
        }));
        const verdict = classifyHandshake(result);
        if (verdict.kind === "open") replacement = connection;
        else {
          queue.pushStatus({
            type: "warning",
            message: `could not renew the connection (${describeVerdict(verdict, safe)}); keeping the current one`,
          });
        }
      } catch (error) {
        queue.pushStatus({
          type: "warning",
          message: `could not renew the connection: ${safe(errorMessage(error))}`,
        });
      }
      if (!replacement) {
        // If the old connection is cut before the retry, the normal reconnect takes over.
        const action = next({ kind: "renew-failed" });
        renewAt = now() + (action.kind === "renew-later" ? action.delayMs : 0);
        continue;
      }
      // An abort after the replacement opened has already closed it with the rest.
      const old = current;
      current = replacement;
      renewAt = current.openedAt + options.renewAfterMs;
      old.close(1000, "renewed");
    }
  }

  return {
    [Symbol.asyncIterator]() {
      if (options.signal.aborted) controller.abort();
      else options.signal.addEventListener("abort", onAbort, { once: true });
      // run() returns only once the signal has aborted, which has already ended the queue.
      run().catch((error: unknown) => {
        for (const c of connections) c.terminate();
        queue.end(error);
      });
      const iterator = queue[Symbol.asyncIterator]();
      return {
        next: () => iterator.next(),
        return: async () => {
          controller.abort();
          return iterator.return();
        },
      };
    },
  };
}
