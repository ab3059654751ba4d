/**
 * The ids of the events written recently, by event time: a gap fill after a reconnect
 * fetches from the last event received less a minute, so every id written in that minute
 * must still be known when the fill arrives, however long the outage lasted.
 *
 * Bound: an id is forgotten once the newest event time seen is `horizonMs` past its own
 * time (the reference never runs ahead of the wall clock, so one event with a device
 * clock in the future cannot flush everything), and never more than `capacity` ids are
 * kept (oldest forgotten first). Nothing is forgotten while no events arrive, so an
 * outage of any length keeps what the fill needs. Memory: about 100 bytes per id, 10 MB
 * at the default capacity; the default covers 100 000 ids within 3 minutes, i.e. rates up
 * to about 550 events/s with no chance of a repeat. Above that the oldest ids go first,
 * and only an event more than capacity/rate seconds old could be written twice.
 */
export class SeenWindow {
  /** Never holds undefined (an event without an id is not kept), so has(undefined) is false. */
  private readonly ids = new Set<string | undefined>();
  private readonly ringIds: string[];
  private readonly ringTimes: Float64Array;
  private head = 0;
  private count = 0;
  private newest = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly options: {
      horizonMs?: number;
      capacity?: number;
      now?: () => number;
    } = {},
  ) {
    const capacity = options.capacity ?? 100_000;
    this.ringIds = new Array<string>(capacity);
    this.ringTimes = new Float64Array(capacity);
  }

  /**
   * True when `id` was already written; otherwise remembers it with its time and returns
   * false. An event without an id can never be recognised and is always new.
   */
  seen(id: string | undefined, time: number | undefined): boolean {
    if (id === undefined) return false;
    if (this.ids.has(id)) return true;
    const now = (this.options.now ?? Date.now)();
    const at = Number.isFinite(time) ? Math.min(time as number, now) : now;
    if (at > this.newest) this.newest = at;
    this.forget(this.newest - (this.options.horizonMs ?? 3 * 60_000));
    const capacity = this.ringIds.length;
    if (this.count === capacity) this.dropOldest();
    const slot = (this.head + this.count) % capacity;
    this.ringIds[slot] = id;
    this.ringTimes[slot] = at;
    this.count++;
    this.ids.add(id);
    return false;
  }

  /** Has the id been written (without remembering it)? */
  has(id: string | undefined): boolean {
    return this.ids.has(id);
  }

  get size(): number {
    return this.ids.size;
  }

  /** Entries are in insertion order, which is time order give or take latency: stop at the first young one. */
  private forget(cutoff: number): void {
    while (this.count > 0 && this.ringTimes[this.head]! < cutoff) this.dropOldest();
  }

  private dropOldest(): void {
    // Called only while count > 0: the slot at head holds an id.
    this.ids.delete(this.ringIds[this.head]);
    this.ringIds[this.head] = undefined as unknown as string;
    this.head = (this.head + 1) % this.ringIds.length;
    this.count--;
  }
}
