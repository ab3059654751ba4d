import type { ChalkInstance } from "chalk";
import type { OutputStream } from "../context.js";
import type { ExitCode } from "../errors.js";
import type { Redactor } from "../util/redact.js";
import type { CheckResult, CheckState } from "./check.js";

/** Where doctor's lines go: text as each check finishes, or one JSON document at the end. */
export interface DoctorReporter {
  check(result: CheckResult): void;
  finish(exitCode: ExitCode): void;
}

/** Secrets never reach the report, whatever a server or an error echoed. */
function redacted(result: CheckResult, redactor: Redactor): CheckResult {
  return {
    ...result,
    detail: redactor.redact(result.detail),
    ...(result.hint ? { hint: redactor.redact(result.hint) } : {}),
  };
}

export function textReporter(
  out: OutputStream,
  chalk: ChalkInstance,
  redactor: Redactor,
): DoctorReporter {
  const symbols: Record<CheckState, string> = {
    ok: chalk.green("✓"),
    fail: chalk.red("✗"),
    warn: chalk.yellow("!"),
    skip: chalk.dim("-"),
    info: chalk.dim("i"),
  };
  return {
    check(result) {
      const safe = redacted(result, redactor);
      out.write(`${symbols[safe.state]} ${safe.name.padEnd(12)} ${safe.detail}\n`);
      if (safe.hint && safe.state !== "ok") {
        out.write(`  ${" ".repeat(12)} ${chalk.dim(`→ ${safe.hint}`)}\n`);
      }
    },
    finish() {},
  };
}

export function jsonReporter(out: OutputStream, redactor: Redactor): DoctorReporter {
  const checks: CheckResult[] = [];
  return {
    check(result) {
      checks.push(redacted(result, redactor));
    },
    finish(exitCode) {
      out.write(`${JSON.stringify({ ok: exitCode === 0, exitCode, checks }, null, 2)}\n`);
    },
  };
}
