import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Writable } from "node:stream";
import { run } from "../../src/cli.js";
import type { Context } from "../../src/context.js";
import { Redactor } from "../../src/util/redact.js";

/** An in-memory stdout/stderr that records everything written, with optional TTY traits. */
export class MemoryStream extends Writable {
  chunks: string[] = [];
  isTTY: boolean;
  columns: number;
  rows: number;
  private waiters: Array<{ test: (s: string) => boolean; resolve: () => void }> = [];

  constructor(
    opts: { isTTY?: boolean; columns?: number; rows?: number; highWaterMark?: number } = {},
  ) {
    super({ decodeStrings: false, highWaterMark: opts.highWaterMark });
    this.isTTY = opts.isTTY ?? false;
    this.columns = opts.columns ?? 120;
    this.rows = opts.rows ?? 30;
  }

  override _write(
    chunk: unknown,
    _enc: BufferEncoding,
    callback: (error?: Error | null) => void,
  ): void {
    this.chunks.push(String(chunk));
    const text = this.text;
    this.waiters = this.waiters.filter((w) => {
      if (w.test(text)) {
        w.resolve();
        return false;
      }
      return true;
    });
    callback();
  }

  // The bits of tty.WriteStream that spinners use.
  cursorTo(x: number, y?: number | (() => void), cb?: () => void): boolean {
    this.write(typeof y === "number" ? `\u001b[${y + 1};${x + 1}H` : `\u001b[${x + 1}G`);
    if (typeof y === "function") y();
    cb?.();
    return true;
  }
  moveCursor(dx: number, dy: number, cb?: () => void): boolean {
    this.write(`\u001b[${dy}A\u001b[${dx}C`);
    cb?.();
    return true;
  }
  clearLine(_dir: number, cb?: () => void): boolean {
    this.write("\u001b[2K");
    cb?.();
    return true;
  }
  clearScreenDown(cb?: () => void): boolean {
    this.write("\u001b[J");
    cb?.();
    return true;
  }
  getColorDepth(): number {
    return 8;
  }
  hasColors(): boolean {
    return true;
  }

  get text(): string {
    return this.chunks.join("");
  }

  get lines(): string[] {
    return this.text.split("\n").filter((l) => l.length > 0);
  }

  /** Resolves once the written text satisfies `test` (an event to await, not a sleep). */
  waitFor(test: (text: string) => boolean): Promise<void> {
    if (test(this.text)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }
}

export interface TestContext extends Context {
  stdout: MemoryStream;
  stderr: MemoryStream;
  stdinStream: PassThrough;
  abort(signal?: "SIGINT" | "SIGTERM"): void;
  configDir: string;
  cleanup(): void;
}

export function makeContext(
  options: {
    env?: Record<string, string | undefined>;
    stdoutTTY?: boolean;
    stderrTTY?: boolean;
    columns?: number;
    rows?: number;
    configDir?: string;
    now?: () => number;
    /** Fixes the reconnect jitter: `() => 0` makes every backoff 0 ms. */
    random?: () => number;
    stdout?: MemoryStream;
  } = {},
): TestContext {
  const configDir = options.configDir ?? mkdtempSync(join(tmpdir(), "scantail-test-"));
  const controller = new AbortController();
  let signalName: "SIGINT" | "SIGTERM" | undefined;
  const stdinStream = new PassThrough();
  const ctx: TestContext = {
    stdout:
      options.stdout ??
      new MemoryStream({ isTTY: options.stdoutTTY, columns: options.columns, rows: options.rows }),
    stderr: new MemoryStream({
      isTTY: options.stderrTTY,
      columns: options.columns,
      rows: options.rows,
    }),
    stdin: stdinStream as unknown as Context["stdin"],
    stdinStream,
    env: { SCANTAIL_CONFIG_DIR: configDir, ...options.env },
    signal: controller.signal,
    signalName: () => signalName,
    now: options.now ?? Date.now,
    random: options.random,
    cwd: process.cwd(),
    redactor: new Redactor(),
    platform: process.platform,
    abort(name = "SIGINT") {
      signalName = name;
      controller.abort();
    },
    configDir,
    cleanup() {
      rmSync(configDir, { recursive: true, force: true });
    },
  };
  return ctx;
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  ctx: TestContext;
}

/** Runs one command line in-process with an injected context. */
export async function runCli(argv: string[], ctx: TestContext = makeContext()): Promise<CliResult> {
  const code = await run(argv, ctx);
  return { code, stdout: ctx.stdout.text, stderr: ctx.stderr.text, ctx };
}

/** Starts a command and returns its promise plus the context, to interact while it runs. */
export function startCli(
  argv: string[],
  ctx: TestContext = makeContext(),
): { done: Promise<CliResult>; ctx: TestContext } {
  const done = run(argv, ctx).then((code) => ({
    code,
    stdout: ctx.stdout.text,
    stderr: ctx.stderr.text,
    ctx,
  }));
  return { done, ctx };
}
