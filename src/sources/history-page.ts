import { AuthError, ConnectionError, errorMessage, UsageError } from "../errors.js";
import { backoffDelay, sleep as realSleep } from "../feed/backoff.js";
import { isLoopbackHost, redactSecrets } from "../util/redact.js";

export type TokenKind = "access" | "id";
export type AuthScheme = "raw" | "bearer";
/** An Authorization spelling and token kind the server accepted. */
export interface HistoryAuth {
  scheme: AuthScheme;
  kind: TokenKind;
}

export type HistoryStatus =
  | { type: "page"; page: number; items: number; kept: number }
  | { type: "retry"; page: number; attempt: number; reason: string; delayMs: number }
  | { type: "auth"; page: number; refused: string; next: string }
  | { type: "warning"; message: string }
  | { type: "info"; message: string };

export interface HistoryLimits {
  /** Attempts per page on 429/5xx/network errors (default 5). */
  maxAttempts?: number;
  /** Backoff ceiling in ms (default 30 000); Retry-After is honoured up to this too. */
  maxDelayMs?: number;
  /** Per-request timeout in ms (default 30 000). */
  timeoutMs?: number;
  /** A page larger than this is refused (default 32 MiB). */
  maxBodyBytes?: number;
}

export interface PageRequestOptions {
  baseUrl: string;
  /** Allow http:// to a host that is not loopback. */
  insecure?: boolean;
  customer: string;
  getToken(kind: TokenKind, force: boolean): Promise<string>;
  tokenKind: TokenKind;
  remembered?: HistoryAuth;
  remember?(auth: HistoryAuth): void;
  signal?: AbortSignal;
  fetch?: typeof globalThis.fetch;
  random?: () => number;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  onStatus?(status: HistoryStatus): void;
  limits?: HistoryLimits;
}

export function describeAuth(auth: HistoryAuth): string {
  return `Authorization: ${auth.scheme === "raw" ? "<raw " : "Bearer <"}${auth.kind} token>`;
}

/**
 * The order in which Authorization spellings are tried: ProGlove documents the raw token
 * (no "Bearer"; its newest page warns that extra strings give 403), third-party clients
 * send "Bearer". Old docs say IdToken, new docs AccessToken. So: the remembered one first
 * if any, then the preferred kind raw, Bearer, then the other kind raw, Bearer.
 */
export function authOrder(preferred: TokenKind, remembered?: HistoryAuth): HistoryAuth[] {
  const other: TokenKind = preferred === "access" ? "id" : "access";
  const order: HistoryAuth[] = [
    { scheme: "raw", kind: preferred },
    { scheme: "bearer", kind: preferred },
    { scheme: "raw", kind: other },
    { scheme: "bearer", kind: other },
  ];
  if (!remembered) return order;
  return [
    remembered,
    ...order.filter((a) => a.scheme !== remembered.scheme || a.kind !== remembered.kind),
  ];
}

/**
 * `{baseUrl}/{customer}/events`. The token goes in a header, so plain http:// is only
 * for a loopback host (the simulator) unless `insecure` is set, as for the live URL.
 */
export function eventsUrl(baseUrl: string, customer: string, insecure = false): URL {
  let url: URL;
  try {
    url = new URL(`${baseUrl.replace(/\/+$/, "")}/${encodeURIComponent(customer)}/events`);
  } catch {
    throw new UsageError(`invalid base URL "${baseUrl}": expected https://…`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new UsageError(`invalid base URL "${baseUrl}": expected https://…`);
  }
  if (url.protocol === "http:" && !insecure && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `base URL ${url.origin} is not encrypted: use https://, or --insecure to send the token anyway`,
    );
  }
  return url;
}

export interface PageAnswer {
  body: unknown;
  text: string;
  auth: HistoryAuth;
}

/**
 * Requests pages with one Authorization negotiation shared by all of them: the first
 * page finds a spelling the server accepts (and the caller is told, to remember it for
 * the profile), later pages reuse it. A 401/403 first gets one forced refresh of that
 * token kind (an expiring token is the common cause); when the token does not change or
 * is refused again, the next spelling is tried, each once. All refused → AuthError.
 * 429, 5xx, timeouts and network failures are retried with full-jitter backoff.
 */
