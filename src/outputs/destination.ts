import { UsageError } from "../errors.js";
import { isLoopbackHost, redactSecrets, redactUrl } from "../util/redact.js";
import { DEFAULT_SUBJECT, validateSubject } from "./subject.js";

/** One event on its way out: `body` is the frame exactly as received, never re-serialised. */
export interface DeliveryItem {
  id: string;
  body: Uint8Array | string;
  event: Readonly<Record<string, unknown>>;
}

export type DeliveryOutcome = "delivered" | "duplicate" | "rejected" | "retrying" | "failed";

/** What happened to one attempt; the terminal line and the summary are pure functions of these. */
export interface DeliveryReport {
  outcome: DeliveryOutcome;
  id: string;
  /** "200", "503", "timeout", "ECONNREFUSED", "ack", "no ack"… */
  status?: string;
  /** Time the attempt took. */
  ms: number;
  /** 1-based number of the attempt this report is about. */
  attempt: number;
  /** For "retrying": how long until the next attempt. */
  retryInMs?: number;
  /** Secrets redacted, control characters removed. */
  detail?: string;
}

export interface Destination {
  /** What to show the user: credentials and secret query values redacted. */
  readonly label: string;
  /**
   * Called in order, one item at a time; the caller awaits it before the next, so the
   * feed waits while it is pending (backpressure). Resolves when the item is handed on:
   * webhook → delivered or rejected; JetStream → published into a bounded window of
   * outstanding acknowledgements. Rejects with a DestinationError (exit 1) when the
   * destination gives up, or with an AbortError when the signal aborted before the item
   * was delivered (the caller exits 130/143, not 1).
   */
  send(item: DeliveryItem): Promise<void>;
  /**
   * Waits at most `timeoutMs` for outstanding acknowledgements. Afterwards every item
   * reported "delivered"/"duplicate" is acknowledged; rejects with a DestinationError
   * (after a "failed" report for each) when some were not.
   */
  flush(timeoutMs: number): Promise<void>;
  /** Releases connections; call after flush. */
  close(): Promise<void>;
}

export interface DestinationOptions {
  /** `Name: value` strings from `--header`. */
  headers: string[];
  /** SCANTAIL_FORWARD_SECRET, read by the caller (never from argv). */
  secret?: string;
  /** Give up (DestinationError) after this many attempts of one event; default: never. */
  maxAttempts?: number;
  /** One HTTP request, or one JetStream acknowledgement, may take this long. */
  requestTimeoutMs: number;
  insecure: boolean;
  subject: string;
  createStream?: string;
  signal: AbortSignal;
  now: () => number;
  random: () => number;
  /** Injected so tests never wait real backoffs; resolves early when the signal aborts. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  onReport: (report: DeliveryReport) => void;
  /** NATS_CREDS, NATS_NKEY, NATS_USER, NATS_PASSWORD (as the nats CLI reads them). */
  env?: Readonly<Record<string, string | undefined>>;
  /** JetStream: publishes awaiting their acknowledgement at once (default 32). */
  window?: number;
}

export type DestinationKind = "webhook" | "jetstream";

/** A destination checked without I/O: what `openDestination` will connect to. */
export interface DestinationPlan {
  kind: DestinationKind;
  url: URL;
  label: string;
  headers: Array<[name: string, value: string]>;
  subject: string;
  /** Everything that must never be shown: URL credentials and header values. */
  secrets: string[];
}

