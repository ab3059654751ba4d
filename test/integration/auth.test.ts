import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeContext, runCli, type TestContext } from "../helpers/context.js";
import { type FakeAuth, fakeJwt, startFakeAuth } from "../helpers/fake-auth.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

const USER = "worker@example.com";

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const { createServer } = await import("node:net");
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
const PASSWORD = "correct horse battery staple";
let auth: FakeAuth;
let server: TestServer | undefined;
let ctxs: TestContext[] = [];

beforeEach(async () => {
  auth = await startFakeAuth();
});
afterEach(async () => {
  await auth.close();
  await server?.close();
  server = undefined;
  for (const c of ctxs) c.cleanup();
  ctxs = [];
});

/** A context sharing one config dir across commands, like one user's machine. */
function machine(env: Record<string, string> = {}) {
  const first = makeContext({ env: { SCANTAIL_COGNITO_ENDPOINT: auth.cognitoUrl, ...env } });
  ctxs.push(first);
  return (input?: string, extraEnv: Record<string, string> = {}) => {
    const ctx = makeContext({
      configDir: first.configDir,
      env: { SCANTAIL_COGNITO_ENDPOINT: auth.cognitoUrl, ...env, ...extraEnv },
    });
    if (input !== undefined) ctx.stdinStream.end(input);
    else ctx.stdinStream.end();
    return ctx;
  };
}

const loginArgs = (customer = "12345", user = USER) => [
  "login",
  "--base-url",
  auth.baseUrl,
  "--customer",
  customer,
  "--username",
  user,
  "--password-stdin",
];
const storedConfig = (ctx: TestContext) =>
  JSON.parse(readFileSync(join(ctx.configDir, "config.json"), "utf8"));

