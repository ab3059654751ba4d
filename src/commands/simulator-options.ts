import { UsageError } from "../errors.js";
import type { SimulatorOptions } from "../simulator/server.js";
import { parseDuration, parsePositiveInt } from "../util/duration.js";
import { defaultOf, SIMULATED_FEED_OPTIONS, type SimulatorFlags } from "./options.js";

export type { SimulatorFlags };

/** Pure: flags → the simulated feed and its faults; `now` only seeds a random fleet. */
export function resolveSimulator(flags: SimulatorFlags, now: () => number): SimulatorOptions {
  const rate = Number(flags.rate ?? defaultOf(SIMULATED_FEED_OPTIONS.rate));
  if (!Number.isFinite(rate) || rate < 0 || rate > 1_000_000) {
    throw new UsageError(
      `invalid --rate "${flags.rate}": expected events per second between 0 and 1000000`,
    );
  }
  const devices = parsePositiveInt(
    flags.devices ?? defaultOf(SIMULATED_FEED_OPTIONS.devices),
    "--devices",
  );
  if (devices > 100_000) throw new UsageError("--devices must be at most 100000");
  const seed =
    flags.seed !== undefined
      ? parsePositiveInt(flags.seed, "--seed", { allowZero: true })
      : now() % 2 ** 31;
  const statuses = (text: string | undefined, flag: string): Array<number | "ok"> | undefined =>
    text?.split(",").map((part) => {
      const p = part.trim().toLowerCase();
      if (p === "ok") return "ok";
      const status = Number(p);
      if (!/^\d{3}$/.test(p) || status < 400 || status > 599) {
        throw new UsageError(
          `invalid ${flag} entry "${part}": expected HTTP statuses 400-599 or ok`,
        );
      }
      return status;
    });
  const reject = statuses(flags.reject, "--reject");
  const historyReject = statuses(flags.historyReject, "--history-reject");
  let malformedRatio: number | undefined;
  if (flags.malformed !== undefined) {
    malformedRatio = Number(flags.malformed);
    if (!Number.isFinite(malformedRatio) || malformedRatio < 0 || malformedRatio > 1) {
      throw new UsageError(
        `invalid --malformed "${flags.malformed}": expected a fraction between 0 and 1`,
      );
    }
  }
  const duration = (v: string | undefined, what: string) =>
    v !== undefined ? parseDuration(v, what) : undefined;
  return {
    rate,
    devices,
    seed,
    reject,
    dropAfterMs: duration(flags.dropAfter, "--drop-after"),
    idleTimeoutMs: duration(flags.idleTimeout, "--idle-timeout"),
    maxAgeMs: duration(flags.maxAge, "--max-age"),
    stallAfterMs: duration(flags.stallAfter, "--stall-after"),
    malformedRatio,
    oversizedEvery:
      flags.oversizedEvery !== undefined
        ? parsePositiveInt(flags.oversizedEvery, "--oversized-every")
        : undefined,
    resendOnConnect:
      flags.resend !== undefined
        ? parsePositiveInt(flags.resend, "--resend", { allowZero: true })
        : undefined,
    historyIgnoreWindow: flags.historyIgnoreWindow === true,
    historyReject,
  };
}
