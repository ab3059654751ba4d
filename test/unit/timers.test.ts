import { describe, expect, it } from "vitest";
import {
  MAX_TIMER_MS,
  setLongInterval,
  setLongTimeout,
  sleepLong,
  type TimerClock,
} from "../../src/util/timers.js";

const DAY = 86_400_000;

/** A clock moved by hand; it records every delay asked of it. */
function manualClock() {
  let now = 0;
  let next = 1;
  const pending = new Map<number, { at: number; callback: () => void }>();
  const delays: number[] = [];
  const clock: TimerClock = {
    now: () => now,
    setTimeout(callback, ms) {
      delays.push(ms);
      const id = next++;
      pending.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  const advance = (ms: number) => {
    const end = now + ms;
    for (;;) {
      const due = [...pending.entries()]
        .filter(([, t]) => t.at <= end)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      now = due[1].at;
      due[1].callback();
    }
    now = end;
  };
  return { clock, advance, delays, pending };
}

describe("setLongTimeout", () => {
  it("waits 30 days in timers Node can hold, and fires once at the end", () => {
    const { clock, advance, delays } = manualClock();
    let fired = 0;
    setLongTimeout(() => fired++, 30 * DAY, { clock });
    advance(30 * DAY - 1);
    expect(fired).toBe(0);
    advance(1);
    expect(fired).toBe(1);
    advance(60 * DAY);
    expect(fired).toBe(1);
    expect(Math.max(...delays)).toBeLessThanOrEqual(MAX_TIMER_MS);
    expect(delays.length).toBeGreaterThan(1);
  });

  it("a short delay is one plain timer; cancel stops a long one", () => {
    const { clock, advance, delays, pending } = manualClock();
    let fired = 0;
    setLongTimeout(() => fired++, 250, { clock });
    expect(delays).toEqual([250]);
    const long = setLongTimeout(() => fired++, 40 * DAY, { clock });
    advance(30 * DAY);
    long.cancel();
    advance(30 * DAY);
    expect(fired).toBe(1);
    expect(pending.size).toBe(0);
  });

  it("with the real clock, 30 days do not fire at once (Node's overflow)", async () => {
    let fired = false;
    const timer = setLongTimeout(() => {
      fired = true;
    }, 30 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 20));
    timer.cancel();
    expect(fired).toBe(false);
  });
});

describe("setLongInterval and sleepLong", () => {
  it("an interval of 26 days runs every 26 days", () => {
    const { clock, advance } = manualClock();
    let runs = 0;
    const interval = setLongInterval(() => runs++, 26 * DAY, { clock });
    advance(26 * DAY * 3 + 1);
    expect(runs).toBe(3);
    interval.cancel();
    advance(100 * DAY);
    expect(runs).toBe(3);
  });

  it("sleepLong resolves after the whole wait, or at once on abort", async () => {
    const { clock, advance } = manualClock();
    let woke = false;
    const sleeping = sleepLong(31 * DAY, undefined, { clock }).then(() => {
      woke = true;
    });
    advance(31 * DAY - 1);
    await Promise.resolve();
    expect(woke).toBe(false);
    advance(1);
    await sleeping;
    expect(woke).toBe(true);
    const controller = new AbortController();
    const aborted = sleepLong(31 * DAY, controller.signal, { clock });
    controller.abort();
    await aborted;
  });
});
