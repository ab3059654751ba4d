import type { Redactor } from "./util/redact.js";

/**
 * Everything a command may touch of the outside world. Only `main.ts` builds one from
 * `process`; tests build them from in-memory streams (docs/architecture.md).
 */
export interface OutputStream {
  write(chunk: string | Uint8Array, callback?: (error?: Error | null) => void): boolean;
  once(event: "drain" | "close" | "error", listener: (...args: unknown[]) => void): unknown;
  on(event: "error", listener: (error: NodeJS.ErrnoException) => void): unknown;
  removeListener(event: string, listener: (...args: never[]) => void): unknown;
  isTTY?: boolean;
  columns?: number;
  rows?: number;
  writableNeedDrain?: boolean;
}

export interface Context {
  stdout: OutputStream;
  stderr: OutputStream;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (mode: boolean) => unknown };
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM; `signalName()` tells which. */
  signal: AbortSignal;
  signalName: () => "SIGINT" | "SIGTERM" | undefined;
  now: () => number;
  /** Jitter source in [0, 1) (reconnect backoff); Math.random unless a test fixes it. */
  random?: () => number;
  cwd: string;
  /** Knows this run's secrets and removes them from any text printed (src/util/redact.ts). */
  redactor: Redactor;
  /** The operating system (the config directory depends on it). */
  platform: NodeJS.Platform;
  /**
   * Views that change the terminal (the devices view's alternate screen) say here what
   * must be written if the process ends abruptly; undefined once restored normally.
   */
  setTerminalRestore?: (sequence: string | undefined) => void;
  /** Called when a terminal resize happens (devices view redraws). */
  onResize?: (listener: () => void) => () => void;
}

export function terminalSize(stream: OutputStream): { columns: number; rows: number } {
  return { columns: stream.columns || 80, rows: stream.rows || 24 };
}
