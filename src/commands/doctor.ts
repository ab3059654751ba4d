import type { Context } from "../context.js";
import { type DoctorFlags as CheckFlags, runChecks } from "../doctor/check.js";
import { DOCTOR_CHECKS } from "../doctor/checks.js";
import { jsonReporter, textReporter } from "../doctor/report.js";
import type { ExitCode } from "../errors.js";
import { colorLevel, loadChalk } from "../format/color.js";
import { parseDuration } from "../util/duration.js";
import { type GlobalFlags, profileName } from "./common.js";
import { parseColorMode } from "./output-options.js";

export interface DoctorFlags extends GlobalFlags, CheckFlags {
  wait?: string;
  json?: boolean;
}

/**
 * Walks config → credentials → DNS → TLS → handshake → first event, one line per check,
 * and stops at the first broken link (later checks cannot pass without it). Ctrl-C stops
 * it in any phase (130; SIGTERM 143).
 */
export async function runDoctor(ctx: Context, flags: DoctorFlags): Promise<ExitCode> {
  const waitMs = parseDuration(flags.wait ?? "30s", "--wait");
  const name = profileName(flags, ctx);
  const reporter = flags.json
    ? jsonReporter(ctx.stdout, ctx.redactor)
    : textReporter(
        ctx.stdout,
        await loadChalk(
          colorLevel(parseColorMode(flags.color), ctx.env, ctx.stdout.isTTY === true),
        ),
        ctx.redactor,
      );
  const exitCode = await runChecks(
    DOCTOR_CHECKS,
    { ctx, flags, profileName: name, waitMs, facts: { profile: {}, early: [] } },
    (result) => reporter.check(result),
  );
  reporter.finish(exitCode);
  return exitCode;
}
