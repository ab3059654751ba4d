import { createHash } from "node:crypto";

/** Ids up to this long are kept as they are (a UUID is 36); longer ones as a digest. */
const MAX_KEPT_ID = 64;

/**
 * A fixed-size stand-in for an id: a hostile feed can send megabyte-long ids, and 10 000
 * of them must not hold gigabytes. SHA-256 makes a collision (a false "duplicate") as
 * unlikely as it gets.
 */
export function idKey(id: string): string {
  return id.length <= MAX_KEPT_ID ? id : `#${createHash("sha256").update(id).digest("base64")}`;
}

/**
 * Remembers the last `capacity` event ids: reconnects and renewal overlaps can deliver an
 * event twice, and output must never repeat one. Memory stays bounded. A ring of ids
 * says which one to forget next: asking a Set for its oldest entry gets slower and
 * slower as deleted slots pile up at the front of V8's hash table.
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  private readonly ring: string[];
  private next = 0;

  constructor(private readonly capacity = 10_000) {
    this.ring = new Array<string>(capacity);
  }

  /** True if the id was seen recently; otherwise remembers it and returns false. */
  seen(rawId: string): boolean {
    const id = idKey(rawId);
    if (this.ids.has(id)) return true;
    const forgotten = this.ring[this.next];
    if (forgotten !== undefined) this.ids.delete(forgotten);
    this.ring[this.next] = id;
    this.next = (this.next + 1) % this.capacity;
    this.ids.add(id);
    return false;
  }

  get size(): number {
    return this.ids.size;
  }
}
