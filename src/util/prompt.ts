import type { Context } from "../context.js";
import { ScantailError, UsageError } from "../errors.js";

/** Reads all of stdin as text (for --password-stdin / --token-stdin). */
export async function readAllStdin(ctx: Context, limit = 64 * 1024): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.stdin as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > limit) throw new UsageError("stdin is too large for a password or token");
    chunks.push(buf);
  }
  // Only the line ending is removed: a password may start or end with spaces.
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/**
 * Asks a question on stderr and reads one line from the terminal. With `hidden`, the
 * terminal is put in raw mode and nothing typed is echoed (passwords).
 */
export function ask(ctx: Context, question: string, { hidden = false } = {}): Promise<string> {
  const stdin = ctx.stdin;
  return new Promise((resolve, reject) => {
    ctx.stderr.write(question);
    let answer = "";
    const raw = hidden && typeof stdin.setRawMode === "function";
    if (raw) stdin.setRawMode!(true);
    stdin.setEncoding?.("utf8");
    stdin.resume?.();
    const finish = (error?: Error) => {
      stdin.removeListener("data", onData);
      if (raw) stdin.setRawMode!(false);
      stdin.pause?.();
      if (hidden) ctx.stderr.write("\n");
      if (error) reject(error);
      else resolve(answer);
    };
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
  });
}
