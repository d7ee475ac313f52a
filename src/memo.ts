/**
 * A value kept in a map of at most `max` entries: `make()` runs on a miss,
 * and the oldest entry (the first inserted) makes room. The per-process
 * memos keyed by what requests repeat (documents, costs, callers, calls)
 * all keep their values this way.
 */
export function kept<K, V>(map: Map<K, V>, key: K, max: number, make: () => V): V {
  const value = map.get(key);
  if (value !== undefined) return value;
  const made = make();
  if (map.size >= max) map.delete(map.keys().next().value!);
  map.set(key, made);
  return made;
}

/**
 * A memo bounded by its count and by the total weight of its values (a
 * parsed document weighs its text's length: its syntax tree holds about
 * 25 times that): the oldest go first, and a value heavier than the whole
 * budget is made and not kept.
 */
export class WeighedMemo<K, V> {
  private readonly entries = new Map<K, { value: V; weight: number }>();
  private total = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxWeight: number,
  ) {}

  get(key: K, weight: number, make: () => V): V {
    const hit = this.entries.get(key);
    if (hit) return hit.value;
    const value = make();
    if (weight > this.maxWeight) return value;
    for (const [oldKey, old] of this.entries) {
      if (this.entries.size < this.maxEntries && this.total + weight <= this.maxWeight) break;
      this.entries.delete(oldKey);
      this.total -= old.weight;
    }
    this.entries.set(key, { value, weight });
    this.total += weight;
    return value;
  }
}
