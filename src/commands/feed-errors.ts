import { AuthError, ConnectionError } from "../errors.js";
import { FeedError, type FeedFailure } from "../feed/errors.js";

/** Where the token sent to the feed came from: the advice depends on it. */
export type TokenOrigin = "env" | "login" | "stdin" | "demo";

/**
 * The user's words for a feed failure: the transport states facts (status, whether a
 * refresh was possible or tried), this says what to do, naming only what the user set.
 */
export function feedFailureError(
  failure: FeedFailure,
  url: string,
  origin: TokenOrigin,
): AuthError | ConnectionError {
  switch (failure.kind) {
    case "auth":
      return new AuthError(
        `the live feed refused the token: ${failure.reason}`,
        authHint(failure, origin),
      );
    case "refused":
      return new ConnectionError(
        `the live feed at ${url} answered the handshake with HTTP ${failure.status}${failure.message ? ` (${failure.message})` : ""}`,
        origin === "demo"
          ? "the demo's simulator answered so because --reject asked it to"
          : failure.status === 404
            ? "check the live URL (scantail config get url)"
            : undefined,
      );
    case "retries-exhausted":
      return new ConnectionError(
        `gave up after ${failure.attempts} failed connection attempt${failure.attempts === 1 ? "" : "s"} in a row: ${failure.reason}`,
      );
    case "unreachable":
      return new ConnectionError(`could not connect to ${url}: ${failure.reason}`);
    case "ended":
      return new ConnectionError(`the live feed connection ended: ${failure.reason}`);
  }
}

function authHint(failure: Extract<FeedFailure, { kind: "auth" }>, origin: TokenOrigin): string {
  if (origin === "demo") {
    return "the demo's simulator refused it because --reject asked it to; a real feed does this when a token has expired or is the wrong kind for the URL";
  }
  const kinds = "access token for a /latest/ URL, id token for /prod/";
  let hint: string;
  if (origin === "env") {
    hint = `SCANTAIL_TOKEN was refused (it is used as is, never refreshed): it may have expired or be the wrong kind for this URL (${kinds})`;
  } else if (failure.refreshTried) {
    hint = `a freshly refreshed token was refused too, so it is likely the wrong kind for this URL (--token-kind: ${kinds}); or run \`scantail login\` again`;
  } else if (origin === "stdin" || !failure.canRefresh) {
    hint = `the stored token cannot be refreshed: it may have expired or be the wrong kind for this URL (--token-kind: ${kinds}); run \`scantail login\` again`;
  } else {
    hint = `it may have expired or be the wrong kind for this URL (--token-kind: ${kinds}); or run \`scantail login\` again`;
  }
  return failure.status === 403
    ? `${hint}; API Gateway also answers 403 for a wrong stage in the URL`
    : hint;
}

/** Maps FeedError to the command's error; anything else passes unchanged. */
export function mapFeedError(error: unknown, origin: TokenOrigin): unknown {
  return error instanceof FeedError ? feedFailureError(error.failure, error.url, origin) : error;
}

/** The feed's stream with its failures in the user's words. */
export function withFeedErrors<T>(source: AsyncIterable<T>, origin: TokenOrigin): AsyncIterable<T> {
  return {
    [Symbol.asyncIterator]() {
      const iterator = source[Symbol.asyncIterator]();
      return {
        next: () =>
          iterator.next().catch((error: unknown) => {
            throw mapFeedError(error, origin);
          }),
        return: (value?: unknown) =>
          iterator.return
            ? iterator.return(value)
            : Promise.resolve({ done: true as const, value: undefined }),
      };
    },
  };
}