describe("login", () => {
  it("signs in through auth-information and Cognito, stores tokens (never the password) with mode 0600", async () => {
    auth.set({ websocketUrl: "wss://abc123.execute-api.eu-west-1.amazonaws.com/latest/" });
    const ctx = machine()(`${PASSWORD}\n`);
    const r = await runCli(loginArgs(), ctx);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(
      /signed in as worker@example.com \(customer 12345, profile "default"\)/,
    );
    expect(auth.authInfoCalls).toEqual(["?id=12345"]);
    expect(auth.cognitoCalls[0]).toMatchObject({
      AuthFlow: "USER_PASSWORD_AUTH",
      ClientId: "clientid123",
      AuthParameters: { USERNAME: USER, PASSWORD },
      headers: {
        target: "AWSCognitoIdentityProviderService.InitiateAuth",
        type: "application/x-amz-json-1.1",
      },
    });
    const file = join(ctx.configDir, "config.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(PASSWORD);
    const profile = storedConfig(ctx).profiles.default;
    expect(profile.auth.accessToken).toBe(auth.issued[0]!.accessToken);
    expect(profile.auth.refreshToken).toBe(auth.issued[0]!.refreshToken);
    expect(profile.discoveredUrl).toBe("wss://abc123.execute-api.eu-west-1.amazonaws.com/latest/");
    expect(profile.baseUrl).toBe(auth.baseUrl);
  });

  it("creates the config directory with mode 0700", async () => {
    const ctx = makeContext({ env: { SCANTAIL_COGNITO_ENDPOINT: auth.cognitoUrl } });
    ctxs.push(ctx);
    ctx.env.SCANTAIL_CONFIG_DIR = join(ctx.configDir, "nested", "scantail");
    ctx.stdinStream.end(PASSWORD);
    const r = await runCli(loginArgs(), ctx);
    expect(r.code).toBe(0);
    expect(statSync(ctx.env.SCANTAIL_CONFIG_DIR).mode & 0o777).toBe(0o700);
  });

  it.each([
    [
      ["login", "--customer", "12345", "--username", USER, "--password-stdin"],
      /missing Insight base URL: pass --base-url/,
    ],
    [
      ["login", "--base-url", "http://127.0.0.1:9", "--username", USER, "--password-stdin"],
      /missing customer ID: pass --customer/,
    ],
    [
      ["login", "--base-url", "http://127.0.0.1:9", "--customer", "1", "--password-stdin"],
      /missing user name \(e-mail\): pass --username/,
    ],
    [
      ["login", "--base-url", "http://127.0.0.1:9", "--customer", "1", "--username", USER],
      /missing password: pass --password-stdin/,
    ],
    [
      [
        "login",
        "--base-url",
        "http://example.com",
        "--customer",
        "1",
        "--username",
        USER,
        "--password-stdin",
      ],
      /expected https:\/\//,
    ],
    [["login", "--password-stdin", "--token-stdin"], /either --password-stdin or --token-stdin/],
  ])("without a terminal, a missing or bad value exits 2 naming it: %j", async (argv, message) => {
    const r = await runCli(argv as string[], machine()(PASSWORD));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it.each([
    [
      "NotAuthorizedException (wrong password)",
      { users: { [USER]: "other" } },
      USER,
      /wrong user name or password/,
    ],
    ["UserNotFoundException", {}, "nobody@example.com", /no such user/],
    [
      "UserNotConfirmedException",
      { errors: { [USER]: "UserNotConfirmedException" } },
      USER,
      /not confirmed/,
    ],
    [
      "PasswordResetRequiredException",
      { errors: { [USER]: "PasswordResetRequiredException" } },
      USER,
      /password reset/,
    ],
    [
      "TooManyRequestsException",
      { errors: { [USER]: "TooManyRequestsException" } },
      USER,
      /too many sign-in attempts/,
    ],
    [
      "InvalidParameterException",
      { errors: { [USER]: "InvalidParameterException" } },
      USER,
      /rejected as invalid/,
    ],
    [
      "NEW_PASSWORD_REQUIRED challenge",
      { challenges: { [USER]: "NEW_PASSWORD_REQUIRED" } },
      USER,
      /set a new password.*webportal/s,
    ],
    [
      "SOFTWARE_TOKEN_MFA challenge",
      { challenges: { [USER]: "SOFTWARE_TOKEN_MFA" } },
      USER,
      /authenticator code \(MFA\).*webportal/s,
    ],
  ])("%s → one sentence and exit 3", async (_name, options, user, message) => {
    auth.set(options as never);
    const r = await runCli(loginArgs("12345", user), machine()(PASSWORD));
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(message);
    expect(r.stderr, r.stderr).not.toContain(PASSWORD);
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
  });

  it("an unknown customer ID is named (exit 3)", async () => {
    const r = await runCli(loginArgs("99999"), machine()(PASSWORD));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/does not know customer "99999"/);
  });

  it("a non-JSON answer and a dead endpoint get clear messages", async () => {
    auth.set({ authInfoRaw: { status: 200, body: "<html>Gateway</html>" } });
    const a = await runCli(loginArgs(), machine()(PASSWORD));
    expect(a.code).toBe(3);
    expect(a.stderr).toMatch(/auth-information answered HTTP 200 with something that is not JSON/);
    const port = await closedPort();
    const b = await runCli(
      [
        "login",
        "--base-url",
        `http://127.0.0.1:${port}`,
        "--customer",
        "1",
        "--username",
        USER,
        "--password-stdin",
      ],
      machine()(PASSWORD),
    );
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/auth-information failed: ECONNREFUSED/);
  });

  it("--token-stdin stores a token as is; status says it cannot be refreshed", async () => {
    const run = machine();
    const token = fakeJwt("access", Date.now() + 30 * 60_000);
    const r = await runCli(["login", "--token-stdin"], run(`${token}\n`));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/cannot be refreshed/);
    const s = await runCli(["status"], run());
    expect(s.stdout).toMatch(/refresh token\s+no \(pasted token: no refresh possible\)/);
    expect(s.stdout).toMatch(/expires in (29|30)m/);
    expect(s.stdout + s.stderr).not.toContain(token);
  });
});

