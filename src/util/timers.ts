/**
 * Timers for any duration. Node keeps a timer's delay in 32 bits: anything above
 * 2^31-1 ms (about 24.8 days) fires at once with a TimeoutOverflowWarning, so
 * `--timeout 30d` would end at the start. These chain timers of at most that long
 * and check the clock each time, so a long wait ends when it should.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** What the timers need of the world; tests pass a clock they move by hand. */
export interface TimerClock {
  /** Milliseconds from a monotonic origin. */
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: TimerClock = {
  // Monotonic: a wall-clock change must not stretch or cut a wait.
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface LongTimer {
  cancel(): void;
}

export interface LongTimerOptions {
  clock?: TimerClock;
  /** Do not keep the process alive for this timer alone (Node's timer.unref()). */
  unref?: boolean;
}

/** setTimeout for any delay (a non-finite one never fires, but keeps waiting). */
export function setLongTimeout(
  callback: () => void,
  ms: number,
  { clock = systemClock, unref = false }: LongTimerOptions = {},
): LongTimer {
  const deadline = clock.now() + (Number.isNaN(ms) ? 0 : Math.max(0, ms));
  let handle: unknown;
  let cancelled = false;
  const step = () => {
    if (cancelled) return;
    const remaining = deadline - clock.now();
    if (remaining <= 0) {
      handle = undefined;
      callback();
      return;
    }
    handle = clock.setTimeout(step, Math.min(remaining, MAX_TIMER_MS));
    if (unref) (handle as { unref?: () => void }).unref?.();
  };
  step();
  return {
    cancel() {
      cancelled = true;
      if (handle !== undefined) clock.clearTimeout(handle);
      handle = undefined;
    },
  };
}

/** setInterval for any period: the next run is scheduled after each one. */
export function setLongInterval(
  callback: () => void,
  ms: number,
  options: LongTimerOptions = {},
): LongTimer {
  let current: LongTimer | undefined;
  let cancelled = false;
  const schedule = () => {
    current = setLongTimeout(
      () => {
        if (cancelled) return;
        schedule();
        callback();
      },
      ms,
      options,
    );
  };
  schedule();
  return {
    cancel() {
      cancelled = true;
      current?.cancel();
    },
  };
}

/** Resolves after `ms` of any length, or early (without throwing) when the signal aborts. */
export function sleepLong(
  ms: number,
  signal?: AbortSignal,
  options: LongTimerOptions = {},
): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || !(ms > 0)) return resolve();
    const done = () => {
      timer.cancel();
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setLongTimeout(done, ms, options);
    signal?.addEventListener("abort", done, { once: true });
  });
}
