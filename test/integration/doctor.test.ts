import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { createServer } from "node:https";
import { type AddressInfo, createServer as createNetServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { refuseUpgrade, type Simulator, startSimulator } from "../../src/simulator/server.js";
import { makeContext, runCli } from "../helpers/context.js";

let sim: Simulator | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

const TOKEN = "doctor-token-123456";
const lineOf = (out: string, name: string) =>
  out.split("\n").find((l) => l.slice(2).startsWith(name)) ?? "";

describe("doctor", () => {
  it("against `simulate` with --url and SCANTAIL_TOKEN: every check passes, exit 0", async () => {
    sim = await startSimulator({ rate: 50, devices: 3, seed: 1 });
    const r = await runCli(
      ["doctor", "--url", sim.url, "--wait", "5s"],
      makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }),
    );
    expect(r.code, r.stdout).toBe(0);
    expect(lineOf(r.stdout, "url")).toMatch(
      /^✓ url\s+ws:\/\/127.0.0.1:\d+\/latest\/ \(from flag\)/,
    );
    expect(lineOf(r.stdout, "token")).toMatch(/^✓ token\s+access token, SCANTAIL_TOKEN/);
    expect(lineOf(r.stdout, "dns")).toMatch(/^✓ dns\s+127.0.0.1 →/);
    expect(lineOf(r.stdout, "handshake")).toMatch(/^✓ handshake\s+connected in/);
    expect(lineOf(r.stdout, "first event")).toMatch(
      /^✓ first event\s+(M2SR|M3AR|MDSR|MBSR|LEOR)\d+ .* latency \d+ms/,
    );
    expect(lineOf(r.stdout, "limits")).toMatch(/10 min.*2 h/);
    expect(r.stdout).not.toContain(TOKEN);
  });

  it("--json gives the same checks for machines", async () => {
    sim = await startSimulator({ rate: 50, devices: 3, seed: 1 });
    const r = await runCli(
      ["doctor", "--url", sim.url, "--json"],
      makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }),
    );
    const json = JSON.parse(r.stdout);
    expect(json.ok).toBe(true);
    expect(json.exitCode).toBe(0);
    expect(json.checks.map((c: { name: string }) => c.name)).toEqual([
      "config",
      "customer",
      "url",
      "token",
      "rest",
      "dns",
      "tls",
      "handshake",
      "first event",
      "limits",
    ]);
  });

  it("the REST history check (experimental): which Authorization spelling worked, one page read", async () => {
    sim = await startSimulator({ rate: 50, devices: 3, seed: 1, requiredToken: TOKEN });
    const base = ["doctor", "--url", sim.url, "--wait", "5s", "--customer", "demo"];
    const r = await runCli(
      [...base, "--base-url", sim.baseUrl],
      makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }),
    );
    expect(r.code, r.stdout).toBe(0);
    expect(lineOf(r.stdout, "rest")).toMatch(
      /^✓ rest\s+event history \(experimental\): .*reachable.*Authorization: <raw access token>.*one page read/,
    );
    // No base URL: skipped with how to set one, and the live checks go on.
    const skipped = await runCli(base, makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }));
    expect(skipped.code).toBe(0);
    expect(lineOf(skipped.stdout, "rest")).toMatch(
      /^- rest\s+event history \(experimental\): no base URL/,
    );
    // A refusing history is a warning, not a failed doctor: the live feed does not need it.
    const refused = await runCli(
      [...base, "--base-url", sim.baseUrl],
      makeContext({ env: { SCANTAIL_TOKEN: "wrong-token-123456" } }),
    );
    expect(lineOf(refused.stdout, "rest")).toMatch(/^! rest\s+event history \(experimental\): /);
    expect(refused.stdout).not.toContain("wrong-token-123456");
  });

  it("no URL → exit 2 (config class)", async () => {
    const r = await runCli(["doctor"], makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }));
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, "url")).toMatch(/^✗ url\s+no live feed URL/);
  });

  it("not signed in → exit 3 (auth class), and it stops there", async () => {
    sim = await startSimulator({ rate: 50, devices: 3, seed: 1 });
    const r = await runCli(["doctor", "--url", sim.url], makeContext());
    expect(r.code).toBe(3);
    expect(lineOf(r.stdout, "token")).toMatch(/^✗ token\s+not signed in/);
    expect(r.stdout).toMatch(/scantail login/);
    expect(r.stdout).not.toMatch(/handshake/);
  });

  it("a refused token at the handshake → exit 3 with the status, body and likely cause", async () => {
    sim = await startSimulator({ rate: 50, devices: 3, seed: 1, requiredToken: "the-right-one" });
    const r = await runCli(
      ["doctor", "--url", sim.url],
      makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }),
    );
    expect(r.code).toBe(3);
    expect(lineOf(r.stdout, "handshake")).toMatch(
      /^✗ handshake\s+HTTP 401: \{"message":"Unauthorized"\}/,
    );
    expect(r.stdout).toMatch(/expired or the wrong kind for this URL/);
  });

  it("a refusal body that echoes the token is redacted before it is cut (text and JSON)", async () => {
    const http = createHttpServer();
    http.on("upgrade", (_req, socket: Duplex) =>
      refuseUpgrade(socket, 401, `${"x".repeat(180)}${TOKEN}`),
    );
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    try {
      const url = `ws://127.0.0.1:${(http.address() as AddressInfo).port}/latest/`;
      for (const extra of [[], ["--json"]]) {
        const r = await runCli(
          ["doctor", "--url", url, ...extra],
          makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }),
        );
        expect(r.code).toBe(3);
        expect(r.stdout).toMatch(/HTTP 401/);
        expect(r.stdout).not.toContain(TOKEN.slice(0, 6));
      }
    } finally {
      http.closeAllConnections();
      http.close();
    }
  });

  it("an unknown stage → API Gateway's 403, reported as auth (exit 3) with the stage named as a cause", async () => {
    sim = await startSimulator({ rate: 50, devices: 3, seed: 1 });
    const r = await runCli(
      ["doctor", "--url", sim.url.replace("/latest/", "/dev/")],
      makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }),
    );
    expect(r.code).toBe(3);
    expect(lineOf(r.stdout, "handshake")).toMatch(/HTTP 403/);
    expect(r.stdout).toMatch(/wrong stage in the URL/);
  });

  it("a quiet feed → the first-event check fails after --wait (exit 1)", async () => {
    sim = await startSimulator({ rate: 0, devices: 3, seed: 1 });
    const r = await runCli(
      ["doctor", "--url", sim.url, "--wait", "300ms"],
      makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }),
    );
    expect(r.code).toBe(1);
    expect(lineOf(r.stdout, "first event")).toMatch(/no event within 300ms/);
    expect(r.stdout).toMatch(/scan a barcode/);
  });

  it("DNS failure → exit 1", async () => {
    const r = await runCli(
      ["doctor", "--url", "wss://scantail-test.invalid/latest/"],
      makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }),
    );
    expect(r.code).toBe(1);
    expect(lineOf(r.stdout, "dns")).toMatch(/cannot resolve scantail-test.invalid/);
  });

  it("a TLS failure (self-signed certificate) → exit 1 with a hint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "scantail-tls-"));
    execFileSync(
      "openssl",
      [
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        join(dir, "k.pem"),
        "-out",
        join(dir, "c.pem"),
        "-days",
        "1",
        "-subj",
        "/CN=localhost",
      ],
      { stdio: "ignore" },
    );
    const server = createServer({
      key: readFileSync(join(dir, "k.pem")),
      cert: readFileSync(join(dir, "c.pem")),
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const r = await runCli(
        ["doctor", "--url", `wss://localhost:${port}/latest/`],
        makeContext({ env: { SCANTAIL_TOKEN: TOKEN } }),
      );
      expect(r.code).toBe(1);
      expect(lineOf(r.stdout, "tls")).toMatch(
        /^✗ tls\s+TLS to localhost:\d+ failed: self.signed certificate/,
      );
      expect(r.stdout).toMatch(/NODE_EXTRA_CA_CERTS/);
    } finally {
      server.close();
    }
  });

  it("a config file readable by others → exit 2 with the chmod to run", async () => {
    const ctx = makeContext({ env: { SCANTAIL_TOKEN: TOKEN } });
    const file = join(ctx.configDir, "config.json");
    writeFileSync(
      file,
      JSON.stringify({ profiles: { default: { url: "wss://x.example/latest/" } } }),
    );
    chmodSync(file, 0o644);
    const r = await runCli(["doctor"], ctx);
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, "config")).toMatch(/readable by others \(mode 0644\)/);
    expect(r.stdout).toContain(`chmod 600 ${file}`);
  });

  it("a corrupt config file → exit 2 naming it", async () => {
    const ctx = makeContext({ env: { SCANTAIL_TOKEN: TOKEN } });
    writeFileSync(join(ctx.configDir, "config.json"), "{oops", { mode: 0o600 });
    const r = await runCli(["doctor"], ctx);
    expect(r.code).toBe(2);
    expect(lineOf(r.stdout, "config")).toMatch(/is not valid JSON/);
  });
});

