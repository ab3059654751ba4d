import type { LiveSettings } from "../config/settings.js";
import type { ConfigStore, Profile } from "../config/store.js";
import type { Context } from "../context.js";
import { EXIT, type ExitCode, errorMessage, exitCodeForSignal, ScantailError } from "../errors.js";
import type { FeedConnection } from "../feed/connection.js";
import type { BinaryFrame } from "../feed/frame.js";

export type CheckState = "ok" | "fail" | "warn" | "skip" | "info";

/** One line of doctor's report. */
export interface CheckResult {
  name: string;
  state: CheckState;
  detail: string;
  hint?: string;
  /** Exit class of a failure: 2 config, 3 auth, 1 network (130/143 when interrupted). */
  exitCode?: ExitCode;
}

export interface DoctorFlags {
  url?: string;
  baseUrl?: string;
  customer?: string;
  tokenKind?: string;
  insecure?: boolean;
}

/** What the checks found so far: later checks build on earlier ones. */
export interface DoctorFacts {
  store?: ConfigStore;
  profile: Profile;
  settings?: LiveSettings;
  /** The validated live URL. */
  liveUrl?: string;
  token?: string;
  /** The open connection of the handshake check, with the frames it got before anyone listened. */
  connection?: FeedConnection;
  early: Array<Buffer | BinaryFrame>;
  /** Set by the first-event check: where frames go once someone listens. */
  onFrame?: (frame: Buffer | BinaryFrame) => void;
}

export interface DoctorRun {
  ctx: Context;
  flags: DoctorFlags;
  profileName: string;
  /** How long the first-event check waits. */
  waitMs: number;
  facts: DoctorFacts;
}

/**
 * One link of the chain. It returns its lines (usually one); a failing line stops the
 * chain, since later links cannot work without it. Long waits must end when
 * `run.ctx.signal` aborts (the runner stops waiting then anyway; the check frees its
 * sockets).
 */
export interface DoctorCheck {
  name: string;
  run(run: DoctorRun): Promise<CheckResult[]>;
}

/** Runs the checks in order, reporting each line as it comes; returns the exit code. */
export async function runChecks(
  checks: readonly DoctorCheck[],
  run: DoctorRun,
  report: (result: CheckResult) => void,
): Promise<ExitCode> {
  const { signal } = run.ctx;
  let interrupted: (() => void) | undefined;
  const aborted = new Promise<"aborted">((resolve) => {
    interrupted = () => resolve("aborted");
    if (signal.aborted) interrupted();
    else signal.addEventListener("abort", interrupted, { once: true });
  });
  try {
    for (const check of checks) {
      // A check that throws fails with its error; one still busy when Ctrl-C comes is
      // abandoned (its late rejection is caught here, never unhandled).
      const pending = check.run(run).catch((error: unknown) => [failure(check.name, error)]);
      const results = signal.aborted ? "aborted" : await Promise.race([pending, aborted]);
      if (results === "aborted" || signal.aborted) {
        const exitCode = exitCodeForSignal(run.ctx.signalName());
        report({ name: check.name, state: "fail", detail: "interrupted", exitCode });
        return exitCode;
      }
      for (const result of results) report(result);
      const failed = results.find((result) => result.state === "fail");
      if (failed) return failed.exitCode ?? EXIT.failure;
    }
    return EXIT.ok;
  } finally {
    if (interrupted) signal.removeEventListener("abort", interrupted);
    // Ends a connection a failed or interrupted walk left open (closing twice is harmless).
    run.facts.connection?.close(1000, "doctor done");
  }
}

/** A failed line from an error: its message, and its hint and exit class when it has them. */
export function failure(
  name: string,
  error: unknown,
  fallback: ExitCode = EXIT.failure,
): CheckResult {
  return {
    name,
    state: "fail",
    detail: errorMessage(error),
    hint: error instanceof ScantailError ? error.hint : undefined,
    exitCode: error instanceof ScantailError ? error.exitCode : fallback,
  };
}
