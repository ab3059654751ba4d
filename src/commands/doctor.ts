import { lookup } from "node:dns/promises";
import { connect as tlsConnect } from "node:tls";
import { canRefresh, createTokenProvider, tokenExpiry } from "../auth/tokens.js";
import { type LiveSettings, resolveLiveSettings, validateLiveUrl } from "../config/settings.js";
import { ConfigStore, type Profile } from "../config/store.js";
import type { Context } from "../context.js";
import { errorMessage, ScantailError } from "../errors.js";
import { latencyOf, str } from "../events/event.js";
import { parseFrame } from "../events/parse.js";
import { FeedConnection } from "../feed/connection.js";
import { BinaryFrame, frameText } from "../feed/frame.js";
import { buildFeedUrl, MAX_PAYLOAD } from "../feed/open-feed.js";
import { colorLevel, loadChalk } from "../format/color.js";
import { formatDuration, parseDuration } from "../util/duration.js";
import { redactSecrets, redactUrl, registerSecret } from "../util/redact.js";
import { sanitize } from "../util/sanitize.js";
import { type GlobalFlags, profileName } from "./common.js";
import { parseColorMode } from "./output-options.js";

export interface DoctorFlags extends GlobalFlags {
  wait?: string;
  json?: boolean;
  url?: string;
  customer?: string;
  tokenKind?: string;
  insecure?: boolean;
}

type State = "ok" | "fail" | "warn" | "skip" | "info";

export interface Check {
  name: string;
  state: State;
  detail: string;
  hint?: string;
  /** Exit code class of a failure: 2 config, 3 auth, 1 network. */
  exitCode?: number;
}

/**
 * Walks config → credentials → DNS → TLS → handshake → first event, one line per check,
 * and stops at the first broken link (later checks cannot pass without it).
 */