export class PageClient {
  private auth: HistoryAuth | undefined;
  private readonly tokens = new Map<TokenKind, string>();
  private readonly refreshed = new Set<TokenKind>();
  private readonly secrets: string[] = [];

  constructor(private readonly options: PageRequestOptions) {}

  /** Fetches one page; `pageNumber` (1-based) names it in errors. */
  async fetchPage(url: URL, pageNumber: number): Promise<PageAnswer> {
    const candidates = this.auth
      ? [this.auth]
      : authOrder(this.options.tokenKind, this.options.remembered);
    const refusals: string[] = [];
    // SCANTAIL_TOKEN gives one token for both kinds: never send the same header twice.
    const tried = new Set<string>();
    const refuse = (i: number, auth: HistoryAuth, reason: string) => {
      refusals.push(`${describeAuth(auth)} → ${reason}`);
      const next = candidates[i + 1];
      if (next) {
        this.options.onStatus?.({
          type: "auth",
          page: pageNumber,
          refused: `${describeAuth(auth)} (${reason})`,
          next: describeAuth(next),
        });
      }
    };
    for (let i = 0; i < candidates.length; i++) {
      const auth = candidates[i]!;
      let token: string;
      try {
        token = await this.token(auth.kind, false);
      } catch (error) {
        // No token of this kind stored: the other kind may still do.
        if (!(error instanceof AuthError)) throw error;
        refuse(i, auth, this.redact(error.message));
        continue;
      }
      if (tried.has(`${auth.scheme} ${token}`)) continue;
      tried.add(`${auth.scheme} ${token}`);
      let answer = await this.withRetries(url, pageNumber, auth, token);
      if ((answer.status === 401 || answer.status === 403) && !this.refreshed.has(auth.kind)) {
        // A refused token may just be stale: one forced refresh per kind, same spelling.
        this.refreshed.add(auth.kind);
        let fresh: string | undefined;
        try {
          fresh = await this.token(auth.kind, true);
        } catch (error) {
          if (!(error instanceof AuthError)) throw error;
        }
        if (fresh !== undefined && !tried.has(`${auth.scheme} ${fresh}`)) {
          token = fresh;
          tried.add(`${auth.scheme} ${token}`);
          answer = await this.withRetries(url, pageNumber, auth, token);
        }
      }
      if (answer.status === 401 || answer.status === 403) {
        refuse(i, auth, `HTTP ${answer.status}${this.serverMessage(answer.text)}`);
        continue;
      }
      // fetch handles 1xx itself: any status here is at least 200.
      if (answer.status > 299) {
        throw new ConnectionError(
          `page ${pageNumber} of the event history failed: HTTP ${answer.status}${this.serverMessage(answer.text)} (${url.host})`,
          answer.status === 404
            ? "check the base URL (--base-url, SCANTAIL_BASE_URL or the profile's baseUrl) and the customer ID"
            : undefined,
        );
      }
      // A token that expires during a long read gets its own refresh.
      this.refreshed.clear();
      if (!this.auth) {
        this.auth = auth;
        const remembered = this.options.remembered;
        if (!remembered || remembered.scheme !== auth.scheme || remembered.kind !== auth.kind) {
          this.options.remember?.(auth);
        }
      }
      let body: unknown;
      try {
        body = JSON.parse(answer.text);
      } catch {
        throw new ConnectionError(
          `page ${pageNumber} of the event history is not JSON: ${this.excerpt(answer.text) || "(empty)"} (${url.host})`,
        );
      }
      return { body, text: answer.text, auth };
    }
    throw new AuthError(
      `the event history refused every token it was offered (${url.host}): ${refusals.join("; ")}`,
      "sign in again with `scantail login`; `scantail doctor` shows which Authorization spelling the server accepts",
    );
  }

  private async token(kind: TokenKind, force: boolean): Promise<string> {
    if (!force) {
      const known = this.tokens.get(kind);
      if (known !== undefined) return known;
    }
    const token = await this.options.getToken(kind, force);
    this.tokens.set(kind, token);
    this.secrets.push(token);
    return token;
  }

