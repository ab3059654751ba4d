/**
 * An unbounded-by-design, bounded-by-backpressure queue between the socket and the
 * pipeline: consecutive frames coalesce into one batch, and once `highWaterMark` frames
 * are waiting `onPause` stops reading the socket so TCP pushes back on the server.
 */
export type Chunk<F, S> = { kind: "frames"; frames: F[] } | { kind: "status"; status: S };

export class FeedQueue<F, S> implements AsyncIterable<Chunk<F, S>> {
  private items: Chunk<F, S>[] = [];
  private queuedFrames = 0;
  private waiter: (() => void) | undefined;
  private ended = false;
  private failure: unknown;
  paused = false;

  constructor(
    private readonly highWaterMark: number,
    private readonly onPause: () => void,
    private readonly onResume: () => void,
  ) {}

  pushFrame(frame: F): void {
    if (this.ended) return;
    const last = this.items[this.items.length - 1];
    if (last && last.kind === "frames") last.frames.push(frame);
    else this.items.push({ kind: "frames", frames: [frame] });
    this.queuedFrames++;
    if (!this.paused && this.queuedFrames >= this.highWaterMark) {
      this.paused = true;
      this.onPause();
    }
    this.wake();
  }

  pushStatus(status: S): void {
    if (this.ended) return;
    this.items.push({ kind: "status", status });
    this.wake();
  }

  end(failure?: unknown): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.wake();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Chunk<F, S>, void, undefined> {
    for (;;) {
      const item = this.items.shift();
      if (item) {
        if (item.kind === "frames") {
          this.queuedFrames -= item.frames.length;
          if (this.paused && this.queuedFrames < this.highWaterMark / 2) {
            this.paused = false;
            this.onResume();
          }
        }
        yield item;
        continue;
      }
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return;
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }
}
