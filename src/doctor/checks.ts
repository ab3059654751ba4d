import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { canRefresh, createTokenProvider, tokenExpiry } from "../auth/tokens.js";
import { openStore } from "../commands/common.js";
import { historyAccessFor } from "../commands/history-access.js";
import { resolveLiveSettings, validateLiveUrl } from "../config/settings.js";
import { EXIT } from "../errors.js";
import { latencyOf, str } from "../events/event.js";
import { parseFrame } from "../events/parse.js";
import { FeedConnection, HANDSHAKE_TIMEOUT_MS } from "../feed/connection.js";
import { BinaryFrame, frameText } from "../feed/frame.js";
import { classifyHandshake } from "../feed/handshake.js";
import { buildFeedUrl, MAX_PAYLOAD } from "../feed/open-feed.js";
import { checkRest } from "../sources/history-check.js";
import { formatDuration } from "../util/duration.js";
import { redactUrl } from "../util/redact.js";
import { sanitize } from "../util/sanitize.js";
import { type CheckResult, type DoctorCheck, type DoctorRun, failure } from "./check.js";

/**
 * The chain doctor walks, in order: config → settings → token → DNS → TLS → handshake →
 * first event → limits. A new check is one function below and one entry here.
 */
export const DOCTOR_CHECKS: readonly DoctorCheck[] = [
  { name: "config", run: checkConfig },
  { name: "settings", run: checkSettings },
  { name: "token", run: checkToken },
  { name: "rest", run: checkRestHistory },
  { name: "dns", run: checkDns },
  { name: "tls", run: checkTls },
  { name: "handshake", run: checkHandshake },
  { name: "first event", run: checkFirstEvent },
  { name: "limits", run: checkLimits },
];

/** A fact an earlier check establishes; reaching here without it is a bug in the list. */
function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`doctor: ${what} is not known at this point`);
  return value;
}

async function checkConfig({ ctx, profileName: name, facts }: DoctorRun): Promise<CheckResult[]> {
  const store = openStore(ctx);
  facts.store = store;
  if (!store.exists()) {
    return [
      {
        name: "config",
        state: "skip",
        detail: `no config file yet (${store.path})`,
        hint: "`scantail login` creates it",
      },
    ];
  }
  try {
    facts.profile = await store.profile(name);
  } catch (error) {
    return [failure("config", error, EXIT.usage)];
  }
  const mode = store.mode();
  if (mode !== undefined && (mode & 0o077) !== 0) {
    return [
      {
        name: "config",
        state: "fail",
        detail: `${store.path} is readable by others (mode ${mode.toString(8).padStart(4, "0")})`,
        hint: `chmod 600 ${store.path}`,
        exitCode: EXIT.usage,
      },
    ];
  }
  return [{ name: "config", state: "ok", detail: `${store.path} (mode 0600, profile "${name}")` }];
}

async function checkSettings({ ctx, flags, facts }: DoctorRun): Promise<CheckResult[]> {
  let settings: ReturnType<typeof resolveLiveSettings>;
  try {
    settings = resolveLiveSettings(flags, ctx.env, facts.profile);
  } catch (error) {
    return [failure("settings", error, EXIT.usage)];
  }
  facts.settings = settings;
  const { url, customer } = settings;
  const lines: CheckResult[] = [
    {
      name: "customer",
      state: customer.value ? "ok" : "warn",
      detail: customer.value
        ? `${customer.value} (from ${customer.source})`
        : "not set (only needed for /prod/ URLs)",
    },
  ];
  if (!url.value) {
    lines.push({
      name: "url",
      state: "fail",
      detail: "no live feed URL",
      hint: "`scantail config set url wss://…` (the Live Data URL from the webportal), or --url",
      exitCode: EXIT.usage,
    });
    return lines;
  }
  try {
    facts.liveUrl = validateLiveUrl(url.value, flags.insecure === true);
  } catch (error) {
    lines.push(failure("url", error, EXIT.usage));
    return lines;
  }
  lines.push({
    name: "url",
    state: "ok",
    detail: `${redactUrl(facts.liveUrl)} (from ${url.source})`,
  });
  return lines;
}

/** Present, which kind, when it expires, whether it can be refreshed (refreshed when due). */
async function checkToken({ ctx, profileName: name, facts }: DoctorRun): Promise<CheckResult[]> {
  const store = need(facts.store, "the config store");
  const kind = need(facts.settings, "the settings").tokenKind.value;
  const fromEnv = Boolean(ctx.env.SCANTAIL_TOKEN);
  try {
    const provider = createTokenProvider({
      env: ctx.env,
      store,
      profileName: name,
      profile: facts.profile,
      tokenKind: kind,
      now: ctx.now,
      signal: ctx.signal,
      redactor: ctx.redactor,
    });
    const auth = facts.profile.auth;
    const before = !fromEnv && auth ? tokenExpiry(auth, kind) : undefined;
    const token = await provider.getToken({ force: false });
    ctx.redactor.add(token);
    facts.token = token;
    const after = fromEnv
      ? undefined
      : tokenExpiry((await store.profile(name)).auth ?? { source: "login" }, kind);
    const refreshed = before !== undefined && after !== undefined && after !== before;
    const source =
      provider.source === "env"
        ? "SCANTAIL_TOKEN (used as is)"
        : provider.source === "stdin"
          ? "pasted token"
          : "signed in";
    const expiry = after !== undefined ? `, expires in ${formatDuration(after - ctx.now())}` : "";
    const refresh =
      provider.source === "env"
        ? ""
        : canRefresh(auth)
          ? ", refresh possible"
          : ", no refresh possible";
    return [
      {
        name: "token",
        state: "ok",
        detail: `${kind} token, ${source}${expiry}${refreshed ? " (just refreshed)" : ""}${refresh}`,
      },
    ];
  } catch (error) {
    return [failure("token", error, EXIT.auth)];
  }
}