describe("doctor stops at once on a signal, in any phase", () => {
  /** Accepts TCP and never answers: TLS (wss://) or the upgrade (ws://) waits forever. */
  async function silentServer() {
    const sockets: Socket[] = [];
    let connected: () => void = () => {};
    const firstConnection = new Promise<void>((resolve) => {
      connected = resolve;
    });
    const server = createNetServer((socket) => {
      sockets.push(socket);
      socket.on("error", () => {});
      connected();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return {
      port: (server.address() as AddressInfo).port,
      firstConnection,
      close: () => {
        for (const s of sockets) s.destroy();
        server.close();
      },
    };
  }

  it.each([
    ["SIGINT", "wss", "tls", 130],
    ["SIGTERM", "wss", "tls", 143],
    ["SIGINT", "ws", "handshake", 130],
  ] as const)(
    "%s during the %s:// %s phase → exit %d within a second",
    async (signal, scheme, phase, code) => {
      const silent = await silentServer();
      try {
        const bin = join(import.meta.dirname, "../../bin/scantail.js");
        const child = spawn(
          process.execPath,
          [bin, "doctor", "--url", `${scheme}://127.0.0.1:${silent.port}/latest/`],
          {
            env: {
              ...process.env,
              SCANTAIL_TOKEN: TOKEN,
              SCANTAIL_CONFIG_DIR: mkdtempSync(join(tmpdir(), "scantail-doctor-")),
            },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
        await silent.firstConnection; // the phase has begun
        const sent = Date.now();
        child.kill(signal);
        const exitCode = await exited;
        expect(Date.now() - sent).toBeLessThan(1000);
        expect(exitCode, stdout + stderr).toBe(code);
        expect(lineOf(stdout, phase)).toMatch(new RegExp(`^✗ ${phase}\\s+interrupted`));
        expect(stderr).toBe("");
      } finally {
        silent.close();
      }
    },
  );
});