  private async withRetries(
    url: URL,
    pageNumber: number,
    auth: HistoryAuth,
    token: string,
  ): Promise<{ status: number; text: string }> {
    const limits = this.options.limits ?? {};
    const maxAttempts = limits.maxAttempts ?? 5;
    const maxDelay = limits.maxDelayMs ?? 30_000;
    const sleep = this.options.sleep ?? realSleep;
    for (let attempt = 1; ; attempt++) {
      let reason: string;
      let retryAfter: number | undefined;
      try {
        const answer = await this.request(url, auth, token, pageNumber);
        if (answer.status !== 429 && answer.status < 500) return answer;
        reason = `HTTP ${answer.status}${this.serverMessage(answer.text)}`;
        retryAfter = parseRetryAfter(answer.retryAfter, (this.options.now ?? Date.now)());
      } catch (error) {
        if (this.options.signal?.aborted) throw error;
        if (error instanceof PageTooLarge) throw error;
        reason = this.redact(networkReason(error));
      }
      if (attempt >= maxAttempts) {
        throw new ConnectionError(
          `page ${pageNumber} of the event history failed after ${attempt} attempts: ${reason} (${url.host})`,
          "the answer would be incomplete, so nothing was written; try again later or narrow --since/--until",
        );
      }
      const delayMs = Math.min(
        maxDelay,
        retryAfter ?? backoffDelay(attempt - 1, this.options.random ?? Math.random, 500, maxDelay),
      );
      this.options.onStatus?.({ type: "retry", page: pageNumber, attempt, reason, delayMs });
      await sleep(delayMs, this.options.signal);
      if (this.options.signal?.aborted) throw new ConnectionError("stopped");
    }
  }

  private async request(
    url: URL,
    auth: HistoryAuth,
    token: string,
    pageNumber: number,
  ): Promise<{ status: number; text: string; retryAfter: string | null }> {
    const limits = this.options.limits ?? {};
    const timeoutMs = limits.timeoutMs ?? 30_000;
    const maxBodyBytes = limits.maxBodyBytes ?? 32 * 1024 * 1024;
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = this.options.signal ? AbortSignal.any([this.options.signal, timeout]) : timeout;
    const doFetch = this.options.fetch ?? globalThis.fetch;
    let response: Response;
    try {
      response = await doFetch(url, {
        headers: {
          Authorization: auth.scheme === "raw" ? token : `Bearer ${token}`,
          Accept: "application/json",
        },
        signal,
        // A redirect could carry the Authorization header to another host.
        redirect: "manual",
      });
    } catch (error) {
      if (timeout.aborted) throw new Error(`no answer within ${timeoutMs / 1000} s`);
      throw error;
    }
    const text = await readCapped(
      response,
      maxBodyBytes,
      () =>
        new PageTooLarge(
          `page ${pageNumber} of the event history is larger than ${maxBodyBytes} bytes (${url.host})`,
        ),
    );
    return { status: response.status, text, retryAfter: response.headers.get("retry-after") };
  }

  private serverMessage(text: string): string {
    const excerpt = this.excerpt(text);
    return excerpt ? `: ${excerpt}` : "";
  }

  private excerpt(text: string): string {
    let shown = text;
    try {
      const parsed = JSON.parse(text) as { message?: unknown };
      // JSON null has no message: the TypeError leaves the text as it came.
      if (typeof parsed.message === "string") shown = parsed.message;
    } catch {}
    // Server text is untrusted: no control characters, no secrets, one short line.
    return this.redact(
      shown
        .replace(/[\u0000-\u001f\u007f-\u009f]/g, " ")
        .replace(/\s+/g, " ")
        .trim()
        .slice(0, 120),
    );
  }

  private redact(text: string): string {
    return redactSecrets(text, this.secrets);
  }
}

/** Not worth retrying: the same page will be as large next time. */
class PageTooLarge extends ConnectionError {}

async function readCapped(
  response: Response,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge();
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total).toString("utf8");
}

function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? errorMessage(error);
}

/** Retry-After as seconds or an HTTP date → ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  // Blank is neither a number nor a date: undefined below.
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}
