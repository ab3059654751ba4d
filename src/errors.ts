/** Typed failures that carry their exit code; `cli.ts` maps them to one line on stderr. */
export class ScantailError extends Error {
  readonly exitCode: number;
  /** An optional second line telling the user what to do. */
  readonly hint?: string;
  constructor(message: string, exitCode: number, hint?: string, options?: ErrorOptions) {
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

export const EXIT = {
  ok: 0,
  failure: 1,
  usage: 2,
  auth: 3,
  timeout: 124,
  sigint: 130,
  sigterm: 143,
} as const;

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
