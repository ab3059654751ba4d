/**
 * The only file that touches `process`: argv, env, the real streams, signals →
 * AbortController, and process.exitCode (never process.exit() with output pending).
 */
import { writeSync } from "node:fs";
import type { Context } from "./context.js";
import { EXIT, exitCodeForSignal, type StopSignal } from "./errors.js";
import { Redactor, redactingStream } from "./util/redact.js";

const argv = process.argv.slice(2);
declare const SCANTAIL_VERSION: string | undefined;

async function main(): Promise<void> {
  // `scantail --version` is run by scripts and shell prompts: answer without loading the
  // CLI at all (commander and the command table are the bulk of start-up).
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) {
    process.stdout.write(
      `${typeof SCANTAIL_VERSION === "string" ? SCANTAIL_VERSION : "0.0.0-dev"}\n`,
    );
    return;
  }
  const controller = new AbortController();
  // What this run learns of secrets (tokens, refresh tokens, passwords) is masked everywhere.
  const redactor = new Redactor();
  let signalName: StopSignal | undefined;
  let signals = 0;
  const onSignal = (name: StopSignal) => {
    signals++;
    if (signals > 1) {
      // A second Ctrl-C means "now": restore the terminal and leave.
      restoreTerminal();
      process.exit(exitCodeForSignal(name));
    }
    signalName = name;
    controller.abort();
  };
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  // A closed stdout pipe (`scantail | head`) must end quietly; the Sink reports it.
  process.stdout.on("error", () => {});
  process.stderr.on("error", () => {});
  process.on("exit", restoreTerminal);

  const ctx: Context = {
    stdout: process.stdout,
    // Every diagnostic line passes the redactor: whatever printed it, a secret is masked.
    stderr: redactingStream(process.stderr, redactor),
    // A getter: process.stdin builds a stream (and loads node:stream) on first access,
    // which most commands never need (npm run bench, start-up).
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    signal: controller.signal,
    signalName: () => signalName,
    now: Date.now,
    cwd: process.cwd(),
    redactor,
    platform: process.platform,
    setTerminalRestore: (sequence) => {
      terminalRestore = sequence;
    },
    onResize: (listener) => {
      process.stdout.on("resize", listener);
      return () => process.stdout.removeListener("resize", listener);
    },
  };
  const { run } = await import("./cli.js");
  const code = await run(argv, ctx);
  process.exitCode = code;
  // Nothing may keep a finished command alive (a stray timer, a half-closed socket).
  const pending = setTimeout(() => process.exit(code), 2000);
  pending.unref();
}

/** Set by a view that changed the terminal (see Context.setTerminalRestore). */
let terminalRestore: string | undefined;
function restoreTerminal(): void {
  const sequence = terminalRestore;
  terminalRestore = undefined;
  if (sequence && process.stdout.isTTY) {
    try {
      writeSync(1, sequence);
    } catch {
      // Nothing left to restore to.
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `scantail: unexpected error: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exitCode = EXIT.failure;
});
