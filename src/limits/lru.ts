/**
 * A Map capped at `max` entries that drops the least recently used first.
 * Every table the limits keep per caller-chosen key (an IP, a client id) is
 * one of these, so a flood of new keys costs bounded memory, never a leak.
 * Map keeps insertion order; a touched entry is re-inserted at the end.
 */
export class LruMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {}

  get size(): number {
    return this.map.size;
  }

  /** The value, marked as just used. */
  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(key: K): void {
    this.map.delete(key);
  }
}
