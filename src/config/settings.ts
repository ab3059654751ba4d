import { UsageError } from "../errors.js";
import { FORMAT_NAMES } from "../format/registry.js";
import { isLoopbackHost } from "../util/redact.js";
import type { Profile, TokenKind } from "./store.js";

export type SettingKey = "customer" | "url" | "baseUrl" | "tokenKind" | "format";
export const SETTING_KEYS: readonly SettingKey[] = [
  "customer",
  "url",
  "baseUrl",
  "tokenKind",
  "format",
];

export type Source = "flag" | "env" | "profile" | "login" | "default";

export interface Resolved<T> {
  value: T | undefined;
  source: Source | undefined;
}

/** Precedence everywhere: flag > environment > stored profile > built-in default. */
export function resolveSetting<T>(
  flag: T | undefined,
  env: T | undefined,
  profile: T | undefined,
  fallback?: { value: T | undefined; source: Source },
): Resolved<T> {
  if (flag !== undefined) return { value: flag, source: "flag" };
  if (env !== undefined && env !== "") return { value: env, source: "env" };
  if (profile !== undefined) return { value: profile, source: "profile" };
  if (fallback && fallback.value !== undefined) return fallback;
  return { value: undefined, source: undefined };
}

/**
 * Validates a live feed URL: wss://, or ws:// to a loopback host (unless `insecure`).
 * The token is added later; a token already in the URL is refused so it cannot end up
 * stored in the config or printed.
 */
export function validateLiveUrl(input: string, insecure = false): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`invalid live URL "${input}": expected wss://…`);
  }
  if (url.protocol !== "wss:" && url.protocol !== "ws:") {
    throw new UsageError(
      `invalid live URL: ${url.protocol}// is not a WebSocket URL (expected wss://…)`,
    );
  }
  if (url.protocol === "ws:" && !insecure && !isLoopbackHost(url.hostname)) {
    throw new UsageError(
      `refusing unencrypted ws:// to ${url.hostname}: the token would travel in clear text`,
      "use wss://, or pass --insecure if you really mean it",
    );
  }
  if (url.searchParams.has("token")) {
    throw new UsageError("the live URL must not contain token=: scantail adds the token itself");
  }
  return url.toString();
}

export function validateBaseUrl(input: string): string {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`invalid base URL "${input}": expected https://…`);
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    throw new UsageError(
      `invalid base URL "${input}": expected https:// (http:// only to a loopback host)`,
    );
  }
  return url.toString().replace(/\/+$/, "");
}

export function validateSetting(key: string, value: string): { key: SettingKey; value: string } {
  if (!(SETTING_KEYS as readonly string[]).includes(key)) {
    throw new UsageError(`unknown config key "${key}"; valid keys: ${SETTING_KEYS.join(", ")}`);
  }
  const k = key as SettingKey;
  switch (k) {
    case "url":
      return { key: k, value: validateLiveUrl(value) };
    case "baseUrl":
      return { key: k, value: validateBaseUrl(value) };
    case "tokenKind":
      if (value !== "access" && value !== "id")
        throw new UsageError(`invalid tokenKind "${value}": expected access or id`);
      return { key: k, value };
    case "format":
      if (!(FORMAT_NAMES as readonly string[]).includes(value)) {
        throw new UsageError(
          `invalid format "${value}": expected one of ${FORMAT_NAMES.join(", ")}`,
        );
      }
      return { key: k, value };
    case "customer":
      if (!/^[\w.-]{1,128}$/.test(value)) {
        throw new UsageError(`invalid customer ID "${value}": expected letters, digits, -, _ or .`);
      }
      return { key: k, value };
  }
}

export interface LiveSettings {
  url: Resolved<string>;
  customer: Resolved<string>;
  tokenKind: { value: TokenKind; source: Source };
  /** The REST API base URL (stored events): --base-url, SCANTAIL_BASE_URL, the profile. */
  baseUrl: Resolved<string>;
}

/**
 * The settings a connection needs, each with where it came from (tail, doctor and status
 * show the same values). The live URL falls back to the one discovered at login.
 */
export function resolveLiveSettings(
  flags: { url?: string; customer?: string; tokenKind?: string; baseUrl?: string },
  env: Record<string, string | undefined>,
  profile: Profile,
): LiveSettings {
  const kind = resolveSetting<string>(flags.tokenKind, env.SCANTAIL_TOKEN_KIND, profile.tokenKind, {
    value: "access",
    source: "default",
  });
  if (kind.value !== "access" && kind.value !== "id") {
    throw new UsageError(
      `invalid token kind "${kind.value}" (from ${kind.source}): expected access or id`,
    );
  }
  return {
    url: resolveSetting(flags.url, env.SCANTAIL_URL, profile.url, {
      value: profile.discoveredUrl,
      source: "login",
    }),
    customer: resolveSetting(flags.customer, env.SCANTAIL_CUSTOMER, profile.customer),
    tokenKind: { value: kind.value, source: kind.source! },
    baseUrl: resolveSetting(flags.baseUrl, env.SCANTAIL_BASE_URL, profile.baseUrl),
  };
}
