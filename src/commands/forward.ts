import type { Context } from "../context.js";
import { EXIT, UsageError } from "../errors.js";
import { colorLevel, loadChalk } from "../format/color.js";
import {
  countDelivery,
  type DeliveryCounts,
  type DeliveryStyle,
  formatDeliveryLine,
  formatDeliverySummary,
  NO_DELIVERIES,
} from "../outputs/delivery-log.js";
import {
  type DeliveryReport,
  type DestinationPlan,
  openDestination,
  validateDestination,
} from "../outputs/destination.js";
import { forwardOutput } from "../outputs/forward-output.js";
import type { Output } from "../outputs/output.js";
import { DEFAULT_SUBJECT } from "../outputs/subject.js";
import type { StatusReporter } from "../run/status.js";
import { parseWhen } from "../sources/when.js";
import { parseDuration, parsePositiveInt } from "../util/duration.js";
import { resolveConnection } from "./connection-options.js";
import { demoBanner, simulatorTarget } from "./demo.js";
import {
  type CommandFlags,
  defaultOf,
  FAULT_OPTIONS,
  FORWARD_DEMO_FEED_OPTIONS,
  FORWARD_OPTIONS,
} from "./options.js";
import { resolveOutput } from "./output-options.js";
import { resolveSimulator } from "./simulator-options.js";
import { type LiveTarget, openAccount, resolveLiveTarget, tailLive } from "./tail.js";

type ForwardFlags = CommandFlags<"forward">;

/** JetStream stream names: no whitespace, no `.`, `*`, `>` or path separators. */
const STREAM_NAME = /^[^\s.*>/\\]{1,255}$/;

/** Flags of the live feed that mean nothing when --demo supplies the feed. */
const ACCOUNT_FLAGS = [
  ["url", "--url"],
  ["customer", "--customer"],
  ["tokenKind", "--token-kind"],
  ["baseUrl", "--base-url"],
] as const;

/** Everything about the destination, checked before any I/O (exit 2 on bad input). */
export interface ForwardPlan {
  destination: DestinationPlan;
  maxAttempts?: number;
  requestTimeoutMs: number;
}

/** Pure: the destination flags → what to open; every bad value is a UsageError. */
export function planForward(raw: string, flags: ForwardFlags): ForwardPlan {
  const destination = validateDestination(raw, {
    insecure: flags.insecure === true,
    headers: flags.header,
    subject: flags.subject,
  });
  if (destination.kind === "webhook") {
    for (const [key, flag] of [
      ["subject", "--subject"],
      ["createStream", "--create-stream"],
    ] as const) {
      if (flags[key] !== undefined)
        throw new UsageError(`${flag} is for nats:// destinations, not '${destination.label}'`);
    }
  }
  if (flags.createStream !== undefined && !STREAM_NAME.test(flags.createStream)) {
    throw new UsageError(
      `invalid --create-stream '${flags.createStream}': a stream name has no spaces, '.', '*', '>', '/' or '\\'`,
    );
  }
  const requestTimeoutMs = parseDuration(
    flags.requestTimeout ?? defaultOf(FORWARD_OPTIONS.requestTimeout),
    "--request-timeout",
  );
  if (requestTimeoutMs < 100) throw new UsageError("--request-timeout must be at least 100ms");
  return {
    destination,
    maxAttempts:
      flags.maxAttempts !== undefined
        ? parsePositiveInt(flags.maxAttempts, "--max-attempts")
        : undefined,
    requestTimeoutMs,
  };
}

/** --demo takes the simulator's options and no account; without it, those are mistakes. */
function checkDemoFlags(flags: ForwardFlags): void {
  if (flags.demo) {
    for (const [key, flag] of ACCOUNT_FLAGS) {
      if (flags[key] !== undefined)
        throw new UsageError(`${flag} does not go with --demo, which forwards the simulated feed`);
    }
    return;
  }
  for (const group of [FORWARD_DEMO_FEED_OPTIONS, FAULT_OPTIONS]) {
    for (const [key, option] of Object.entries(group)) {
      if (flags[key as keyof ForwardFlags] !== undefined) {
        const flag = option.flags.split(" ")[0];
        throw new UsageError(`${flag} needs --demo: it shapes the simulated feed`);
      }
    }
  }
}

