import type { ConfigStore, Profile, StoredAuth, TokenKind } from "../config/store.js";
import { AuthError } from "../errors.js";
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

/**
 * Refreshes the profile's tokens with REFRESH_TOKEN_AUTH and saves them; the old refresh
 * token is kept unless Cognito returns a new one (insight-api.md §2 step 5).
 */
export async function refreshProfileTokens(
  store: ConfigStore,
  profileName: string,
  auth: StoredAuth,
  env: Record<string, string | undefined>,
  now: () => number,
  signal?: AbortSignal,
): Promise<StoredAuth> {
  if (!canRefresh(auth)) {
    throw new AuthError(
      auth.source === "stdin"
        ? "the stored token was pasted with --token-stdin and cannot be refreshed"
        : "no refresh token is stored",
      "run `scantail login` again",
    );
  }
  const endpoint = auth.cognitoEndpoint || cognitoEndpoint(auth.region!, env);
  const tokens = await refreshTokens(endpoint, auth.clientId!, auth.refreshToken!, signal);
  const next: StoredAuth = {
    ...auth,
    accessToken: tokens.accessToken,
    idToken: tokens.idToken,
    refreshToken: tokens.refreshToken ?? auth.refreshToken,
    expiresAt: tokens.expiresIn ? now() + tokens.expiresIn * 1000 : undefined,
    obtainedAt: now(),
  };
  await store.update(profileName, (profile) => ({ ...profile, auth: next }));
  return next;
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
}): TokenProvider {
  const envToken = options.env.SCANTAIL_TOKEN;
  if (envToken) {
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
  const remember = (a: StoredAuth) => {
    for (const s of [a.accessToken, a.idToken, a.refreshToken]) if (s) seen.add(s);
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
      const expiring = expiry !== undefined && expiry - options.now() < REFRESH_WINDOW_MS;
      if ((force || expiring) && canRefresh(current)) {
        auth = await refreshProfileTokens(
          options.store,
          options.profileName,
          current,
          options.env,
          options.now,
          options.signal,
        );
        remember(auth);
      } else if (expiry !== undefined && expiry <= options.now()) {
        throw new AuthError(
          `the stored ${kind} token has expired and cannot be refreshed`,
          "run `scantail login` again",
        );
      }
      const token = kind === "id" ? auth!.idToken : auth!.accessToken;
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
