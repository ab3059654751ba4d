import { AuthError, errorMessage, ScantailError } from "../errors.js";
import { redactSecrets } from "../util/redact.js";
import {
  describeAuth,
  eventsUrl,
  type HistoryAuth,
  PageClient,
  type PageRequestOptions,
} from "./history-page.js";

export interface RestCheckOptions
  extends Omit<PageRequestOptions, "baseUrl" | "limits" | "onStatus"> {
  /** Undefined when none is configured: the check says how to set one. */
  baseUrl: string | undefined;
  now?: () => number;
  /** How far back the one page asks for (default 1 hour). */
  windowMs?: number;
}

export interface RestCheckResult {
  ok: boolean;
  /** One line for doctor: what was reached and what worked, or what failed. */
  detail: string;
  /** Exit class of a failure, as for every doctor check: 2 config, 3 auth, 1 otherwise. */
  code?: 1 | 2 | 3;
  /** The Authorization spelling the server accepted. */
  auth?: HistoryAuth;
  /** Items on the page read. */
  items?: number;
  /** The REST window parameters are undocumented: doctor shows this check as experimental. */
  experimental: true;
}

/**
 * doctor's REST check: base URL reachable, token accepted (and with which Authorization
 * spelling), one page of the event history read. Never throws and never prints a token;
 * it retries less than a real read so doctor stays quick.
 */
export async function checkRest(options: RestCheckOptions): Promise<RestCheckResult> {
  if (!options.baseUrl) {
    return {
      ok: false,
      code: 2,
      detail:
        "no base URL for the event history: set it with --base-url, SCANTAIL_BASE_URL or `scantail config set baseUrl <url>`",
      experimental: true,
    };
  }
  let url: URL;
  try {
    url = eventsUrl(options.baseUrl, options.customer, options.insecure);
  } catch (error) {
    return { ok: false, code: 2, detail: errorMessage(error), experimental: true };
  }
  const now = (options.now ?? Date.now)();
  url.searchParams.set("start_time_millis", String(now - (options.windowMs ?? 3_600_000)));
  url.searchParams.set("end_time_millis", String(now));
  const refused: string[] = [];
  const secrets: string[] = [];
  const client = new PageClient({
    ...options,
    baseUrl: options.baseUrl,
    getToken: async (kind, force) => {
      const token = await options.getToken(kind, force);
      secrets.push(token);
      return token;
    },
    limits: { maxAttempts: 2, maxDelayMs: 2000, timeoutMs: 10_000 },
    onStatus: (status) => {
      if (status.type === "auth") refused.push(status.refused);
    },
  });
  try {
    const answer = await client.fetchPage(url, 1);
    // JSON null has no items; a number or string has none either.
    const body = (answer.body ?? {}) as { items?: unknown };
    if (!Array.isArray(body.items)) {
      return {
        ok: false,
        code: 1,
        detail: `${url.host} answered, but not like Insight's event history (no "items" array): check the base URL`,
        auth: answer.auth,
        experimental: true,
      };
    }
    const after = refused.length > 0 ? ` (after ${refused.join(", ")} was refused)` : "";
    return {
      ok: true,
      detail: `${options.baseUrl.replace(/\/+$/, "")} reachable; token accepted with ${describeAuth(answer.auth)}${after}; one page read: ${body.items.length} event${body.items.length === 1 ? "" : "s"} in the last hour`,
      auth: answer.auth,
      items: body.items.length,
      experimental: true,
    };
  } catch (error) {
    const code =
      error instanceof AuthError
        ? 3
        : error instanceof ScantailError && error.exitCode === 2
          ? 2
          : 1;
    return {
      ok: false,
      code,
      detail: redactSecrets(errorMessage(error), secrets),
      experimental: true,
    };
  }
}
