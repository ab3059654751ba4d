import { canRefresh, tokenExpiry } from "../auth/tokens.js";
import {
  resolveLiveSettings,
  SETTING_KEYS,
  type SettingKey,
  validateSetting,
} from "../config/settings.js";
import type { ConfigStore, Profile, TokenKind } from "../config/store.js";
import type { Context } from "../context.js";
import { EXIT, UsageError } from "../errors.js";
import { resolveFormatName } from "../format/names.js";
import { formatDuration } from "../util/duration.js";
import { redactUrl } from "../util/redact.js";
import { didYouMean } from "../util/suggest.js";
import { type GlobalFlags, openStore, profileName } from "./common.js";
import type { CommandFlags } from "./options.js";

/** Forgets the profile's tokens; its settings (customer, URLs, format) stay. */
export async function runLogout(ctx: Context, flags: GlobalFlags): Promise<number> {
  const name = profileName(flags, ctx);
  const store = openStore(ctx);
  const profile = await store.profile(name);
  if (!profile.auth) {
    ctx.stderr.write(`scantail: profile "${name}" was not signed in\n`);
    return 0;
  }
  await store.update(name, (p) => ({ ...p, auth: undefined }));
  ctx.stderr.write(
    `scantail: signed out of profile "${name}" (tokens removed from ${store.path})\n`,
  );
  return 0;
}

export interface StatusReport {
  profile: string;
  configPath: string;
  configExists: boolean;
  customer: string | null;
  customerSource: string | null;
  baseUrl: string | null;
  liveUrl: string | null;
  liveUrlSource: string | null;
  tokenKind: TokenKind;
  tokenKindSource: string;
  signedIn: boolean;
  tokenSource: "env" | "login" | "stdin" | null;
  username: string | null;
  expiresAt: string | null;
  expiresInSeconds: number | null;
  expired: boolean | null;
  refreshToken: boolean;
  /** A valid token, or an expired one that a refresh token renews: what exit 0 means. */
  canConnect: boolean;
}

export function buildStatus(
  ctx: Context,
  name: string,
  store: ConfigStore,
  profile: Profile,
): StatusReport {
  const { url, customer, tokenKind: kind } = resolveLiveSettings({}, ctx.env, profile);
  const auth = profile.auth;
  const envToken = Boolean(ctx.env.SCANTAIL_TOKEN);
  const expiry = envToken ? undefined : auth ? tokenExpiry(auth, kind.value) : undefined;
  const report: StatusReport = {
    profile: name,
    configPath: store.path,
    configExists: store.exists(),
    customer: customer.value ?? null,
    customerSource: customer.source ?? null,
    baseUrl: profile.baseUrl ?? null,
    liveUrl: url.value ? redactUrl(url.value) : null,
    liveUrlSource: url.source ?? null,
    tokenKind: kind.value,
    tokenKindSource: kind.source,
    signedIn: envToken || Boolean(auth?.accessToken || auth?.idToken),
    tokenSource: envToken ? "env" : (auth?.source ?? null),
    username: auth?.username ?? null,
    expiresAt: expiry !== undefined ? new Date(expiry).toISOString() : null,
    expiresInSeconds: expiry !== undefined ? Math.round((expiry - ctx.now()) / 1000) : null,
    expired: expiry !== undefined ? expiry <= ctx.now() : null,
    refreshToken: !envToken && canRefresh(auth),
    canConnect: false,
  };
  report.canConnect =
    report.signedIn && (report.tokenSource === "env" || !report.expired || report.refreshToken);
  return report;
}

/**
 * Profile, config path, customer, URLs, token kind and expiry: never a token. Exits 3
 * when the profile cannot connect (as `gh auth status` does), so scripts can test it.
 */
export async function runStatus(ctx: Context, flags: CommandFlags<"status">): Promise<number> {
  const name = profileName(flags, ctx);
  const store = openStore(ctx);
  const profile = await store.profile(name);
  const s = buildStatus(ctx, name, store, profile);
  const exitCode = s.canConnect ? EXIT.ok : EXIT.auth;
  if (flags.json) {
    ctx.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return exitCode;
  }
  const from = (source: string | null) => (source ? ` (from ${source})` : "");
  let token: string;
  if (!s.signedIn) token = "not signed in — run `scantail login`";
  else if (s.tokenSource === "env") token = "SCANTAIL_TOKEN (used as is, no refresh)";
  else if (s.expired)
    token = `${s.tokenKind} token expired${s.refreshToken ? " (will be refreshed on the next connection)" : " — run `scantail login`"}`;
  else if (s.expiresInSeconds !== null)
    token = `${s.tokenKind} token expires in ${formatDuration(s.expiresInSeconds * 1000)}`;
  else token = `${s.tokenKind} token stored (expiry unknown)`;
  const rows: Array<[string, string]> = [
    ["profile", s.profile],
    ["config", `${s.configPath}${s.configExists ? "" : " (not created yet)"}`],
    ["customer", `${s.customer ?? "(not set)"}${from(s.customerSource)}`],
    ["base URL", s.baseUrl ?? "(not set)"],
    ["live URL", `${s.liveUrl ?? "(not set)"}${from(s.liveUrlSource)}`],
    ["token kind", `${s.tokenKind}${from(s.tokenKindSource)}`],
    [
      "signed in",
      s.canConnect
        ? `yes${s.username ? ` as ${s.username}` : ""}${s.tokenSource === "stdin" ? " (pasted token)" : ""}`
        : s.signedIn
          ? "no: the stored token expired and cannot be refreshed"
          : "no",
    ],
    ["token", token],
    [
      "refresh token",
      s.tokenSource === "env"
        ? "not used with SCANTAIL_TOKEN"
        : s.refreshToken
          ? "yes"
          : s.tokenSource === "stdin"
            ? "no (pasted token: no refresh possible)"
            : "no",
    ],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) ctx.stdout.write(`${k.padEnd(width)}  ${v}\n`);
  return exitCode;
}

