import type { Context } from "../context.js";
import { ScantailError, UsageError } from "../errors.js";

/**
 * Ctrl-C on a terminal in cooked mode is SIGINT: main.ts turns it into ctx.signal, and
 * a prompt waiting for input must end on it at once (exit 130, 143 for SIGTERM), or the
 * first Ctrl-C would do nothing.
 */
function cancelled(ctx: Context): ScantailError {
  return new ScantailError("sign-in cancelled", ctx.signalName() === "SIGTERM" ? 143 : 130);
}

/** Reads all of stdin as text (for --password-stdin / --token-stdin). */
export function readAllStdin(ctx: Context, limit = 64 * 1024): Promise<string> {
  const stdin = ctx.stdin;
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(cancelled(ctx));
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      stdin.removeListener("data", onData);
      stdin.removeListener("end", onEnd);
      stdin.removeListener("error", onError);
      ctx.signal.removeEventListener("abort", onAbort);
      // A paused stdin with no listeners lets the process end (a terminal stays open).
      stdin.pause?.();
      if (error) return reject(error);
      // Only the line ending is removed: a password may start or end with spaces.
      resolve(
        Buffer.concat(chunks)
          .toString("utf8")
          .replace(/\r?\n$/, ""),
      );
    };
    const onData = (chunk: Buffer | string) => {
      const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
      size += buf.length;
      if (size > limit) return finish(new UsageError("stdin is too large for a password or token"));
      chunks.push(buf);
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(error);
    const onAbort = () => finish(cancelled(ctx));
    stdin.on("data", onData);
    stdin.once("end", onEnd);
    stdin.once("error", onError);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    stdin.resume?.();
  });
}

/**
 * Asks a question on stderr and reads one line from the terminal. With `hidden`, the
 * terminal is put in raw mode and nothing typed is echoed (passwords).
 */
export function ask(ctx: Context, question: string, { hidden = false } = {}): Promise<string> {
  const stdin = ctx.stdin;
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(cancelled(ctx));
    ctx.stderr.write(question);
    let answer = "";
    const raw = hidden && typeof stdin.setRawMode === "function";
    if (raw) stdin.setRawMode!(true);
    stdin.setEncoding?.("utf8");
    stdin.resume?.();
    const finish = (error?: Error) => {
      stdin.removeListener("data", onData);
      ctx.signal.removeEventListener("abort", onAbort);
      if (raw) stdin.setRawMode!(false);
      stdin.pause?.();
      if (hidden || error) ctx.stderr.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
    const onAbort = () => finish(cancelled(ctx));
    const onData = (chunk: string | Buffer) => {
      for (const ch of String(chunk)) {
        // Ctrl-C in raw mode arrives as a character, not a signal: exit as SIGINT would.
        if (ch === "\u0003") return finish(new ScantailError("sign-in cancelled", 130));
        if (ch === "\u0004" && answer === "") return finish(new UsageError("sign-in cancelled"));
        if (ch === "\r" || ch === "\n") return finish();
        if (ch === "\u007f" || ch === "\b") answer = answer.slice(0, -1);
        else if (ch >= " " || !raw) answer += ch;
      }
    };
    stdin.on("data", onData);
    ctx.signal.addEventListener("abort", onAbort, { once: true });
  });
}
