import { AuthError, ConnectionError, errorMessage } from "../errors.js";
import { redactSecrets, redactUrl } from "../util/redact.js";
import { backoffDelay, sleep } from "./backoff.js";
import { type CloseInfo, FeedConnection, type HandshakeRefusal } from "./connection.js";
import type { Frame } from "./frame.js";
import { type Chunk, FeedQueue } from "./queue.js";

export type FeedStatus =
  | { type: "connecting"; url: string; attempt: number }
  | { type: "connected"; url: string; attempt: number; reconnected: boolean }
  | { type: "renewed"; url: string }
  | {
      type: "reconnecting";
      delayMs: number;
      attempt: number;
      reason: string;
      /** 1001 Going Away: API Gateway's routine idle/2-hour cut, not a failure. */
      routine: boolean;
    }
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
  /** Whether a refused token can be replaced (false for SCANTAIL_TOKEN). */
  canRefresh: boolean;
  reconnect: boolean;
  maxRetries?: number;
  heartbeatMs: number;
  renewAfterMs: number;
  /** API Gateway caps messages at 128 KB; anything far beyond is not an event. */
  maxPayload?: number;
  handshakeTimeoutMs?: number;
  /** A connection that stayed up this long resets the backoff. */
  healthyAfterMs?: number;
  highWaterMark?: number;
  signal: AbortSignal;
  now?: () => number;
  random?: () => number;
}

export const MAX_PAYLOAD = 1024 * 1024;

/** Adds token= and customer= to the live URL (insight-api.md §1: both variants). */
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

function describeRefusal(refusal: HandshakeRefusal): string {
  let message = "";
  try {
    const parsed = JSON.parse(refusal.body) as { message?: unknown };
    if (typeof parsed.message === "string") message = parsed.message;
  } catch {
    message = refusal.body.trim();
  }
  message = message.replace(/\s+/g, " ").slice(0, 120);
  return `handshake refused with HTTP ${refusal.status}${message ? ` (${message})` : ""}`;
}

/**
 * The live feed as an async stream of frames and status items. Reconnects with backoff
 * and jitter, treats 1001 as routine, renews before API Gateway's 2-hour cut
 * (make-before-break), refreshes the token once on 401/403, and pauses reading while
 * the consumer is backed up. Ends by throwing AuthError/ConnectionError, or returns when
 * the signal aborts.
 */
