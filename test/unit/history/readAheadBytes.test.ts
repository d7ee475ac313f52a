/** How the read-ahead cache weighs what it keeps (bytesOf): by its strings and items, with a bound on depth. */
import { describe, expect, it } from '@jest/globals';
import { bytesOf } from '../../../src/history/readAhead.js';
import { maxUpstreamJsonDepth } from '../../../src/wandb/trust.js';

describe('bytesOf', () => {
  it("weighs a window's row texts by their length, not by their escaped JSON", () => {
    const rows = Array.from({ length: 1000 }, (_, step) => `{"_step":${step},"loss":0.5}`);
    const text = rows.reduce((n, r) => n + r.length, 0);
    expect(bytesOf(rows)).toBe(8 + text + 8 * rows.length);
  });

  it('counts keys, scalars and nested values', () => {
    expect(bytesOf('abc')).toBe(3);
    expect(bytesOf(1.5)).toBe(8);
    expect(bytesOf(null)).toBe(8);
    // 8 for the object; per entry 8, the key, the value.
    expect(bytesOf({ id: 'run1', n: 2 })).toBe(8 + (8 + 2 + 4) + (8 + 1 + 8));
    expect(bytesOf({ a: [1, { b: 'cc' }] })).toBe(8 + 8 + 1 + (8 + (8 + 8) + (8 + (8 + (8 + 1 + 2)))));
  });

  it('gives Infinity (never kept) for a cycle or a value deeper than W&B answers are allowed', () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    expect(bytesOf(cycle)).toBe(Infinity);
    let deep: unknown = 'leaf';
    for (let i = 0; i < maxUpstreamJsonDepth + 20; i++) deep = [deep];
    expect(bytesOf(deep)).toBe(Infinity);
    let allowed: unknown = 'leaf';
    for (let i = 0; i < maxUpstreamJsonDepth; i++) allowed = [allowed];
    expect(bytesOf(allowed)).toBeLessThan(Infinity);
  });
});