/** `token-kind` and `tokenKind` both name the setting: the flags are spelt kebab-case. */
export function settingKey(input: string): SettingKey | undefined {
  const camel = input.replace(/[-_]([a-z])/gi, (_, c: string) => c.toUpperCase());
  const match = SETTING_KEYS.find((k) => k.toLowerCase() === camel.toLowerCase());
  return match;
}

function mask(secret: string | undefined): string | undefined {
  return secret ? "******** (hidden)" : undefined;
}

/** `scantail config get|set|unset|list|path`. */
export async function runConfig(
  ctx: Context,
  action: string,
  key: string | undefined,
  value: string | undefined,
  flags: CommandFlags<"config">,
): Promise<number> {
  const name = profileName(flags, ctx);
  const store = openStore(ctx);
  const requireKey = (): SettingKey => {
    if (!key)
      throw new UsageError(`config ${action} needs a key; valid keys: ${SETTING_KEYS.join(", ")}`);
    const k = settingKey(key);
    if (!k) {
      throw new UsageError(
        `unknown config key "${key}"${didYouMean(key, SETTING_KEYS)}; valid keys: ${SETTING_KEYS.join(", ")}`,
      );
    }
    return k;
  };
  const noExtra = (count: number) => {
    const extras = [key, value].slice(count).filter((v) => v !== undefined);
    if (extras.length) throw new UsageError(`config ${action}: unexpected argument "${extras[0]}"`);
  };
  switch (action) {
    case "path":
      noExtra(0);
      ctx.stdout.write(`${store.path}\n`);
      return 0;
    case "get": {
      const k = requireKey();
      noExtra(1);
      const v = (await store.profile(name))[k];
      if (v === undefined) {
        ctx.stderr.write(`scantail: ${k} is not set in profile "${name}"\n`);
        return 1;
      }
      ctx.stdout.write(`${v}\n`);
      return 0;
    }
    case "set": {
      const k = requireKey();
      if (value === undefined) throw new UsageError(`config set ${k} needs a value`);
      // `-o Table` and `-o json` work, so the stored format is spelt the same way.
      const typed = k === "format" ? (resolveFormatName(value) ?? value) : value;
      const valid = validateSetting(k, typed);
      await store.update(name, (p) => ({ ...p, [valid.key]: valid.value }));
      ctx.stderr.write(`scantail: ${valid.key} = ${valid.value} (profile "${name}")\n`);
      return 0;
    }
    case "unset": {
      const k = requireKey();
      noExtra(1);
      const before = store.exists() ? (await store.profile(name))[k] : undefined;
      if (before === undefined) {
        ctx.stderr.write(`scantail: ${k} was not set in profile "${name}"; nothing to do\n`);
        return 0;
      }
      await store.update(name, (p) => ({ ...p, [k]: undefined }));
      ctx.stderr.write(`scantail: unset ${k} (was ${before}) in profile "${name}"\n`);
      return 0;
    }
    case "list": {
      if (key !== undefined) throw new UsageError(`config list takes no key (got "${key}")`);
      const profile = await store.profile(name);
      const auth = profile.auth;
      const listed: Record<string, unknown> = {};
      for (const k of SETTING_KEYS) if (profile[k] !== undefined) listed[k] = profile[k];
      if (profile.discoveredUrl) listed.discoveredUrl = profile.discoveredUrl;
      if (auth) {
        listed.auth = {
          source: auth.source,
          username: auth.username,
          region: auth.region,
          accessToken: mask(auth.accessToken),
          idToken: mask(auth.idToken),
          refreshToken: mask(auth.refreshToken),
          expiresAt: auth.expiresAt ? new Date(auth.expiresAt).toISOString() : undefined,
        };
      }
      if (flags.json) {
        ctx.stdout.write(
          `${JSON.stringify({ profile: name, path: store.path, settings: listed }, null, 2)}\n`,
        );
        return 0;
      }
      ctx.stderr.write(`scantail: profile "${name}" in ${store.path}\n`);
      const flat: Array<[string, unknown]> = [];
      for (const [k, v] of Object.entries(listed)) {
        if (v && typeof v === "object")
          for (const [k2, v2] of Object.entries(v)) flat.push([`${k}.${k2}`, v2]);
        else flat.push([k, v]);
      }
      const shown = flat.filter(([, v]) => v !== undefined);
      for (const [k, v] of shown) ctx.stdout.write(`${k}=${v}\n`);
      if (shown.length === 0) {
        ctx.stderr.write(
          `scantail: nothing stored yet; set a value with \`scantail config set <key> <value>\` (keys: ${SETTING_KEYS.join(", ")}) or run \`scantail login\`\n`,
        );
      }
      return 0;
    }
    default:
      throw new UsageError(`unknown config action "${action}"; use get, set, unset, list or path`);
  }
}
