/** Every exit code scantail uses (README "Exit codes"); nothing else may be returned. */
export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  timeout: 124,
  sigint: 130,
  sigterm: 143,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type StopSignal = "SIGINT" | "SIGTERM";

/**
 * The one mapping from a stopping signal to the exit code: 128 + the signal's number, as
 * shells report a process killed by it. An unknown or missing name means Ctrl-C.
 */
export function exitCodeForSignal(name: StopSignal | undefined): ExitCode {
  return name === "SIGTERM" ? EXIT.sigterm : EXIT.sigint;
}

/** Typed failures that carry their exit code; `cli.ts` maps them to one line on stderr. */
export class ScantailError extends Error {
  readonly exitCode: ExitCode;
  /** An optional second line telling the user what to do. */
  readonly hint?: string;
  constructor(message: string, exitCode: ExitCode, hint?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = hint;
  }
}

/** Bad flag, bad value, invalid regex: exit 2. */
export class UsageError extends ScantailError {
  constructor(message: string, hint?: string) {
    super(message, 2, hint);
  }
}

/** Unreadable, corrupt or invalid configuration: exit 2. */
export class ConfigError extends ScantailError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, 2, hint, options);
  }
}

/** Not signed in, token refused, sign-in refused: exit 3. */
export class AuthError extends ScantailError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, 3, hint, options);
  }
}

/** Connection lost, retries exhausted, network failure: exit 1. */
export class ConnectionError extends ScantailError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, 1, hint, options);
  }
}

/** An output that cannot be written (a --tee file on a full disk): exit 1. */
export class OutputError extends ScantailError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, 1, hint, options);
  }
}

/** A forward destination gave up (attempts exhausted, no stream for the subject): exit 1. */
export class DestinationError extends ScantailError {
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, 1, hint, options);
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
