import type { Context } from "../context.js";
import { parseWhen } from "../sources/when.js";
import { resolveConnection } from "./connection-options.js";
import type { CommandFlags } from "./options.js";
import { profileForOutput, resolveOutput } from "./output-options.js";
import { resolveSimulator } from "./simulator-options.js";
import { tailLive } from "./tail.js";

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
      {
        url: simulator.url,
        customer: "demo",
        tokenOrigin: "demo",
        tokens: {
          source: "env",
          canRefresh: false,
          getToken: async () => "demo-token",
          secrets: () => [],
        },
        // The simulator keeps a history too: --since and gap fill work with no account.
        history: {
          access: {
            baseUrl: simulator.baseUrl,
            customer: "demo",
            tokenKind: "access",
            getToken: async () => "demo-token",
            now: ctx.now,
            random: ctx.random,
          },
          since,
          gapFill: flags.gapFill !== false,
        },
      },
      setup,
      connection,
      flags.verbose === true,
      (status) =>
        status.info(
          `demo: ${simOptions.rate} scans/s, ${simOptions.devices} scanners, seed ${simOptions.seed}; Ctrl-C stops`,
        ),
    );
  } finally {
    await simulator.close();
  }
}
