/** A small seeded PRNG (sfc32): the same seed gives the same fleet and the same scans. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /**
   * One 32-bit seed gives 2^32 streams: enough for a fleet, too few for one stream per
   * event (a day of history would repeat streams, and event ids with them), so events
   * pass two more words.
   */
  constructor(seed: number, seed2 = 0, seed3 = 0) {
    this.a = (0x9e3779b9 ^ seed2) >>> 0;
    this.b = (0x243f6a88 ^ seed3) >>> 0;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  weighted<T>(items: ReadonlyArray<readonly [T, number]>): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  digits(n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String(Math.floor(this.next() * 10));
    return s;
  }

  /** Exponential inter-arrival time for a Poisson process with this rate (per ms). */
  exponential(ratePerMs: number): number {
    return -Math.log(1 - this.next()) / ratePerMs;
  }

  /** Log-normal, for latencies: most small, a long tail. */
  logNormal(median: number, sigma: number): number {
    const u = 1 - this.next();
    const v = this.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return median * Math.exp(sigma * z);
  }

  uuid(): string {
    const hex = () => Math.floor(this.next() * 16).toString(16);
    let s = "";
    for (let i = 0; i < 32; i++) s += hex();
    const variant = "89ab"[Math.floor(this.next() * 4)];
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20, 32)}`;
  }
}

/** murmur3's finaliser: spreads every input bit over the 32-bit result. */
export function mix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Low and high 32 bits of a non-negative integer up to 2^53 (an epoch time in ms). */
export function split53(n: number): [number, number] {
  return [n >>> 0, Math.floor(n / 4294967296) >>> 0];
}