export function openFeed(options: FeedOptions): AsyncIterable<FeedChunk> {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
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
  const secrets = () => [token];
  const safe = (text: string) => redactSecrets(text, secrets());
  const shownUrl = redactUrl(options.url);

  const connect = async (force: boolean, openStatus: () => FeedStatus) => {
    token = await options.getToken({ force });
    const connection = await FeedConnection.create({
      url: buildFeedUrl(options.url, token, options.customer),
      maxPayload: options.maxPayload ?? MAX_PAYLOAD,
      heartbeatMs: options.heartbeatMs,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 15_000,
      now,
      onFrame: (frame) => queue.pushFrame(frame),
      // Status first: the frames of a new connection can arrive in the same tick as 'open'.
      onOpen: () => queue.pushStatus(openStatus()),
      isPaused: () => queue.paused,
    });
    connections.add(connection);
    void connection.closed.then(() => connections.delete(connection));
    const result = await connection.open();
    if (result.ok && queue.paused) connection.pause();
    return { connection, result };
  };

  // Stops on the caller's signal, or when the consumer stops iterating (--count reached).
  const controller = new AbortController();
  const signal = controller.signal;
  const onAbort = () => controller.abort();
  signal.addEventListener("abort", () => {
    options.signal.removeEventListener("abort", onAbort);
    for (const c of connections) c.close(1000, "client stopping");
    queue.end();
  });

  async function run(): Promise<void> {
    let failures = 0;
    let backoffLevel = 0;
    let authRetried = false;
    let reconnected = false;
    let attempt = 0;
    while (!signal.aborted) {
      attempt++;
      queue.pushStatus({ type: "connecting", url: shownUrl, attempt });
      const { connection, result } = await connect(authRetried, () => ({
        type: "connected",
        url: shownUrl,
        attempt,
        reconnected,
      }));
      if (signal.aborted) {
        connection.close(1000);
        return;
      }
      if (!result.ok) {
        const refusal = result.refusal;
        let reason: string;
        let waitAtLeast = 0;
        if (refusal) {
          reason = describeRefusal(refusal);
          if (refusal.status === 401 || refusal.status === 403) {
            if (options.canRefresh && !authRetried) {
              authRetried = true;
              queue.pushStatus({ type: "refreshing", reason: `${reason}; refreshing the token` });
              continue;
            }
            throw new AuthError(
              `the live feed refused the token: ${safe(reason)}`,
              (options.canRefresh
                ? "the token may have expired or be the wrong kind for this URL (try --token-kind id for a /prod/ URL, access for /latest/), or run `scantail login` again"
                : "SCANTAIL_TOKEN was refused: it may have expired or be the wrong kind for this URL (access token for /latest/, id token for /prod/)") +
                (refusal.status === 403
                  ? "; API Gateway also answers 403 for a wrong stage in the URL"
                  : ""),
            );
          }
          const retryable =
            refusal.status === 408 || refusal.status === 429 || refusal.status >= 500;
          if (!retryable) {
            throw new ConnectionError(
              `the live feed at ${shownUrl} answered the handshake with HTTP ${refusal.status}: ${safe(reason)}`,
              refusal.status === 404 ? "check the live URL (scantail config get url)" : undefined,
            );
          }
          waitAtLeast = refusal.retryAfterMs ?? 0;
        } else {
          reason = safe(errorMessage(result.error));
        }
        authRetried = false;
        failures++;
        if (!options.reconnect) {
          throw new ConnectionError(`could not connect to ${shownUrl}: ${reason}`);
        }
        if (options.maxRetries !== undefined && failures >= options.maxRetries) {
          throw new ConnectionError(
            `gave up after ${failures} failed connection attempt${failures === 1 ? "" : "s"} in a row: ${reason}`,
          );
        }
        const delayMs = Math.max(waitAtLeast, backoffDelay(backoffLevel++, random));
        queue.pushStatus({
          type: "reconnecting",
          delayMs,
          attempt: attempt + 1,
          reason,
          routine: false,
        });
        await sleep(delayMs, signal);
        continue;
      }

      failures = 0;
      authRetried = false;
      reconnected = true;
      const info = await holdConnection(connection);
      if (signal.aborted) return;
      const reason = describeClose(info);
      if (!options.reconnect)
        throw new ConnectionError(`the live feed connection ended: ${safe(reason)}`);
      const lived = info.closedAt - info.openedAt;
      if (lived >= (options.healthyAfterMs ?? 60_000)) backoffLevel = 0;
      // API Gateway ends idle connections after 10 minutes and all after 2 hours, with
      // 1001 "going away": routine, reconnect at once without counting a failure.
      const routine = info.code === 1001;
      const delayMs = routine ? 0 : backoffDelay(backoffLevel++, random);
      queue.pushStatus({
        type: "reconnecting",
        delayMs,
        attempt: attempt + 1,
        reason: safe(reason),
        routine,
      });
      await sleep(delayMs, signal);
    }
  }

  /**
   * Waits for the connection to end, renewing it before API Gateway's 2-hour limit:
   * the new connection is opened first and the old one closed only once it is open.
   */
  async function holdConnection(first: FeedConnection): Promise<CloseInfo> {
    let current = first;
    for (;;) {
      const renewAt = current.openedAt + options.renewAfterMs;
      let timer: NodeJS.Timeout | undefined;
      const renewDue = new Promise<"renew">((resolve) => {
        timer = setTimeout(() => resolve("renew"), Math.max(0, renewAt - now()));
      });
      const outcome = await Promise.race([current.closed, renewDue]);
      clearTimeout(timer);
      if (outcome !== "renew") return outcome;
      if (signal.aborted) return current.closed;
      let next: FeedConnection | undefined;
      try {
        const { connection, result } = await connect(false, () => ({
          type: "renewed",
          url: shownUrl,
        }));
        if (result.ok) next = connection;
        else {
          queue.pushStatus({
            type: "warning",
            message: `could not renew the connection (${safe(result.refusal ? describeRefusal(result.refusal) : errorMessage(result.error))}); keeping the current one`,
          });
        }
      } catch (error) {
        queue.pushStatus({
          type: "warning",
          message: `could not renew the connection: ${safe(errorMessage(error))}`,
        });
      }
      if (!next) {
        // Try again a little later; if the old connection is cut first, the normal
        // reconnect takes over.
        const retry = await Promise.race([
          current.closed,
          sleep(Math.min(60_000, options.renewAfterMs / 4 + 1000), signal).then(
            () => "retry" as const,
          ),
        ]);
        if (retry !== "retry") return retry;
        continue;
      }
      if (signal.aborted) {
        next.close(1000);
        return current.closed;
      }
      const old = current;
      current = next;
      old.close(1000, "renewed");
    }
  }

  return {
    [Symbol.asyncIterator]() {
      if (options.signal.aborted) controller.abort();
      else options.signal.addEventListener("abort", onAbort, { once: true });
      run().then(
        () => queue.end(),
        (error) => {
          for (const c of connections) c.terminate();
          queue.end(error);
        },
      );
      const iterator = queue[Symbol.asyncIterator]();
      return {
        next: () => iterator.next(),
        return: async (value?: unknown) => {
          controller.abort();
          return iterator.return ? iterator.return(value) : { done: true, value: undefined };
        },
      };
    },
  };
}
