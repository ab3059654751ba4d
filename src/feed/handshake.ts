import type { OpenResult } from "./connection.js";

/**
 * What a WebSocket handshake's result means for a client, shared by the live feed (which
 * decides to retry, refresh or give up) and `doctor` (which explains it). Pure.
 */
export type HandshakeVerdict =
  | { kind: "open" }
  /** 401/403: the token was refused; API Gateway also answers 403 for an unknown stage. */
  | { kind: "auth"; status: number; message: string }
  /** 408, 429 and 5xx: the service is busy or broken for now; retry with backoff. */
  | { kind: "busy"; status: number; message: string; retryAfterMs?: number }
  /** Any other status (404 for a wrong path…): retrying cannot help. */
  | { kind: "refused"; status: number; message: string }
  /** No HTTP answer: DNS, TCP, TLS, or no answer within the handshake timeout. */
  | { kind: "unreachable"; message: string; code?: string; timedOut: boolean };

export function classifyHandshake(result: OpenResult): HandshakeVerdict {
  if (result.ok) return { kind: "open" };
  const refusal = result.refusal;
  if (!refusal) {
    const error = result.error as (Error & { code?: string }) | undefined;
    return {
      kind: "unreachable",
      message: error?.message ?? "connection closed during the handshake",
      code: error?.code,
      timedOut: result.timedOut === true,
    };
  }
  const { status } = refusal;
  const message = refusalMessage(refusal.body);
  if (status === 401 || status === 403) return { kind: "auth", status, message };
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: "busy", status, message, retryAfterMs: refusal.retryAfterMs };
  }
  return { kind: "refused", status, message };
}

/**
 * The readable part of a refused handshake's body: API Gateway answers
 * `{"message":"Forbidden"}`; anything else is shown as text, whitespace folded. Not cut:
 * whoever prints it redacts secrets first, then shortens (a body may echo the token).
 */
export function refusalMessage(body: string): string {
  let message = body;
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (parsed && typeof parsed.message === "string") message = parsed.message;
  } catch {
    // Not JSON: the text as is.
  }
  return message.replace(/\s+/g, " ").trim();
}

/**
 * One line for a verdict that is not `open`, e.g. "handshake refused with HTTP 502 (Bad
 * Gateway)". `redact` runs before the message is cut, so no part of a secret survives.
 */
export function describeVerdict(
  verdict: Exclude<HandshakeVerdict, { kind: "open" }>,
  redact: (text: string) => string = (text) => text,
): string {
  if (verdict.kind === "unreachable") return redact(verdict.message);
  const message = redact(verdict.message).slice(0, 120);
  return `handshake refused with HTTP ${verdict.status}${message ? ` (${message})` : ""}`;
}