export async function runDoctor(ctx: Context, flags: DoctorFlags): Promise<number> {
  const waitMs = parseDuration(flags.wait ?? "30s", "--wait");
  const chalk = await loadChalk(
    colorLevel(parseColorMode(flags.color), ctx.env, ctx.stdout.isTTY === true && !flags.json),
  );
  const checks: Check[] = [];
  const symbols: Record<State, string> = {
    ok: chalk.green("✓"),
    fail: chalk.red("✗"),
    warn: chalk.yellow("!"),
    skip: chalk.dim("-"),
    info: chalk.dim("i"),
  };
  const add = (check: Check) => {
    const safe = {
      ...check,
      detail: redactSecrets(check.detail),
      hint: check.hint && redactSecrets(check.hint),
    };
    checks.push(safe);
    if (!flags.json) {
      ctx.stdout.write(`${symbols[check.state]} ${check.name.padEnd(12)} ${safe.detail}\n`);
      if (safe.hint && check.state !== "ok")
        ctx.stdout.write(`  ${" ".repeat(12)} ${chalk.dim(`→ ${safe.hint}`)}\n`);
    }
    return check.state !== "fail";
  };
  const finish = () => {
    const failed = checks.find((c) => c.state === "fail");
    const code = failed?.exitCode ?? 0;
    if (flags.json)
      ctx.stdout.write(`${JSON.stringify({ ok: !failed, exitCode: code, checks }, null, 2)}\n`);
    return code;
  };
  const fail = (name: string, error: unknown, fallback: number) =>
    add({
      name,
      state: "fail",
      detail: errorMessage(error),
      hint: error instanceof ScantailError ? error.hint : undefined,
      exitCode: error instanceof ScantailError ? error.exitCode : fallback,
    });

  // 1. The config file.
  const name = profileName(flags, ctx);
  const store = new ConfigStore(ctx.env);
  let profile: Profile = {};
  if (!store.exists()) {
    add({
      name: "config",
      state: "skip",
      detail: `no config file yet (${store.path})`,
      hint: "`scantail login` creates it",
    });
  } else {
    try {
      profile = await store.profile(name);
      const mode = store.mode();
      if (mode !== undefined && (mode & 0o077) !== 0) {
        add({
          name: "config",
          state: "fail",
          detail: `${store.path} is readable by others (mode ${mode.toString(8).padStart(4, "0")})`,
          hint: `chmod 600 ${store.path}`,
          exitCode: 2,
        });
        return finish();
      }
      add({ name: "config", state: "ok", detail: `${store.path} (mode 0600, profile "${name}")` });
    } catch (error) {
      fail("config", error, 2);
      return finish();
    }
  }

  // 2. Settings and where each came from.
  let settings: LiveSettings;
  try {
    settings = resolveLiveSettings(flags, ctx.env, profile);
  } catch (error) {
    fail("settings", error, 2);
    return finish();
  }
  const { url, customer, tokenKind: kind } = settings;
  add({
    name: "customer",
    state: customer.value ? "ok" : "warn",
    detail: customer.value
      ? `${customer.value} (from ${customer.source})`
      : "not set (only needed for /prod/ URLs)",
  });
  let liveUrl: string;
  try {
    if (!url.value) {
      add({
        name: "url",
        state: "fail",
        detail: "no live feed URL",
        hint: "`scantail config set url wss://…` (the Live Data URL from the webportal), or --url",
        exitCode: 2,
      });
      return finish();
    }
    liveUrl = validateLiveUrl(url.value, flags.insecure === true);
    add({ name: "url", state: "ok", detail: `${redactUrl(liveUrl)} (from ${url.source})` });
  } catch (error) {
    fail("url", error, 2);
    return finish();
  }
  // 3. Credentials: present, kind, expiry, refresh (performed when due).
  let token: string;
  try {
    const provider = createTokenProvider({
      env: ctx.env,
      store,
      profileName: name,
      profile,
      tokenKind: kind.value,
      now: ctx.now,
      signal: ctx.signal,
    });
    const auth = profile.auth;
    const before = !ctx.env.SCANTAIL_TOKEN && auth ? tokenExpiry(auth, kind.value) : undefined;
    token = await provider.getToken({ force: false });
    registerSecret(token);
    const after = ctx.env.SCANTAIL_TOKEN
      ? undefined
      : tokenExpiry((await store.profile(name)).auth ?? { source: "login" }, kind.value);
    const refreshed = before !== undefined && after !== undefined && after !== before;
    const source =
      provider.source === "env"
        ? "SCANTAIL_TOKEN (used as is)"
        : provider.source === "stdin"
          ? "pasted token"
          : "signed in";
    const expiry = after !== undefined ? `, expires in ${formatDuration(after - ctx.now())}` : "";
    add({
      name: "token",
      state: "ok",
      detail: `${kind.value} token, ${source}${expiry}${refreshed ? " (just refreshed)" : ""}${provider.source === "env" ? "" : canRefresh(auth) ? ", refresh possible" : ", no refresh possible"}`,
    });
  } catch (error) {
    fail("token", error, 3);
    return finish();
  }

  // 4. DNS.
  const target = new URL(liveUrl);
  const host = target.hostname.replace(/^\[|\]$/g, "");
  try {
    const started = ctx.now();
    const addresses = await lookup(host, { all: true });
    add({
      name: "dns",
      state: "ok",
      detail: `${host} → ${addresses
        .map((a) => a.address)
        .slice(0, 3)
        .join(", ")} (${formatDuration(ctx.now() - started)})`,
    });
  } catch (error) {
    add({
      name: "dns",
      state: "fail",
      detail: `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? errorMessage(error)}`,
      hint: "check the URL's host name and your network / DNS",
      exitCode: 1,
    });
    return finish();
  }

  // 5. TLS.
  if (target.protocol === "wss:") {
    const port = Number(target.port || 443);
    const result = await new Promise<Check>((resolve) => {
      const socket = tlsConnect({ host, port, servername: host, timeout: 10_000 }, () => {
        const cert = socket.getPeerCertificate();
        const protocol = socket.getProtocol();
        socket.end();
        resolve({
          name: "tls",
          state: "ok",
          detail: `${protocol ?? "TLS"}, certificate for ${cert?.subject?.CN ?? host} valid until ${cert?.valid_to ?? "?"}`,
        });
      });
      socket.on("timeout", () => {
        socket.destroy();
        resolve({
          name: "tls",
          state: "fail",
          detail: `no TLS answer from ${host}:${port} within 10 s`,
          hint: "a firewall or proxy may block outgoing port 443",
          exitCode: 1,
        });
      });
      socket.on("error", (error) => {
        resolve({
          name: "tls",
          state: "fail",
          detail: `TLS to ${host}:${port} failed: ${errorMessage(error)}`,
          hint: "a proxy that intercepts TLS needs NODE_EXTRA_CA_CERTS",
          exitCode: 1,
        });
      });
    });
    if (!add(result)) return finish();
  } else {
    add({ name: "tls", state: "skip", detail: "ws:// to loopback: no TLS" });
  }

  // 6. The WebSocket handshake, then 7. the first event.
  let firstFrame: ((data: Buffer | BinaryFrame) => void) | undefined;
  const frames: Array<Buffer | BinaryFrame> = [];
  const connection = await FeedConnection.create({
    url: buildFeedUrl(liveUrl, token, customer.value),
    maxPayload: MAX_PAYLOAD,
    heartbeatMs: 0,
    handshakeTimeoutMs: 15_000,
    now: ctx.now,
    onFrame: (data) => (firstFrame ? firstFrame(data) : frames.push(data)),
    isPaused: () => false,
  });
  const started = ctx.now();
  const opened = await connection.open();
  if (!opened.ok) {
    const refusal = opened.refusal;
    if (refusal) {
      const auth = refusal.status === 401 || refusal.status === 403;
      add({
        name: "handshake",
        state: "fail",
        detail: `HTTP ${refusal.status}${refusal.body ? `: ${sanitize(refusal.body.replace(/\s+/g, " ").slice(0, 200))}` : ""}`,
        hint: auth
          ? `the token was refused: it may be expired or the wrong kind for this URL (${kind.value} now; /latest/ wants access, /prod/ wants id with customer=)${refusal.status === 403 ? "; API Gateway also answers 403 for a wrong stage in the URL" : ""}`
          : refusal.status === 404
            ? "check the stage in the URL (/latest/ or /prod/)"
            : "the service may be having trouble; try again",
        exitCode: auth ? 3 : 1,
      });
    } else {
      add({
        name: "handshake",
        state: "fail",
        detail: errorMessage(opened.error),
        hint: "check the URL and your network",
        exitCode: 1,
      });
    }
    return finish();
  }
  add({
    name: "handshake",
    state: "ok",
    detail: `connected in ${formatDuration(ctx.now() - started)}`,
  });

  const event = await new Promise<Check>((resolve) => {
    let invalid = 0;
    const timer = setTimeout(
      () =>
        done({
          name: "first event",
          state: "fail",
          detail: `no event within ${formatDuration(waitMs)}${invalid ? ` (${invalid} frames that were not events)` : ""}`,
          hint: "scan a barcode with a connected scanner now, or wait longer with --wait 2m",
          exitCode: 1,
        }),
      waitMs,
    );
    const onAbort = () =>
      done({ name: "first event", state: "fail", detail: "interrupted", exitCode: 130 });
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    void connection.closed.then((info) =>
      done({
        name: "first event",
        state: "fail",
        detail: `the connection closed before an event arrived (code ${info.code})`,
        exitCode: 1,
      }),
    );
    function done(check: Check) {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
      firstFrame = () => {};
      resolve(check);
    }
    firstFrame = (data) => {
      const parsed = parseFrame(data instanceof BinaryFrame ? data : frameText(data));
      if (!parsed.ok) {
        invalid++;
        return;
      }
      const e = parsed.event;
      const latency = latencyOf(e);
      done({
        name: "first event",
        state: "ok",
        detail: sanitize(
          `${str(e.device_serial) ?? "?"} ${str(e.scan_decode_symbology) ?? ""} ${JSON.stringify(str(e.scan_code) ?? "")} at ${str(e.customer_gateway_station) ?? str(e.customer_gateway_name) ?? "?"}${latency !== undefined ? `, latency ${formatDuration(latency)}` : ""}${latency !== undefined && (latency < 0 || latency > 3_600_000) ? " (clock skew?)" : ""}`,
        ),
      });
    };
    for (const f of frames.splice(0)) firstFrame(f);
  });
  connection.close(1000, "doctor done");
  add(event);
  add({
    name: "limits",
    state: "info",
    detail:
      "API Gateway closes idle connections after 10 min and every connection after 2 h; scantail reconnects at once and renews at 110 min",
  });
  return finish();
}
