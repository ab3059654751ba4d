import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeContext, runCli, startCli, type TestContext } from "../helpers/context.js";
import { type FakeAuth, startFakeAuth } from "../helpers/fake-auth.js";
import { runBin } from "../helpers/spawn-bin.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

const A = "worker@example.com";
const B = "other@example.com";
const PASSWORDS: Record<string, string> = { [A]: "correct horse battery staple", [B]: "pw-of-b" };
let auth: FakeAuth;
let server: TestServer | undefined;
let ctxs: TestContext[] = [];
let configDir: string;

beforeEach(async () => {
  auth = await startFakeAuth({ users: PASSWORDS });
  const first = makeContext();
  ctxs.push(first);
  configDir = first.configDir;
});
afterEach(async () => {
  await auth.close();
  await server?.close();
  server = undefined;
  for (const c of ctxs) c.cleanup();
  ctxs = [];
});

/** A command on the shared config dir, like another terminal on the same machine. */
const on = (input = "") => {
  const ctx = makeContext({ configDir, env: { SCANTAIL_COGNITO_ENDPOINT: auth.cognitoUrl } });
  ctx.stdinStream.end(input);
  return ctx;
};
const login = (user: string) =>
  runCli(
    [
      "login",
      "--base-url",
      auth.baseUrl,
      "--customer",
      "12345",
      "--username",
      user,
      "--password-stdin",
    ],
    on(PASSWORDS[user]),
  );
const storedAuth = () =>
  JSON.parse(readFileSync(join(configDir, "config.json"), "utf8")).profiles.default.auth;
const refreshCalls = () =>
  auth.cognitoCalls.filter((c) => c.AuthFlow === "REFRESH_TOKEN_AUTH").length;
const tokenSent = (n: number) =>
  new URL(server!.requests[n - 1]!, "ws://x").searchParams.get("token");

describe("a running tail and the store changing underneath it", () => {
  it("after logout, a refresh stops the tail (exit 3) and never writes the old tokens back", async () => {
    expect((await login(A)).code).toBe(0);
    server = await startTestServer({
      onUpgrade: (_req, attempt) => (attempt >= 2 ? 401 : undefined),
      onConnection: (ws) => ws.send(JSON.stringify(event())),
    });
    const { done, ctx } = startCli(["--url", server.url, "-o", "ndjson"], on());
    await ctx.stdout.waitFor((t) => t.includes("\n"));
    expect((await runCli(["logout"], on())).code).toBe(0);
    server.connections[0]!.close(1001);
    const r = await done;
    expect(r.code, r.stderr).toBe(3);
    expect(r.stderr).toMatch(/signed out/);
    expect(storedAuth()).toBeUndefined();
    expect(refreshCalls()).toBe(0);
  });

  it("after a login as another user, a forced refresh takes the new tokens and keeps them", async () => {
    expect((await login(A)).code).toBe(0);
    server = await startTestServer({
      onUpgrade: (_req, attempt) => (attempt === 2 ? 401 : undefined),
      onConnection: (ws) => ws.send(JSON.stringify(event())),
    });
    const { done, ctx } = startCli(["--url", server.url, "-o", "ndjson", "-n", "2"], on());
    await ctx.stdout.waitFor((t) => t.includes("\n"));
    expect((await login(B)).code).toBe(0);
    const tokensOfB = auth.issued[1]!;
    server.connections[0]!.close(1001);
    const r = await done;
    expect(r.code, r.stderr).toBe(0);
    expect(refreshCalls()).toBe(0);
    expect(tokenSent(3)).toBe(tokensOfB.accessToken);
    const stored = storedAuth();
    expect(stored.username).toBe(B);
    expect(stored.accessToken).toBe(tokensOfB.accessToken);
    expect(stored.refreshToken).toBe(tokensOfB.refreshToken);
  });
});

describe("several processes refreshing the same token", () => {
  it("agree on one refresh: the first refreshes, the others use its tokens", async () => {
    auth.set({ tokenLifetimeMs: 4 * 60_000 });
    expect((await login(A)).code).toBe(0);
    auth.set({ tokenLifetimeMs: 3_600_000, rotateRefresh: true });
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const env = { SCANTAIL_CONFIG_DIR: configDir, SCANTAIL_COGNITO_ENDPOINT: auth.cognitoUrl };
    const results = await Promise.all(
      Array.from({ length: 4 }, () => runBin(["--url", server!.url, "-n", "1"], { env })),
    );
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    expect(refreshCalls()).toBe(1);
    const fresh = auth.issued[1]!;
    expect(server.requests.map((_, i) => tokenSent(i + 1))).toEqual(
      Array(4).fill(fresh.accessToken),
    );
    expect(storedAuth().refreshToken).toBe(fresh.refreshToken);
  }, 30_000);
});
