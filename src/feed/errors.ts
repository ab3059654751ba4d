import { EXIT, ScantailError } from "../errors.js";

/**
 * Why the live feed stopped, as facts: the transport says what happened, the command
 * layer (src/commands/feed-errors.ts) says what the user can do about it.
 */
export type FeedFailure =
  /** The handshake refused the token (401/403) and no refresh was left to try. */
  | { kind: "auth"; status: number; reason: string; refreshTried: boolean; canRefresh: boolean }
  /** The handshake answered with a status that retrying cannot fix (404…); `message` is the server's text. */
  | { kind: "refused"; status: number; reason: string; message: string }
  /** --max-retries failed attempts in a row. */
  | { kind: "retries-exhausted"; attempts: number; reason: string }
  /** --no-reconnect: the first attempt failed. */
  | { kind: "unreachable"; reason: string }
  /** --no-reconnect: the open connection ended. */
  | { kind: "ended"; reason: string };

/**
 * The feed's typed failure. It already carries a plain message and the right exit class
 * so that an unmapped one is still reported sensibly; the hints come from the command.
 */
export class FeedError extends ScantailError {
  constructor(
    readonly failure: FeedFailure,
    readonly url: string,
  ) {
    super(plainMessage(failure, url), failure.kind === "auth" ? EXIT.auth : EXIT.failure);
  }
}

function plainMessage(failure: FeedFailure, url: string): string {
  switch (failure.kind) {
    case "auth":
      return `the live feed refused the token: ${failure.reason}`;
    case "refused":
      return `the live feed at ${url} answered the handshake with HTTP ${failure.status}${failure.message ? ` (${failure.message})` : ""}`;
    case "retries-exhausted":
      return `gave up after ${failure.attempts} failed connection attempt${failure.attempts === 1 ? "" : "s"} in a row: ${failure.reason}`;
    case "unreachable":
      return `could not connect to ${url}: ${failure.reason}`;
    case "ended":
      return `the live feed connection ended: ${failure.reason}`;
  }
}
