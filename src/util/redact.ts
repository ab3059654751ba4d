/**
 * The token rides in the live URL's query string (`?token=`): every URL that is
 * printed or logged goes through `redactUrl`, every error text through `redactSecrets`.
 */
const SECRET_PARAMS = /([?&](?:token|access_token|id_token|refresh_token|password)=)[^&#\s]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, "$1***");
}

/** Anything shaped like a JWT, whole or cut short: base64url JSON starts with `eyJ`. */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]{8,}(?:\.[A-Za-z0-9_-]*){0,2}/g;
/** Secrets at least this long are also caught by a fragment of this many characters. */
const FRAGMENT = 12;
const MASK = "***";

/**
 * Removes secrets from text we print. It knows the secrets it was told (tokens,
 * refresh tokens, passwords) and masks them, URL-encoded too; a text cut before it got
 * here still loses what is left of a long secret (any run of 12+ characters from its
 * start or end); and anything shaped like a JWT goes, known or not. One lives in the
 * Context (`ctx.redactor`), so what it knows belongs to one run.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  constructor(secrets: Iterable<string | undefined> = []) {
    for (const secret of secrets) this.add(secret);
  }

  /** Remembers a secret; shorter than 4 characters is too short to find safely. */
  add(secret: string | undefined): void {
    if (!secret || secret.length < 4 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    const encoded = encodeURIComponent(secret);
    if (encoded !== secret) this.secrets.add(encoded);
  }

  redact(text: string, extra: Iterable<string | undefined> = []): string {
    let out = redactUrl(text);
    const all = new Set(this.secrets);
    for (const secret of extra) {
      if (secret && secret.length >= 4) {
        all.add(secret);
        all.add(encodeURIComponent(secret));
      }
    }
    // Longest first, so a secret that contains another is masked whole.
    for (const secret of [...all].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
      if (secret.length > FRAGMENT) out = maskFragments(out, secret);
    }
    return out.replace(JWT_LIKE, MASK);
  }
}

/** Masks runs of text that continue a secret's first or last 12 characters. */
function maskFragments(text: string, secret: string): string {
  const head = secret.slice(0, FRAGMENT);
  const tail = secret.slice(-FRAGMENT);
  let out = text;
  for (let at = out.indexOf(head); at !== -1; at = out.indexOf(head, at + MASK.length)) {
    let length = FRAGMENT;
    while (
      at + length < out.length &&
      length < secret.length &&
      out[at + length] === secret[length]
    )
      length++;
    out = out.slice(0, at) + MASK + out.slice(at + length);
  }
  for (let at = out.indexOf(tail); at !== -1; at = out.indexOf(tail, at + MASK.length)) {
    let start = at;
    let matched = FRAGMENT;
    while (
      start > 0 &&
      matched < secret.length &&
      out[start - 1] === secret[secret.length - matched - 1]
    ) {
      start--;
      matched++;
    }
    out = out.slice(0, start) + MASK + out.slice(at + FRAGMENT);
    at = start;
  }
  return out;
}

/** Removes the given secrets (and any token= value, anything JWT-shaped) from a text. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  return new Redactor(secrets).redact(text);
}

/**
 * A stream whose text passes through the redactor on the way out: for stderr, where
 * every status, warning and error line goes, so a server message that echoes a token
 * is masked whatever printed it. Never for stdout, whose events must stay as received.
 */
export function redactingStream<T extends object>(stream: T, redactor: Redactor): T {
  return new Proxy(stream, {
    get(target, property) {
      const value = Reflect.get(target, property, target);
      if (property === "write") {
        return (chunk: unknown, ...rest: unknown[]) =>
          (value as (...args: unknown[]) => boolean).call(
            target,
            typeof chunk === "string" ? redactor.redact(chunk) : chunk,
            ...rest,
          );
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Loopback hosts, where an unencrypted ws:// URL is acceptable. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
  return (
    host === "localhost" ||
    host.endsWith(".localhost") ||
    host === "::1" ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
  );
}
