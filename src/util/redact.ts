/**
 * The token rides in the live URL's query string (insight-api.md §1): every URL that is
 * printed or logged goes through `redactUrl`, every error text through `redactSecrets`.
 */
const SECRET_PARAMS = /([?&](?:token|access_token|id_token|refresh_token|password)=)[^&#\s]*/gi;

export function redactUrl(url: string): string {
  return url.replace(SECRET_PARAMS, "$1***");
}

const registered = new Set<string>();

/** Remembers a secret so that every later error text and log line has it removed. */
export function registerSecret(secret: string | undefined): void {
  if (secret && secret.length >= 4) registered.add(secret);
}

/** Removes every known secret (and any token= query value) from a text. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined> = []): string {
  let out = redactUrl(text);
  for (const secret of [...secrets, ...registered]) {
    if (secret && secret.length >= 4) {
      out = out.split(secret).join("***");
      const encoded = encodeURIComponent(secret);
      if (encoded !== secret) out = out.split(encoded).join("***");
    }
  }
  // A JWT-shaped string is a secret whether or not we know it.
  return out.replace(/eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]*/g, "***");
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
