import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { refuseUpgrade } from "../../src/simulator/server.js";
import { makeContext, runCli, type TestContext } from "../helpers/context.js";
import { type FakeAuth, fakeJwt, startFakeAuth } from "../helpers/fake-auth.js";
import { runBin } from "../helpers/spawn-bin.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

/*
 * A hostile server echoes our secrets back in every place it can; the binary runs as a
 * separate process, so it knows only the secrets it learned itself.
 */
const USER = "worker@example.com";
const PASSWORD = "correct horse battery staple";
let auth: FakeAuth;
let server: TestServer | undefined;
let raw: Server | undefined;
let ctx: TestContext;

beforeEach(async () => {
  auth = await startFakeAuth();
  ctx = makeContext({ env: { SCANTAIL_COGNITO_ENDPOINT: auth.cognitoUrl } });
});
afterEach(async () => {
  await auth.close();
  await server?.close();
  server = undefined;
  await new Promise<void>((resolve) => (raw ? raw.close(() => resolve()) : resolve()));
  raw = undefined;
  ctx.cleanup();
});

const env = () => ({
  SCANTAIL_CONFIG_DIR: ctx.configDir,
  SCANTAIL_COGNITO_ENDPOINT: auth.cognitoUrl,
});
const login = async () => {
  ctx.stdinStream.end(PASSWORD);
  const r = await runCli(
    [
      "login",
      "--base-url",
      auth.baseUrl,
      "--customer",
      "12345",
      "--username",
      USER,
      "--password-stdin",
    ],
    ctx,
  );
  expect(r.code, r.stderr).toBe(0);
  return auth.issued[0]!;
};
/** Not the secret, nor any 12 characters from its start or its end. */
function expectNoTrace(text: string, secret: string) {
  expect(text).not.toContain(secret.slice(0, 12));
  expect(text).not.toContain(secret.slice(-12));
}

/** Answers every handshake with `status` and a body that quotes the token it was sent. */
async function echoingHandshake(status: number): Promise<string> {
  raw = createServer();
  raw.on("upgrade", (req, socket) => {
    socket.on("error", () => {});
    const token = new URL(req.url ?? "/", "ws://x").searchParams.get("token") ?? "";
    refuseUpgrade(socket, status, `Invalid token ${token} for this stage`);
  });
  await new Promise<void>((resolve) => raw!.listen(0, "127.0.0.1", resolve));
  return `ws://127.0.0.1:${(raw.address() as AddressInfo).port}/latest/`;
}

describe("secrets echoed back by a hostile server", () => {
  it("a Cognito refresh error quoting the refresh token: tail -v and doctor --json", async () => {
    auth.set({ tokenLifetimeMs: 60_000 });
    const tokens = await login();
    auth.set({
      refreshError: "InvalidParameterException",
      refreshErrorMessage: `Invalid refresh token ${tokens.refreshToken} (client clientid123)`,
    });
    const tail = await runBin(["--url", "ws://127.0.0.1:9/latest/", "-v"], { env: env() });
    expect(tail.code, tail.stderr).toBe(3);
    expect(tail.stderr).toMatch(
      /sign-in request rejected as invalid: Invalid refresh token \*\*\*/,
    );
    const doctor = await runBin(["doctor", "--url", "ws://127.0.0.1:9/latest/", "--json", "-v"], {
      env: env(),
    });
    expect(doctor.stdout).toMatch(/Invalid refresh token \*\*\*/);
    for (const out of [tail.stdout, tail.stderr, doctor.stdout, doctor.stderr])
      expectNoTrace(out, tokens.refreshToken!);
  });

  it.each([
    ["a JWT", fakeJwt("access", Date.now() + 3_600_000)],
    ["an opaque token", `opaque-${"k7Qx9".repeat(30)}`],
  ])("a handshake body quoting %s, cut to 120 characters, keeps none of it", async (_n, token) => {
    const url = await echoingHandshake(401);
    for (const args of [
      ["--url", url],
      ["--url", url, "-v"],
    ]) {
      const r = await runBin(args, { env: { ...env(), SCANTAIL_TOKEN: token } });
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/Invalid token \*\*\*/);
      expectNoTrace(r.stderr + r.stdout, token);
    }
  });

  it("a handshake refused before a refresh, quoting the stored token", async () => {
    const tokens = await login();
    const url = await echoingHandshake(403);
    const r = await runBin(["--url", url, "-v"], { env: env() });
    expect(r.code, r.stderr).toBe(3);
    for (const secret of [tokens.accessToken, ...auth.issued.map((t) => t.accessToken)])
      expectNoTrace(r.stderr, secret);
  });

  it("frames and server messages holding our token or any JWT", async () => {
    const token = `opaque-${"Zt3".repeat(40)}`;
    const stranger = fakeJwt("id", Date.now() + 3_600_000);
    server = await startTestServer({
      onConnection: (ws) => {
        ws.send(`Invalid token ${token}`);
        ws.send(JSON.stringify({ message: `Forbidden for ${stranger}` }));
        ws.send(JSON.stringify({ message: "Internal server error", requestId: token }));
        ws.send(JSON.stringify(event()));
      },
    });
    for (const args of [[], ["-v"]]) {
      const r = await runBin(["--url", server.url, "-n", "1", "-o", "ndjson", ...args], {
        env: { ...env(), SCANTAIL_TOKEN: token },
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout.trim().split("\n")).toHaveLength(1);
      expectNoTrace(r.stderr, token);
      expectNoTrace(r.stderr, stranger);
    }
  });
});
