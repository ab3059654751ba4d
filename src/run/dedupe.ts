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
  seen(id: string): boolean {
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