describe("tail with stored credentials", () => {
  it("sends the access token by default, the id token with --token-kind id, and customer=", async () => {
    const run = machine();
    expect((await runCli(loginArgs(), run(PASSWORD))).code).toBe(0);
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const a = await runCli(["--url", server.url, "-n", "1"], run());
    expect(a.code, a.stderr).toBe(0);
    const b = await runCli(["--url", server.url, "-n", "1", "--token-kind", "id"], run());
    expect(b.code).toBe(0);
    const q = server.requests.map((u) => new URL(u, "ws://x").searchParams);
    expect(q[0]!.get("token")).toBe(auth.issued[0]!.accessToken);
    expect(q[0]!.get("customer")).toBe("12345");
    expect(q[1]!.get("token")).toBe(auth.issued[0]!.idToken);
  });

  it("uses the websocket_url from auth-information when no URL is set, and a set URL over it", async () => {
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    auth.set({ websocketUrl: server.url });
    const run = machine();
    expect((await runCli(loginArgs(), run(PASSWORD))).code).toBe(0);
    const r = await runCli(["-n", "1", "-v"], run());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\(from login\)/);
  });

  it("refreshes a token that expires within 5 minutes before connecting, keeping the refresh token", async () => {
    auth.set({ tokenLifetimeMs: 4 * 60_000 });
    const run = machine();
    expect((await runCli(loginArgs(), run(PASSWORD))).code).toBe(0);
    auth.set({ tokenLifetimeMs: 3_600_000 });
    const original = auth.issued[0]!;
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const r = await runCli(["--url", server.url, "-n", "1"], run());
    expect(r.code, r.stderr).toBe(0);
    expect(auth.cognitoCalls.map((c) => c.AuthFlow)).toEqual([
      "USER_PASSWORD_AUTH",
      "REFRESH_TOKEN_AUTH",
    ]);
    expect(auth.cognitoCalls[1]!.AuthParameters.REFRESH_TOKEN).toBe(original.refreshToken);
    const fresh = auth.issued[1]!;
    expect(new URL(server.requests[0]!, "ws://x").searchParams.get("token")).toBe(
      fresh.accessToken,
    );
    const stored = storedConfig(ctxs[0]!).profiles.default.auth;
    expect(stored.accessToken).toBe(fresh.accessToken);
    expect(stored.refreshToken).toBe(original.refreshToken);
  });

  it("refresh timing follows the token's exp with an injected clock: 6 min left → no refresh, 4 min → refresh", async () => {
    const run = machine();
    expect((await runCli(loginArgs(), run(PASSWORD))).code).toBe(0);
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const exp =
      JSON.parse(Buffer.from(auth.issued[0]!.accessToken.split(".")[1]!, "base64url").toString())
        .exp * 1000;
    const at = (now: number) => {
      const ctx = run();
      ctx.now = () => now;
      return ctx;
    };
    expect((await runCli(["--url", server.url, "-n", "1"], at(exp - 6 * 60_000))).code).toBe(0);
    expect(auth.cognitoCalls.map((c) => c.AuthFlow)).toEqual(["USER_PASSWORD_AUTH"]);
    expect((await runCli(["--url", server.url, "-n", "1"], at(exp - 4 * 60_000))).code).toBe(0);
    expect(auth.cognitoCalls.map((c) => c.AuthFlow)).toEqual([
      "USER_PASSWORD_AUTH",
      "REFRESH_TOKEN_AUTH",
    ]);
  });

  it("keeps a refresh token that Cognito rotates", async () => {
    auth.set({ tokenLifetimeMs: 60_000 });
    const run = machine();
    expect((await runCli(loginArgs(), run(PASSWORD))).code).toBe(0);
    auth.set({ rotateRefresh: true, tokenLifetimeMs: 3_600_000 });
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    expect((await runCli(["--url", server.url, "-n", "1"], run())).code).toBe(0);
    expect(storedConfig(ctxs[0]!).profiles.default.auth.refreshToken).toBe(
      auth.issued[1]!.refreshToken,
    );
  });

  it("a 401 at the handshake triggers exactly one refresh and retry", async () => {
    const run = machine();
    expect((await runCli(loginArgs(), run(PASSWORD))).code).toBe(0);
    server = await startTestServer({
      onUpgrade: (_req, attempt) => (attempt === 1 ? 401 : undefined),
      onConnection: (ws) => ws.send(JSON.stringify(event())),
    });
    const r = await runCli(["--url", server.url, "-n", "1"], run());
    expect(r.code, r.stderr).toBe(0);
    expect(auth.cognitoCalls.map((c) => c.AuthFlow)).toEqual([
      "USER_PASSWORD_AUTH",
      "REFRESH_TOKEN_AUTH",
    ]);
    expect(new URL(server.requests[1]!, "ws://x").searchParams.get("token")).toBe(
      auth.issued[1]!.accessToken,
    );
  });

  it("a second 401/403 after the refresh exits 3 naming the likely cause", async () => {
    const run = machine();
    expect((await runCli(loginArgs(), run(PASSWORD))).code).toBe(0);
    server = await startTestServer({ onUpgrade: () => 403 });
    const r = await runCli(["--url", server.url], run());
    expect(r.code).toBe(3);
    expect(server.requests).toHaveLength(2);
    expect(r.stderr).toMatch(/refused the token: handshake refused with HTTP 403 \(Forbidden\)/);
    expect(r.stderr).toMatch(/wrong kind for this URL/);
  });

  it("SCANTAIL_TOKEN refused: exit 3 without any refresh attempt", async () => {
    server = await startTestServer({ onUpgrade: () => 401 });
    const r = await runCli(
      ["--url", server.url],
      machine({ SCANTAIL_TOKEN: "env-token-123456" })(),
    );
    expect(r.code).toBe(3);
    expect(server.requests).toHaveLength(1);
    expect(r.stderr).toMatch(/SCANTAIL_TOKEN was refused/);
    expect(r.stderr).not.toContain("env-token-123456");
  });

  it("a refused refresh exits 3 with 'run scantail login'", async () => {
    auth.set({ tokenLifetimeMs: 60_000 });
    const run = machine();
    expect((await runCli(loginArgs(), run(PASSWORD))).code).toBe(0);
    auth.set({ refreshError: "NotAuthorizedException" });
    const r = await runCli(["--url", "ws://127.0.0.1:9/latest/"], run());
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/stored sign-in has expired or was revoked/);
    expect(r.stderr).toMatch(/scantail login/);
  });
});