/**
 * `scantail forward <destination>`: tails the live feed as tail does (same sign-in,
 * filters, reconnects, --count, --timeout) and delivers every matching event to a webhook
 * or JetStream; nothing goes to stdout. One line per delivery on a terminal, problems also
 * on a pipe, and a closing summary (README, "forward"; details in docs/forward.md).
 */
export async function runForward(ctx: Context, raw: string, flags: ForwardFlags): Promise<number> {
  checkDemoFlags(flags);
  const connection = resolveConnection(flags);
  const simulator = flags.demo ? resolveSimulator(flags, ctx.now) : undefined;
  const since =
    flags.since !== undefined ? parseWhen(flags.since, ctx.now(), "--since") : undefined;
  // From the environment only: a flag would put it in `ps` and shell history.
  const secret = ctx.env.SCANTAIL_FORWARD_SECRET || undefined;
  if (secret) ctx.redactor.add(secret);
  const plan = planForward(raw, flags);
  for (const value of plan.destination.secrets) ctx.redactor.add(value);
  // No format: nothing goes to stdout. The run controls and filters are tail's.
  const setup = resolveOutput({ ...flags, header: undefined, format: "ndjson" }, ctx);
  const account = simulator ? undefined : await openAccount(ctx, flags);
  const target = account
    ? resolveLiveTarget(ctx, flags, account, `forward to ${plan.destination.label}`)
    : undefined;
  const quiet = flags.quiet === true;

  const chalk = await loadChalk(colorLevel(setup.colorMode, ctx.env, ctx.stderr.isTTY === true));
  const style: DeliveryStyle = {
    ok: (t) => chalk.green(t),
    warn: (t) => chalk.yellow(t),
    bad: (t) => chalk.red(t),
    dim: (t) => chalk.dim(t),
  };
  let counts: DeliveryCounts = NO_DELIVERIES;
  let status: StatusReporter | undefined;
  const onReport = (report: DeliveryReport) => {
    counts = countDelivery(counts, report);
    // Success is news only to someone watching; a retry, rejection or failure is a problem.
    const problem = report.outcome !== "delivered" && report.outcome !== "duplicate";
    if (!problem && (quiet || ctx.stderr.isTTY !== true)) return;
    const time = new Date(ctx.now()).toTimeString().slice(0, 8);
    const line = formatDeliveryLine(report, style, time);
    if (status) status.line(line, "always");
    else ctx.stderr.write(`${line}\n`);
  };

  let output: Output | undefined;
  const forwardTo = (live: LiveTarget, onStatus?: (status: StatusReporter) => void) =>
    tailLive(ctx, live, setup, connection, flags.verbose === true, onStatus, {
      stdout: false,
      outputs: async (reporter, signal) => {
        status = reporter;
        const destination = await openDestination(raw, {
          headers: flags.header ?? [],
          secret,
          maxAttempts: plan.maxAttempts,
          requestTimeoutMs: plan.requestTimeoutMs,
          insecure: flags.insecure === true,
          subject: flags.subject ?? DEFAULT_SUBJECT,
          createStream: flags.createStream,
          signal,
          now: ctx.now,
          random: ctx.random ?? Math.random,
          onReport,
          env: ctx.env,
        });
        reporter.info(`forwarding to ${destination.label}`);
        output = forwardOutput(destination, { finishTimeoutMs: plan.requestTimeoutMs });
        return [output];
      },
    });

  const summary = () => {
    if (output && !quiet)
      ctx.stderr.write(`${formatDeliverySummary(counts, plan.destination.label)}\n`);
  };
  let code: number;
  try {
    if (simulator) {
      const { startSimulator } = await import("../simulator/server.js");
      const sim = await startSimulator({ ...simulator, host: "127.0.0.1", port: 0 });
      try {
        const target = simulatorTarget(ctx, sim, { since, gapFill: flags.gapFill !== false });
        code = await forwardTo(target, (s) => s.info(demoBanner(simulator)));
      } finally {
        await sim.close();
      }
    } else {
      code = await forwardTo(target as LiveTarget);
    }
  } catch (error) {
    summary();
    throw error;
  }
  summary();
  // Acknowledgements still missing at the end (bounded wait): exit 1, unless a signal
  // already decides the exit code — those events were reported as failed, never counted.
  const failure = output?.failure;
  if (failure) {
    if (code === EXIT.sigint || code === EXIT.sigterm) {
      ctx.stderr.write(`scantail: ${failure.message}\n`);
      return code;
    }
    throw failure;
  }
  return code;
}
