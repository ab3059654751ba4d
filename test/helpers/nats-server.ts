import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface NatsServer {
  port: number;
  url: string;
  /** Stops the server (the store stays) and starts it again on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  /** Stops the server and removes its store. */
  close(): Promise<void>;
}

/** Where the Debian package puts it; `.ci/run` installs it. A missing binary fails the test. */
const BINARY = process.env.NATS_SERVER_BIN ?? "nats-server";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * A real `nats-server -js` on a free loopback port with a temp store, ready when it says
 * so on stderr. `auth` starts it with a user and password, or a token.
 */
export async function startNatsServer(
  auth?: { user: string; pass: string } | { token: string },
): Promise<NatsServer> {
  const port = await freePort();
  const store = mkdtempSync(join(tmpdir(), "scantail-nats-"));
  let child: ChildProcess | undefined;
  const args = ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store];
  if (auth && "token" in auth) args.push("--auth", auth.token);
  else if (auth) args.push("--user", auth.user, "--pass", auth.pass);

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const proc = spawn(BINARY, args, { stdio: ["ignore", "ignore", "pipe"] });
      child = proc;
      let log = "";
      const timer = setTimeout(() => {
        proc.kill("SIGKILL");
        reject(new Error(`nats-server did not start:\n${log}`));
      }, 10_000);
      proc.on("error", (error) => {
        clearTimeout(timer);
        reject(
          new Error(
            `cannot run ${BINARY} (install the Debian package nats-server): ${error.message}`,
          ),
        );
      });
      proc.stderr?.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes("Server is ready")) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited (${code}):\n${log}`));
      });
    });

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once("exit", resolve));
    proc.kill("SIGTERM");
    await exited;
  };

  await start();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    async restart() {
      await stop();
      await start();
    },
    stop,
    async close() {
      await stop();
      rmSync(store, { recursive: true, force: true });
    },
  };
}
