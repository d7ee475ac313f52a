/**
 * Deterministic, even sampling of ordered positions. Given the first and last
 * position of a range and a sample count, returns the target positions to
 * seek: evenly spaced, always including both ends, at most `samples` of them,
 * ascending and distinct. W&B's own server samples randomly; a fixed spread
 * makes the same request return the same rows and keeps the range's ends.
 */
export function sampleTargets(first: number, last: number, samples: number): number[] {
  if (samples <= 0 || last < first) return [];
  if (samples === 1) return [first];
  const span = last - first;
  const targets: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = first + Math.round((i * span) / (samples - 1));
    if (targets.length === 0 || t > targets[targets.length - 1]) targets.push(t);
  }
  return targets;
}
