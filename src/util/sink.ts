import type { OutputStream } from "../context.js";

export interface SinkOptions {
  /** Stops waiting for a blocked reader: a signal must end the run even then. */
  signal?: AbortSignal;
  /** Closes the stream (a file); stdout is left open. */
  end?: () => Promise<void>;
}

/**
 * Writes text to a stream, honouring backpressure (await 'drain' when write() returns
 * false) and turning a closed pipe (EPIPE, `scantail | head`) into a quiet end instead
 * of an exception. Any other write failure (disk full) is kept in `failure`.
 */
export class Sink {
  closed = false;
  private error: NodeJS.ErrnoException | undefined;
  private readonly onError = (error: NodeJS.ErrnoException) => {
    this.closed = true;
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") this.error ??= error;
  };

  constructor(
    private readonly stream: OutputStream,
    private readonly options: SinkOptions = {},
  ) {
    stream.on("error", this.onError);
  }

  /** Resolves when the text has been handed to the stream and it can take more. */
  async write(text: string | Uint8Array): Promise<void> {
    if (this.closed || text.length === 0) return;
    let ok: boolean;
    try {
      ok = this.stream.write(text);
    } catch (error) {
      this.onError(error as NodeJS.ErrnoException);
      return;
    }
    if (!ok && !this.closed) await this.drain();
  }

  /** True when a write would currently have to wait. */
  get backedUp(): boolean {
    return this.stream.writableNeedDrain === true;
  }

  drain(): Promise<void> {
    const signal = this.options.signal;
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stream.removeListener("drain", done);
        this.stream.removeListener("close", done);
        this.stream.removeListener("error", done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("close", done);
      this.stream.once("error", done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** A write failure other than a closed pipe (disk full, …). */
  get failure(): NodeJS.ErrnoException | undefined {
    if (this.error) return this.error;
    // A write after the stream failed throws ERR_STREAM_DESTROYED at once, while the
    // failure itself (ENOSPC) is emitted a tick later (Node 22+): the stream keeps it.
    const errored = (this.stream as { errored?: NodeJS.ErrnoException | null }).errored;
    if (errored && errored.code !== "EPIPE" && errored.code !== "ERR_STREAM_DESTROYED")
      return errored;
    return undefined;
  }

  /** Flushes and closes a file; for stdout only stops listening. */
  async end(): Promise<void> {
    try {
      if (this.options.end && !this.closed) await this.options.end();
    } catch (error) {
      this.onError(error as NodeJS.ErrnoException);
    }
    this.stream.removeListener("error", this.onError);
  }
}
