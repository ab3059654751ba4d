import type { Context } from "../context.js";
import { EXIT, UsageError } from "../errors.js";
import { parsePositiveInt } from "../util/duration.js";
import { isLoopbackHost } from "../util/redact.js";
import type { GlobalFlags } from "./common.js";
import { resolveSimulator, type SimulatorFlags } from "./simulator-options.js";

/** Serves the simulated feed for any client and prints the URL to connect to on stdout. */
export async function runSimulate(
  ctx: Context,
  flags: SimulatorFlags & GlobalFlags & { host?: string; port?: string },
): Promise<number> {
  const options = resolveSimulator(flags, ctx.now);
  const host = flags.host ?? "127.0.0.1";
  if (!isLoopbackHost(host) && host !== "0.0.0.0" && host !== "::") {
    throw new UsageError(
      `--host ${host}: the simulator listens on loopback (or 0.0.0.0 / :: on purpose)`,
    );
  }
  const port = parsePositiveInt(flags.port ?? "0", "--port", { allowZero: true });
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
  ctx.stdout.write(`${simulator.url}\n`);
  ctx.stderr.write(
    `scantail: simulating ${options.rate} scans/s from ${options.devices} devices (seed ${options.seed}); also serves ${simulator.url.replace("/latest/", "/prod/")}\n` +
      `scantail: connect with: SCANTAIL_TOKEN=any scantail --url ${simulator.url}\n`,
  );
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
