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
