import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * `Scantail-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, the scheme
 * Stripe made familiar: the timestamp inside the MAC lets a receiver refuse replays.
 */
export function signatureHeader(
  secret: string,
  unixSeconds: number,
  body: Uint8Array | string,
): string {
  const t = Math.floor(unixSeconds);
  const mac = createHmac("sha256", secret).update(`${t}.`).update(body).digest("hex");
  return `t=${t},v1=${mac}`;
}

/**
 * What a receiver does (docs/forward.md shows it): recompute the MAC over the raw body and
 * compare in constant time; refuse a timestamp older than the tolerance.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: Uint8Array | string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = new Map(
    header.split(",").map((part) => {
      const at = part.indexOf("=");
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get("t"));
  const given = parts.get("v1");
  if (!Number.isInteger(t) || !given || Math.abs(nowSeconds - t) > toleranceSeconds) return false;
  const expected = signatureHeader(secret, t, body).split("v1=")[1] ?? "";
  const a = Buffer.from(expected, "hex");
  const b = Buffer.from(given, "hex");
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}