export interface DestinationSettings {
  insecure: boolean;
  headers?: string[];
  subject?: string;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Set by scantail itself; a `--header` cannot replace them. */
const RESERVED_HEADERS = new Set([
  "content-type",
  "content-length",
  "transfer-encoding",
  "host",
  "connection",
  "scantail-event-id",
  "scantail-signature",
  "nats-msg-id",
]);

/** Parses `--header 'Name: value'` values; pure. */
export function parseHeaders(values: readonly string[]): Array<[string, string]> {
  return values.map((raw) => {
    const colon = raw.indexOf(":");
    const name = colon < 0 ? "" : raw.slice(0, colon).trim();
    const value = colon < 0 ? "" : raw.slice(colon + 1).trim();
    if (!name || !HEADER_NAME.test(name)) {
      throw new UsageError(
        `invalid --header '${name || raw.slice(0, 40)}…': expected 'Name: value'`,
      );
    }
    if (/[\r\n\0]/.test(value)) {
      throw new UsageError(`invalid --header '${name}': the value has a line break`);
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new UsageError(`--header '${name}' is set by scantail and cannot be replaced`);
    }
    return [name, value];
  });
}

/**
 * Checks a destination before any I/O (exit 2 on bad input): the scheme, a host, http://
 * only to loopback unless `--insecure` (events and the signature would cross the network
 * in clear text), the header syntax and the subject template.
 */
export function validateDestination(raw: string, settings: DestinationSettings): DestinationPlan {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `invalid destination '${redactUrl(raw)}': expected http(s)://host/path or nats://host:port`,
    );
  }
  const headers = parseHeaders(settings.headers ?? []);
  const subject = settings.subject ?? DEFAULT_SUBJECT;
  const secrets = [
    decodeURIComponent(url.password),
    url.password ? "" : decodeURIComponent(url.username), // a lone user name is a NATS token
    ...headers.map(([, value]) => value),
  ].filter((secret) => secret.length >= 4);
  const label = labelOf(url);
  if (!["http:", "https:", "nats:"].includes(url.protocol)) {
    throw new UsageError(
      `unsupported destination scheme '${url.protocol.replace(/:$/, "")}' in '${label}'`,
      raw.includes("://") ? "use http://, https:// or nats://" : `did you mean http://${label}?`,
    );
  }
  if (!url.hostname) throw new UsageError(`destination '${label}' has no host`);
  if (url.protocol === "http:" || url.protocol === "https:") {
    if (url.protocol === "http:" && !settings.insecure && !isLoopbackHost(url.hostname)) {
      throw new UsageError(
        `refusing to forward to '${label}' over unencrypted http:// (not a loopback host)`,
        "use https://, or pass --insecure if the network is trusted",
      );
    }
    return { kind: "webhook", url, label, headers, subject, secrets };
  }
  validateSubject(subject);
  if (url.pathname && url.pathname !== "/") {
    throw new UsageError(`destination '${label}' has a path; the subject goes in --subject`);
  }
  return { kind: "jetstream", url, label, headers, subject, secrets };
}

/** The URL as it may be shown: password (or a lone token user name) and secret query values hidden. */
export function labelOf(url: URL): string {
  const shown = new URL(url.href);
  if (shown.password) shown.password = "***";
  else if (shown.username) shown.username = "***";
  const href = shown.pathname === "/" && !shown.search ? shown.href.replace(/\/$/, "") : shown.href;
  return redactUrl(href);
}

/** One line of a failure for the user: secrets out, no control characters from the network. */
export function cleanDetail(text: string, secrets: readonly string[]): string {
  return redactSecrets(text, secrets)
    .replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ")
    .trim()
    .slice(0, 200);
}

/** Checks the destination, then connects; the NATS client is loaded only for nats://. */
export async function openDestination(
  raw: string,
  options: DestinationOptions,
): Promise<Destination> {
  const plan = validateDestination(raw, {
    insecure: options.insecure,
    headers: options.headers,
    subject: options.subject,
  });
  const secrets = options.secret ? [...plan.secrets, options.secret] : plan.secrets;
  if (plan.kind === "webhook") {
    const { WebhookDestination } = await import("./webhook.js");
    return new WebhookDestination({ ...plan, secrets }, options);
  }
  const { openJetStream } = await import("./jetstream.js");
  return openJetStream({ ...plan, secrets }, options);
}

export function abortError(): Error {
  return new DOMException("delivery interrupted", "AbortError");
}
