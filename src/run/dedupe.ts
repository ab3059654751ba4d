/**
 * Remembers the last `capacity` event ids: reconnects and renewal overlaps can deliver an
 * event twice, and output must never repeat one. Memory stays bounded (a Set keeps
 * insertion order, so the oldest id is the first one).
 */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 10_000) {}

  /** True if the id was seen recently; otherwise remembers it and returns false. */
  seen(id: string): boolean {
    if (this.ids.has(id)) return true;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value as string;
      this.ids.delete(oldest);
    }
    return false;
  }

  get size(): number {
    return this.ids.size;
  }
}
