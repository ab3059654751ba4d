import {
  type ConfigStore,
  type Profile,
  type StoredAuth,
  type TokenKind,
  UNCHANGED,
} from "../config/store.js";
import { AuthError } from "../errors.js";
import type { Redactor } from "../util/redact.js";
import { cognitoEndpoint, refreshTokens } from "./cognito.js";
import { jwtExpiry } from "./jwt.js";

/** Tokens that expire within this window are refreshed before a connection opens. */
export const REFRESH_WINDOW_MS = 5 * 60_000;

export interface TokenProvider {
  source: "env" | "login" | "stdin";
  canRefresh: boolean;
  getToken(request: { force: boolean }): Promise<string>;
  /** Every secret this provider has handed out or holds, for redaction. */
  secrets(): string[];
}

export function tokenExpiry(auth: StoredAuth, kind: TokenKind): number | undefined {
  const token = kind === "id" ? auth.idToken : auth.accessToken;
  return jwtExpiry(token) ?? auth.expiresAt;
}

export function canRefresh(auth: StoredAuth | undefined): boolean {
  return Boolean(auth?.refreshToken && auth.clientId && (auth.region || auth.cognitoEndpoint));
}

export const NOT_SIGNED_IN_HINT =
  "run `scantail login` (or set SCANTAIL_TOKEN to use a token as is)";

function tokenOf(auth: StoredAuth, kind: TokenKind): string | undefined {
  return kind === "id" ? auth.idToken : auth.accessToken;
}

function expiringSoon(auth: StoredAuth, kind: TokenKind, now: number): boolean {
  const expiry = tokenExpiry(auth, kind);
  return expiry !== undefined && expiry - now < REFRESH_WINDOW_MS;
}

/**
 * Gets fresh tokens for a profile, deciding on what is stored NOW, under the store's
 * lock, not on what the caller read at its start: after a `logout` it refuses (a
 * running tail must not write old tokens back); when another process already refreshed,
 * or someone signed in again, it takes those tokens without asking Cognito (processes
 * sharing a profile make one refresh, and a rotated refresh token stays valid); only
 * when the stored tokens are the ones the caller holds (or are about to expire) does it
 * refresh with REFRESH_TOKEN_AUTH and save. Cognito's new refresh token, if any,
 * replaces the old one (Cognito rotates it only when the app client says so).
 */
export async function refreshProfileTokens(options: {
  store: ConfigStore;
  profileName: string;
  /** The tokens the caller used until now. */
  held: StoredAuth;
  kind: TokenKind;
  env: Record<string, string | undefined>;
  now: () => number;
  signal?: AbortSignal;
}): Promise<StoredAuth> {
  const { store, profileName, held, kind } = options;
  let result: StoredAuth | undefined;
  await store.update(profileName, async (profile) => {
    const stored = profile.auth;
    if (!stored || !(stored.accessToken || stored.idToken)) {
      throw new AuthError(
        `profile "${profileName}" was signed out while scantail was running`,
        NOT_SIGNED_IN_HINT,
      );
    }
    const changed = tokenOf(stored, kind) !== tokenOf(held, kind);
    if (changed && !expiringSoon(stored, kind, options.now())) {
      result = stored;
      return UNCHANGED;
    }
    if (!canRefresh(stored)) {
      throw new AuthError(
        stored.source === "stdin"
          ? "the stored token was pasted with --token-stdin and cannot be refreshed"
          : "no refresh token is stored",
        "run `scantail login` again",
      );
    }
    const endpoint = stored.cognitoEndpoint || cognitoEndpoint(stored.region!, options.env);
    const tokens = await refreshTokens(
      endpoint,
      stored.clientId!,
      stored.refreshToken!,
      options.signal,
    );
    const now = options.now();
    result = {
      ...stored,
      accessToken: tokens.accessToken,
      idToken: tokens.idToken,
      refreshToken: tokens.refreshToken ?? stored.refreshToken,
      expiresAt: tokens.expiresIn ? now + tokens.expiresIn * 1000 : undefined,
      obtainedAt: now,
    };
    return { ...profile, auth: result };
  });
  return result!;
}

/** Where `tail` gets its token: SCANTAIL_TOKEN as is, else the profile, refreshed as needed. */
export function createTokenProvider(options: {
  env: Record<string, string | undefined>;
  store: ConfigStore;
  profileName: string;
  profile: Profile;
  tokenKind: TokenKind;
  now: () => number;
  signal?: AbortSignal;
  /** Learns every token and refresh token this provider holds. */
  redactor: Redactor;
}): TokenProvider {
  const redactor = options.redactor;
  const envToken = options.env.SCANTAIL_TOKEN;
  if (envToken) {
    redactor.add(envToken);
    return {
      source: "env",
      canRefresh: false,
      getToken: async () => envToken,
      secrets: () => [envToken],
    };
  }
  let auth = options.profile.auth;
  if (!auth || !(auth.accessToken || auth.idToken)) {
    throw new AuthError(`not signed in (profile "${options.profileName}")`, NOT_SIGNED_IN_HINT);
  }
  const seen = new Set<string>();
  // The refresh token too: a Cognito error may echo it, and -v prints causes.
  const remember = (a: StoredAuth) => {
    for (const s of [a.accessToken, a.idToken, a.refreshToken]) {
      if (s) {
        seen.add(s);
        redactor.add(s);
      }
    }
  };
  remember(auth);
  const kind = options.tokenKind;
  return {
    source: auth.source,
    canRefresh: canRefresh(auth),
    secrets: () => [...seen],
    async getToken({ force }) {
      const current = auth!;
      const expiry = tokenExpiry(current, kind);
      const expiring = expiringSoon(current, kind, options.now());
      if ((force || expiring) && canRefresh(current)) {
        auth = await refreshProfileTokens({
          store: options.store,
          profileName: options.profileName,
          held: current,
          kind,
          env: options.env,
          now: options.now,
          signal: options.signal,
        });
        remember(auth);
      } else if (expiry !== undefined && expiry <= options.now()) {
        throw new AuthError(
          `the stored ${kind} token has expired and cannot be refreshed`,
          "run `scantail login` again",
        );
      }
      const token = tokenOf(auth!, kind);
      if (!token) {
        throw new AuthError(
          `no ${kind} token is stored for profile "${options.profileName}"`,
          `use --token-kind ${kind === "id" ? "access" : "id"}, or run \`scantail login\``,
        );
      }
      return token;
    },
  };
}
