import { AuthError, ConnectionError, errorMessage } from "../errors.js";
import { Redactor } from "../util/redact.js";

export interface JsonResponse {
  status: number;
  body: unknown;
  text: string;
  /** Removes the request's secrets from anything of the answer that is shown. */
  redactor: Redactor;
}

/** fetch + JSON with a timeout; network failures become ConnectionError (exit 1). */
export async function fetchJson(
  url: string,
  init: RequestInit & { what: string; signal?: AbortSignal; secrets?: string[] },
): Promise<JsonResponse> {
  const redactor = new Redactor(init.secrets);
  const timeout = AbortSignal.timeout(20_000);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal, redirect: "follow" });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? errorMessage(error);
    throw new ConnectionError(
      `${init.what} failed: ${redactor.redact(timeout.aborted ? "no answer within 20 s" : detail)} (${new URL(url).host})`,
    );
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, redactor };
}

export function notJson(what: string, response: JsonResponse): AuthError {
  // Redacted before it is cut, so no start of an echoed secret survives the cut.
  const excerpt = response.redactor.redact(response.text).replace(/\s+/g, " ").slice(0, 80);
  return new AuthError(
    `${what} answered HTTP ${response.status} with something that is not JSON${excerpt ? `: ${excerpt}` : ""}`,
  );
}