function hostOf(liveUrl: string): { host: string; port: number; tls: boolean } {
  const target = new URL(liveUrl);
  const tls = target.protocol === "wss:";
  return {
    host: target.hostname.replace(/^\[|\]$/g, ""),
    port: Number(target.port || (tls ? 443 : 80)),
    tls,
  };
}

async function checkDns({ ctx, facts }: DoctorRun): Promise<CheckResult[]> {
  const { host } = hostOf(need(facts.liveUrl, "the URL"));
  const started = ctx.now();
  try {
    const addresses = await lookup(host, { all: true });
    const shown = addresses
      .map((a) => a.address)
      .slice(0, 3)
      .join(", ");
    return [
      {
        name: "dns",
        state: "ok",
        detail: `${host} → ${shown} (${formatDuration(ctx.now() - started)})`,
      },
    ];
  } catch (error) {
    return [
      {
        name: "dns",
        state: "fail",
        detail: `cannot resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
        hint: "check the URL's host name and your network / DNS",
        exitCode: EXIT.failure,
      },
    ];
  }
}

/** The TLS handshake on its own, within the same timeout the feed's handshake gets. */
async function checkTls({ ctx, facts }: DoctorRun): Promise<CheckResult[]> {
  const { host, port, tls } = hostOf(need(facts.liveUrl, "the URL"));
  if (!tls) return [{ name: "tls", state: "skip", detail: "ws:// to loopback: no TLS" }];
  const result = await new Promise<CheckResult>((resolve) => {
    // SNI carries host names only (RFC 6066); an IP literal would earn a warning.
    const servername = isIP(host) ? undefined : host;
    const socket = tlsConnect({ host, port, servername }, () => {
      const cert = socket.getPeerCertificate();
      const protocol = socket.getProtocol();
      done({
        name: "tls",
        state: "ok",
        detail: `${protocol ?? "TLS"}, certificate for ${cert?.subject?.CN ?? host} valid until ${cert?.valid_to ?? "?"}`,
      });
    });
    const timer = setTimeout(
      () =>
        done({
          name: "tls",
          state: "fail",
          detail: `no TLS answer from ${host}:${port} within ${formatDuration(HANDSHAKE_TIMEOUT_MS)}`,
          hint: "a firewall or proxy may block outgoing port 443",
          exitCode: EXIT.failure,
        }),
      HANDSHAKE_TIMEOUT_MS,
    );
    const onAbort = () => done({ name: "tls", state: "fail", detail: "interrupted" });
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    socket.on("error", (error) =>
      done({
        name: "tls",
        state: "fail",
        detail: `TLS to ${host}:${port} failed: ${error.message}`,
        hint: "a proxy that intercepts TLS needs NODE_EXTRA_CA_CERTS",
        exitCode: EXIT.failure,
      }),
    );
    function done(check: CheckResult) {
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
      socket.destroy();
      resolve(check);
    }
  });
  return [result];
}

/** The WebSocket upgrade, judged by the same classification the live feed uses. */
async function checkHandshake({ ctx, facts }: DoctorRun): Promise<CheckResult[]> {
  const liveUrl = need(facts.liveUrl, "the URL");
  const settings = need(facts.settings, "the settings");
  const connection = await FeedConnection.create({
    url: buildFeedUrl(liveUrl, facts.token, settings.customer.value),
    maxPayload: MAX_PAYLOAD,
    heartbeatMs: 0,
    now: ctx.now,
    onFrame: (data) => (facts.onFrame ? facts.onFrame(data) : facts.early.push(data)),
    isPaused: () => false,
  });
  facts.connection = connection;
  const started = ctx.now();
  const opened = await connection.open(ctx.signal);
  const verdict = classifyHandshake(opened);
  switch (verdict.kind) {
    case "open":
      return [
        {
          name: "handshake",
          state: "ok",
          detail: `connected in ${formatDuration(ctx.now() - started)}`,
        },
      ];
    case "unreachable":
      return [
        {
          name: "handshake",
          state: "fail",
          detail: verdict.message,
          hint: verdict.timedOut
            ? "the server accepted the connection but never answered: a proxy or firewall may hold it"
            : "check the URL and your network",
          exitCode: EXIT.failure,
        },
      ];
    default: {
      const body = opened.ok ? "" : (opened.refusal?.body ?? "");
      const kind = settings.tokenKind.value;
      return [
        {
          name: "handshake",
          state: "fail",
          // Redacted before it is cut: a body echoing the token must not keep its start.
          detail: `HTTP ${verdict.status}${body ? `: ${sanitize(ctx.redactor.redact(body).replace(/\s+/g, " ").slice(0, 200))}` : ""}`,
          hint:
            verdict.kind === "auth"
              ? `the token was refused: it may be expired or the wrong kind for this URL (${kind} now; /latest/ wants access, /prod/ wants id with customer=)${verdict.status === 403 ? "; API Gateway also answers 403 for a wrong stage in the URL" : ""}`
              : verdict.status === 404
                ? "check the stage in the URL (/latest/ or /prod/)"
                : verdict.kind === "busy"
                  ? "the service may be having trouble; try again"
                  : "check the URL",
          exitCode: verdict.kind === "auth" ? EXIT.auth : EXIT.failure,
        },
      ];
    }
  }
}

async function checkFirstEvent({ ctx, facts, waitMs }: DoctorRun): Promise<CheckResult[]> {
  const connection = need(facts.connection, "the connection");
  const result = await new Promise<CheckResult>((resolve) => {
    let invalid = 0;
    const timer = setTimeout(
      () =>
        done({
          name: "first event",
          state: "fail",
          detail: `no event within ${formatDuration(waitMs)}${invalid ? ` (${invalid} frames that were not events)` : ""}`,
          hint: "scan a barcode with a connected scanner now, or wait longer with --wait 2m",
          exitCode: EXIT.failure,
        }),
      waitMs,
    );
    const onAbort = () => done({ name: "first event", state: "fail", detail: "interrupted" });
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    void connection.closed.then((info) =>
      done({
        name: "first event",
        state: "fail",
        detail: `the connection closed before an event arrived (code ${info.code})`,
        exitCode: EXIT.failure,
      }),
    );
    let settled = false;
    function done(check: CheckResult) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener("abort", onAbort);
      resolve(check);
    }
    const onFrame = (data: Buffer | BinaryFrame) => {
      if (settled) return;
      const parsed = parseFrame(data instanceof BinaryFrame ? data : frameText(data));
      if (!parsed.ok) {
        invalid++;
        return;
      }
      done({ name: "first event", state: "ok", detail: describeEvent(parsed.event) });
    };
    facts.onFrame = onFrame;
    for (const frame of facts.early.splice(0)) onFrame(frame);
  });
  connection.close(1000, "doctor done");
  return [result];
}

function describeEvent(e: Parameters<typeof latencyOf>[0]): string {
  const latency = latencyOf(e);
  const skew =
    latency !== undefined && (latency < 0 || latency > 3_600_000) ? " (clock skew?)" : "";
  return sanitize(
    `${str(e.device_serial) ?? "?"} ${str(e.scan_decode_symbology) ?? ""} ${JSON.stringify(str(e.scan_code) ?? "")} at ${str(e.customer_gateway_station) ?? str(e.customer_gateway_name) ?? "?"}${latency !== undefined ? `, latency ${formatDuration(latency)}${skew}` : ""}`,
  );
}

async function checkLimits(): Promise<CheckResult[]> {
  return [
    {
      name: "limits",
      state: "info",
      detail:
        "API Gateway closes idle connections after 10 min and every connection after 2 h; scantail reconnects at once and renews at 110 min",
    },
  ];
}

/**
 * The REST event history (experimental: its window parameters are not publicly
 * documented): base URL reachable, token accepted and with which Authorization
 * spelling, one page read. Never stops the chain — the live feed does not need it — so
 * a failure is a warning with its reason.
 */
async function checkRestHistory({
  ctx,
  flags,
  profileName: name,
  facts,
}: DoctorRun): Promise<CheckResult[]> {
  const settings = need(facts.settings, "the settings");
  const store = need(facts.store, "the config store");
  const baseUrl = settings.baseUrl.value;
  const customer = settings.customer.value;
  if (!baseUrl || !customer) {
    return [
      {
        name: "rest",
        state: "skip",
        detail: `event history (experimental): no ${baseUrl ? "customer ID" : "base URL"}; events, --since and gap fill are off`,
        hint: baseUrl
          ? "pass --customer or set SCANTAIL_CUSTOMER"
          : "pass --base-url, set SCANTAIL_BASE_URL, or `scantail config set baseUrl <url>`",
      },
    ];
  }
  const access = historyAccessFor(ctx, {
    baseUrl,
    customer,
    tokenKind: settings.tokenKind.value,
    store,
    profileName: name,
    profile: facts.profile,
    insecure: flags.insecure === true,
  });
  const result = await checkRest({ ...access, baseUrl, signal: ctx.signal });
  return [
    {
      name: "rest",
      state: result.ok ? "ok" : "warn",
      detail: `event history (experimental): ${result.detail}`,
      hint: result.ok
        ? undefined
        : "events, --since and gap fill need it; the live feed does not (see README, History)",
    },
  ];
}
