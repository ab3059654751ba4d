import type { Context } from "../context.js";
import type { Simulator, SimulatorOptions } from "../simulator/server.js";
import { parseWhen } from "../sources/when.js";
import { resolveConnection } from "./connection-options.js";
import type { CommandFlags } from "./options.js";
import { profileForOutput, resolveOutput } from "./output-options.js";
import { resolveSimulator } from "./simulator-options.js";
import { type LiveTarget, tailLive } from "./tail.js";

/**
 * The in-process simulator as a live target (demo, forward --demo): any token does, no
 * account. The simulator keeps a history too, so --since and gap fill work as well.
 */
export function simulatorTarget(
  ctx: Context,
  simulator: Pick<Simulator, "url" | "baseUrl">,
  history: { since?: number; gapFill: boolean },
): LiveTarget {
  const getToken = async () => "demo-token";
  return {
    url: simulator.url,
    customer: "demo",
    tokenOrigin: "demo",
    tokens: { source: "env", canRefresh: false, getToken, secrets: () => [] },
    history: {
      access: {
        baseUrl: simulator.baseUrl,
        customer: "demo",
        tokenKind: "access",
        getToken,
        now: ctx.now,
        random: ctx.random,
      },
      since: history.since,
      gapFill: history.gapFill,
    },
  };
}

export function demoBanner(options: SimulatorOptions): string {
  return `demo: ${options.rate} scans/s, ${options.devices} scanners, seed ${options.seed}; Ctrl-C stops`;
}

/**
 * The simulated feed in-process on a loopback port, tailed over a real WebSocket exactly
 * as `tail` would: no account, no config.
 */
export async function runDemo(ctx: Context, flags: CommandFlags<"demo">): Promise<number> {
  const simOptions = resolveSimulator(flags, ctx.now);
  const since =
    flags.since !== undefined ? parseWhen(flags.since, ctx.now(), "--since") : undefined;
  const connection = resolveConnection(flags);
  // A stored format applies here as in tail and replay: one rule (README, "Output").
  const setup = resolveOutput(flags, ctx, await profileForOutput(flags, ctx));
  const { startSimulator } = await import("../simulator/server.js");
  const simulator = await startSimulator({ ...simOptions, host: "127.0.0.1", port: 0 });
  try {
    return await tailLive(
      ctx,
      simulatorTarget(ctx, simulator, { since, gapFill: flags.gapFill !== false }),
      setup,
      connection,
      flags.verbose === true,
      (status) => status.info(demoBanner(simOptions)),
    );
  } finally {
    await simulator.close();
  }
}
