import { getAuthInformation } from "../auth/auth-information.js";
import { cognitoEndpoint, signInWithPassword } from "../auth/cognito.js";
import { jwtExpiry } from "../auth/jwt.js";
import {
  resolveSetting,
  validateBaseUrl,
  validateLiveUrl,
  validateSetting,
} from "../config/settings.js";
import type { StoredAuth } from "../config/store.js";
import type { Context } from "../context.js";
import { AuthError, UsageError } from "../errors.js";
import { formatDuration } from "../util/duration.js";
import { ask, readAllStdin } from "../util/prompt.js";
import { redactUrl } from "../util/redact.js";
import { type GlobalFlags, openStore, profileName } from "./common.js";

export interface LoginFlags extends GlobalFlags {
  baseUrl?: string;
  customer?: string;
  username?: string;
  passwordStdin?: boolean;
  tokenStdin?: boolean;
}

/** Signs in (auth-information, then Cognito USER_PASSWORD_AUTH) and stores the tokens for the profile, never the password. */
export async function runLogin(ctx: Context, flags: LoginFlags): Promise<number> {
  if (flags.passwordStdin && flags.tokenStdin)
    throw new UsageError("use either --password-stdin or --token-stdin, not both");
  const name = profileName(flags, ctx);
  const store = openStore(ctx);
  const profile = await store.profile(name);
  const interactive = ctx.stdin.isTTY === true && !flags.passwordStdin && !flags.tokenStdin;
  const say = (text: string) => ctx.stderr.write(`scantail: ${text}\n`);
  const secrets = ctx.redactor;
  // --password-stdin / --token-stdin on a terminal would otherwise wait without a word.
  const waitingOnTerminal = (what: string) => {
    if (ctx.stdin.isTTY)
      say(`reading the ${what} from stdin: type it, then Enter and Ctrl-D (Ctrl-C cancels)`);
  };

  const need = async (
    label: string,
    flag: string,
    value: string | undefined,
    hidden = false,
  ): Promise<string> => {
    if (value) return value;
    if (!interactive) {
      throw new UsageError(
        `missing ${label}: pass ${flag}${ctx.stdin.isTTY ? "" : " (stdin is not a terminal, so scantail cannot ask)"}`,
      );
    }
    const answer = (await ask(ctx, `${label}: `, { hidden })).trim();
    if (!answer) throw new UsageError(`missing ${label}`);
    return answer;
  };

  const customerSetting = resolveSetting(
    flags.customer,
    ctx.env.SCANTAIL_CUSTOMER,
    profile.customer,
  );

  if (customerSetting.value !== undefined) validateSetting("customer", customerSetting.value);

  if (flags.tokenStdin) {
    waitingOnTerminal("token");
    const token = (await readAllStdin(ctx)).trim();
    if (!token) throw new UsageError("--token-stdin: stdin was empty");
    if (/\s/.test(token))
      throw new UsageError("--token-stdin: the token must not contain spaces or line breaks");
    secrets.add(token);
    const expiresAt = jwtExpiry(token);
    // Exit 3, not 2: the value is well-formed but the server would refuse it — the same
    // class as a refused sign-in, and what scripts test to fetch a fresh token.
    if (expiresAt !== undefined && expiresAt <= ctx.now()) {
      throw new AuthError(
        `--token-stdin: the token expired ${formatDuration(ctx.now() - expiresAt)} ago; nothing was stored`,
        "pass a fresh token, or run `scantail login` to sign in with a password",
      );
    }
    const auth: StoredAuth = {
      accessToken: token,
      idToken: token,
      source: "stdin",
      expiresAt,
      obtainedAt: ctx.now(),
    };
    await store.update(name, (p) => ({
      ...p,
      customer: customerSetting.value ?? p.customer,
      auth,
    }));
    const expiry = auth.expiresAt
      ? `; it expires in ${formatDuration(auth.expiresAt - ctx.now())}`
      : "";
    say(`stored the token for profile "${name}" (sent as is, it cannot be refreshed${expiry})`);
    return 0;
  }

  const baseUrl = validateBaseUrl(
    await need(
      "Insight base URL",
      "--base-url",
      resolveSetting(flags.baseUrl, ctx.env.SCANTAIL_BASE_URL, profile.baseUrl).value,
    ),
  );
  const customer = await need("customer ID", "--customer", customerSetting.value);
  validateSetting("customer", customer);
  const username = await need(
    "user name (e-mail)",
    "--username",
    flags.username ?? profile.auth?.username,
  );
  let password: string;
  if (flags.passwordStdin) {
    waitingOnTerminal("password");
    password = await readAllStdin(ctx);
    if (!password) throw new UsageError("--password-stdin: stdin was empty");
  } else {
    password = await need("password", "--password-stdin", undefined, true);
  }
  secrets.add(password);

  const info = await getAuthInformation(baseUrl, customer, ctx.signal);
  const endpoint = cognitoEndpoint(info.region, ctx.env);
  const tokens = await signInWithPassword(endpoint, info.clientId, username, password, ctx.signal);
  for (const t of [tokens.accessToken, tokens.idToken, tokens.refreshToken]) secrets.add(t);
  let discoveredUrl: string | undefined;
  if (info.websocketUrl) {
    try {
      discoveredUrl = validateLiveUrl(info.websocketUrl);
    } catch {
      say(
        `warning: ignoring the websocket_url from auth-information (${redactUrl(info.websocketUrl).slice(0, 100)}): not a wss:// URL`,
      );
    }
  }
  const now = ctx.now();
  const auth: StoredAuth = {
    accessToken: tokens.accessToken,
    idToken: tokens.idToken,
    refreshToken: tokens.refreshToken,
    expiresAt: tokens.expiresIn ? now + tokens.expiresIn * 1000 : jwtExpiry(tokens.accessToken),
    obtainedAt: now,
    source: "login",
    region: info.region,
    clientId: info.clientId,
    username,
    cognitoEndpoint: ctx.env.SCANTAIL_COGNITO_ENDPOINT || undefined,
  };
  await store.update(name, (p) => ({
    ...p,
    baseUrl,
    customer,
    discoveredUrl: discoveredUrl ?? p.discoveredUrl,
    auth,
  }));
  say(`signed in as ${username} (customer ${customer}, profile "${name}")`);
  if (!profile.url && !discoveredUrl && !ctx.env.SCANTAIL_URL) {
    say(
      "no live URL is known yet: set it with `scantail config set url wss://…` (the Live Data URL from the webportal)",
    );
  }
  return 0;
}
