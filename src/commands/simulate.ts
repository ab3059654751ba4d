import type { Context } from "../context.js";
import { EXIT, UsageError } from "../errors.js";
import { parsePositiveInt } from "../util/duration.js";
import { isLoopbackHost } from "../util/redact.js";
import { type CommandFlags, defaultOf, SIMULATE_OPTIONS } from "./options.js";
import { resolveSimulator } from "./simulator-options.js";

/** Serves the simulated feed for any client and prints the URL to connect to on stdout. */
export async function runSimulate(ctx: Context, flags: CommandFlags<"simulate">): Promise<number> {
  const options = resolveSimulator(flags, ctx.now);
  const host = flags.host ?? defaultOf(SIMULATE_OPTIONS.host);
  if (!isLoopbackHost(host) && host !== "0.0.0.0" && host !== "::") {
    throw new UsageError(
      `--host ${host}: the simulator listens on loopback (or 0.0.0.0 / :: on purpose)`,
    );
  }
  const port = parsePositiveInt(flags.port ?? defaultOf(SIMULATE_OPTIONS.port), "--port", {
    allowZero: true,
  });
  if (port > 65535) throw new UsageError("--port must be at most 65535");
  const { startSimulator } = await import("../simulator/server.js");
  let simulator: Awaited<ReturnType<typeof startSimulator>>;
  try {
    simulator = await startSimulator({
      ...options,
      host,
      port,
      requiredToken: ctx.env.SCANTAIL_SIMULATE_TOKEN || undefined,
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "EADDRINUSE"
        ? `port ${port} on ${host} is already in use`
        : `cannot listen on ${host}:${port}: ${(error as Error).message}`,
    );
  }
  const url = connectUrl(host, simulator.port, simulator.url);
  ctx.stdout.write(`${url}\n`);
  ctx.stderr.write(
    `scantail: simulating ${options.rate} scans/s from ${options.devices} devices (seed ${options.seed}); also serves ${url.replace("/latest/", "/prod/")}\n` +
      `scantail: connect with: SCANTAIL_TOKEN=any scantail --url ${url}\n` +
      `scantail: stored events (REST): SCANTAIL_TOKEN=any scantail events --base-url ${url.replace(/^ws:/, "http:").replace(/\/latest\/$/, "")} --customer demo --since 1h\n`,
  );
  if (url !== simulator.url) {
    ctx.stderr.write(
      `scantail: from another machine: --url ws://<this host's name>:${simulator.port}/latest/ --insecure (ws:// is unencrypted)\n`,
    );
  }
  await new Promise<void>((resolve) => {
    if (ctx.signal.aborted) resolve();
    ctx.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  await simulator.close();
  const s = simulator.stats;
  ctx.stderr.write(
    `scantail: served ${s.events} events over ${s.connections} connections (${s.refused} handshakes refused); delivered ${s.delivered} events at least once\n`,
  );
  return ctx.signalName() === "SIGTERM" ? EXIT.sigterm : EXIT.sigint;
}

/**
 * A wildcard listen address (0.0.0.0, ::) is not an address to connect to, and scantail
 * only accepts ws:// to a loopback host without --insecure: hand out the loopback URL.
 */
export function connectUrl(host: string, port: number, listenUrl: string): string {
  if (host === "0.0.0.0") return `ws://127.0.0.1:${port}/latest/`;
  if (host === "::") return `ws://[::1]:${port}/latest/`;
  return listenUrl;
}
