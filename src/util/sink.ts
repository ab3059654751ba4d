import type { OutputStream } from "../context.js";

/**
 * Writes text to a stream, honouring backpressure (await 'drain' when write() returns
 * false) and turning a closed pipe (EPIPE, `scantail | head`) into a quiet end instead
 * of an exception.
 */
export class Sink {
  closed = false;
  private error: NodeJS.ErrnoException | undefined;
  private readonly onError = (error: NodeJS.ErrnoException) => {
    this.closed = true;
    if (error.code !== "EPIPE" && error.code !== "ERR_STREAM_DESTROYED") this.error = error;
  };

  constructor(private readonly stream: OutputStream) {
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
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.stream.removeListener("drain", done);
        this.stream.removeListener("close", done);
        this.stream.removeListener("error", done);
        resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("close", done);
      this.stream.once("error", done);
    });
  }

  /** A write failure other than a closed pipe (disk full, …). */
  get failure(): NodeJS.ErrnoException | undefined {
    return this.error;
  }

  dispose(): void {
    this.stream.removeListener("error", this.onError);
  }
}