describe("status, logout, config", () => {
  it("status shows profile, path, customer, URLs, kind, expiry, refresh — never a token", async () => {
    const run = machine();
    await runCli(loginArgs(), run(PASSWORD));
    await runCli(
      ["config", "set", "url", "wss://abc.execute-api.eu-west-1.amazonaws.com/latest/"],
      run(),
    );
    const s = await runCli(["status"], run());
    expect(s.code, s.stdout).toBe(0);
    expect(s.stdout).toMatch(/profile\s+default/);
    expect(s.stdout).toMatch(/customer\s+12345 \(from profile\)/);
    expect(s.stdout).toMatch(
      /live URL\s+wss:\/\/abc.execute-api.eu-west-1.amazonaws.com\/latest\/ \(from profile\)/,
    );
    expect(s.stdout, s.stdout).toMatch(/token\s+access token expires in (59m|1h)/);
    expect(s.stdout).toMatch(/refresh token\s+yes/);
    const j = await runCli(["status", "--json"], run());
    const json = JSON.parse(j.stdout);
    expect(json).toMatchObject({
      profile: "default",
      customer: "12345",
      tokenKind: "access",
      refreshToken: true,
      signedIn: true,
      expired: false,
    });
    for (const t of Object.values(auth.issued[0]!)) {
      expect(s.stdout).not.toContain(t);
      expect(j.stdout).not.toContain(t);
      expect(j.stdout).not.toContain(t!.slice(0, 12));
    }
  });

  it("status: an expired token with nothing to refresh it exits 3, never beside 'signed in yes'", async () => {
    const run = machine();
    await runCli(["login", "--token-stdin"], run(fakeJwt("access", Date.now() + 60_000)));
    expect((await runCli(["status"], run())).code).toBe(0);
    const later = run();
    later.now = () => Date.now() + 3_600_000;
    const s = await runCli(["status"], later);
    expect(s.code).toBe(3);
    expect(s.stdout).toMatch(/access token expired — run `scantail login`/);
    expect(s.stdout).not.toMatch(/signed in\s+yes/);
    const laterJson = run();
    laterJson.now = later.now;
    const j = await runCli(["status", "--json"], laterJson);
    expect(j.code).toBe(3);
    expect(JSON.parse(j.stdout)).toMatchObject({ expired: true, canConnect: false });
  });

  it("status exits 3 when not signed in", async () => {
    const s = await runCli(["status"], machine()());
    expect(s.code).toBe(3);
    expect(s.stdout).toMatch(/signed in\s+no/);
  });

  it("login --token-stdin refuses an expired token (exit 3) and stores nothing", async () => {
    const run = machine();
    const r = await runCli(["login", "--token-stdin"], run(fakeJwt("access", Date.now() - 60_000)));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/the token expired 1m ago; nothing was stored/);
    expect((await runCli(["status"], run())).stdout).toMatch(/signed in\s+no/);
  });

  it("logout removes the tokens but keeps the settings", async () => {
    const run = machine();
    await runCli(loginArgs(), run(PASSWORD));
    const r = await runCli(["logout"], run());
    expect(r.code).toBe(0);
    const profile = storedConfig(ctxs[0]!).profiles.default;
    expect(profile.auth).toBeUndefined();
    expect(profile.customer).toBe("12345");
    const t = await runCli(["--url", "ws://127.0.0.1:9/latest/"], run());
    expect(t.code).toBe(3);
  });

  it("config speaks as the flags do and says what it did", async () => {
    const run = machine();
    const empty = await runCli(["config", "list"], run());
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe("");
    expect(empty.stderr).toMatch(/nothing stored yet; set a value with `scantail config set/);
    expect((await runCli(["config", "set", "token-kind", "id"], run())).code).toBe(0);
    expect((await runCli(["config", "get", "token-kind"], run())).stdout).toBe("id\n");
    expect((await runCli(["config", "set", "format", "Table"], run())).code).toBe(0);
    expect((await runCli(["config", "get", "format"], run())).stdout).toBe("table\n");
    expect((await runCli(["config", "set", "format", "json"], run())).code).toBe(0);
    expect((await runCli(["config", "get", "format"], run())).stdout).toBe("ndjson\n");
    const unset = await runCli(["config", "unset", "token-kind"], run());
    expect(unset.stderr).toMatch(/unset tokenKind \(was id\) in profile "default"/);
    const again = await runCli(["config", "unset", "tokenKind"], run());
    expect(again.stderr).toMatch(/tokenKind was not set in profile "default"; nothing to do/);
    const typo = await runCli(["config", "set", "tokn-kind", "id"], run());
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown config key "tokn-kind" \(did you mean 'tokenKind'\?\)/);
  });

  it("config set/get/unset/list/path validates keys and values and masks secrets", async () => {
    const run = machine();
    await runCli(loginArgs(), run(PASSWORD));
    expect((await runCli(["config", "set", "format", "table"], run())).code).toBe(0);
    expect((await runCli(["config", "get", "format"], run())).stdout).toBe("table\n");
    expect((await runCli(["config", "set", "tokenKind", "id"], run())).code).toBe(0);
    expect(
      (await runCli(["config", "set", "url", "ws://127.0.0.1:8080/latest/"], run())).code,
    ).toBe(0);
    const bad = [
      [
        ["config", "set", "colour", "x"],
        /unknown config key "colour"; valid keys: customer, url, baseUrl, tokenKind, format/,
      ],
      [["config", "set", "url", "ws://example.com/"], /refusing unencrypted/],
      [["config", "set", "url", "https://example.com/"], /not a WebSocket URL/],
      [["config", "set", "tokenKind", "refresh"], /expected access or id/],
      [["config", "set", "format", "xml"], /expected one of pretty, table, ndjson, devices/],
      [["config", "set", "format"], /needs a value/],
      [["config", "frob"], /unknown action 'frob': expected get, set, unset, list or path/],
    ] as const;
    for (const [argv, message] of bad) {
      const r = await runCli([...argv], run());
      expect(r.code, argv.join(" ")).toBe(2);
      expect(r.stderr).toMatch(message);
    }
    const list = await runCli(["config", "list"], run());
    expect(list.stdout).toMatch(/^format=table$/m);
    expect(list.stdout).toMatch(/^auth.accessToken=\*{8} \(hidden\)$/m);
    const listJson = JSON.parse((await runCli(["config", "list", "--json"], run())).stdout);
    expect(listJson.settings.tokenKind).toBe("id");
    for (const t of Object.values(auth.issued[0]!))
      expect(JSON.stringify(listJson) + list.stdout).not.toContain(t);
    expect((await runCli(["config", "unset", "format"], run())).code).toBe(0);
    const g = await runCli(["config", "get", "format"], run());
    expect(g.code).toBe(1);
    expect((await runCli(["config", "path"], run())).stdout).toBe(
      `${join(ctxs[0]!.configDir, "config.json")}\n`,
    );
  });

  it("precedence: flag > env > profile > default, and profiles are separate", async () => {
    const run = machine();
    await runCli(["config", "set", "customer", "from-profile"], run());
    await runCli(["--profile", "b", "config", "set", "customer", "from-b"], run());
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const customerSent = async (argv: string[], env: Record<string, string> = {}) => {
      const r = await runCli(
        ["--url", server!.url, "-n", "1", ...argv],
        run(undefined, { SCANTAIL_TOKEN: "tok-123456", ...env }),
      );
      expect(r.code, r.stderr).toBe(0);
      return new URL(server!.requests.at(-1)!, "ws://x").searchParams.get("customer");
    };
    expect(await customerSent([])).toBe("from-profile");
    expect(await customerSent([], { SCANTAIL_CUSTOMER: "from-env" })).toBe("from-env");
    expect(await customerSent(["--customer", "from-flag"], { SCANTAIL_CUSTOMER: "from-env" })).toBe(
      "from-flag",
    );
    expect(await customerSent(["--profile", "b"])).toBe("from-b");
    expect(await customerSent([], { SCANTAIL_PROFILE: "b" })).toBe("from-b");
  });
});

describe("a broken config file", () => {
  it.each([
    ["not JSON", "{ this is not json", /is not valid JSON/],
    [
      "schema violation",
      JSON.stringify({ profiles: { default: { tokenKind: "bearer" } } }),
      /has invalid values/,
    ],
  ])(
    "%s: exit 2 naming the path, and the file is left untouched",
    async (_name, content, message) => {
      const run = machine();
      const ctx = run();
      mkdirSync(ctx.configDir, { recursive: true });
      const file = join(ctx.configDir, "config.json");
      writeFileSync(file, content);
      for (const argv of [
        ["status"],
        ["config", "set", "format", "table"],
        ["--url", "ws://127.0.0.1:9/"],
        ["logout"],
      ]) {
        const r = await runCli(argv, run());
        expect(r.code, argv.join(" ")).toBe(2);
        expect(r.stderr).toContain(file);
        expect(r.stderr).toMatch(message);
        expect(r.stderr).not.toMatch(/\n\s+at /);
      }
      expect(readFileSync(file, "utf8")).toBe(content);
    },
  );
});

describe("secrets hygiene", () => {
  it("no token, refresh token or password appears in any output of login → tail → status → logout", async () => {
    const run = machine();
    const outputs: string[] = [];
    const keep = (r: { stdout: string; stderr: string }) => outputs.push(r.stdout, r.stderr);
    keep(await runCli([...loginArgs(), "-v"], run(PASSWORD)));
    let connections = 0;
    server = await startTestServer({
      onUpgrade: () => (++connections === 1 ? 401 : undefined),
      onConnection: (ws) => {
        ws.send(JSON.stringify(event()));
        ws.send('{"message":"Forbidden"}');
      },
    });
    keep(await runCli(["--url", server.url, "-n", "1", "-v", "--summary"], run()));
    keep(await runCli(["status", "-v"], run()));
    keep(await runCli(["status", "--json"], run()));
    keep(await runCli(["config", "list", "--json"], run()));
    keep(await runCli(["config", "list"], run()));
    keep(await runCli(["doctor", "--url", server.url, "--wait", "2s", "-v"], run()));
    keep(await runCli(["logout", "-v"], run()));
    const all = outputs.join("\n");
    const secrets = [
      PASSWORD,
      ...auth.issued.flatMap(
        (t) => [t.accessToken, t.idToken, t.refreshToken].filter(Boolean) as string[],
      ),
    ];
    expect(auth.issued.length).toBeGreaterThanOrEqual(2);
    for (const secret of secrets) {
      expect(all).not.toContain(secret);
      // Not even a recognisable prefix of the signature-bearing part.
      expect(all).not.toContain(secret.slice(-20));
    }
  });
});
