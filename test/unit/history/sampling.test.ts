import { describe, expect, it } from '@jest/globals';
import { sampleTargets } from '../../../src/history/sampling.js';

describe('sampleTargets', () => {
  it('spreads targets evenly and keeps both ends', () => {
    expect(sampleTargets(0, 100, 5)).toEqual([0, 25, 50, 75, 100]);
    expect(sampleTargets(10, 19, 2)).toEqual([10, 19]);
  });

  it('never returns more than samples, nor duplicates when the range is short', () => {
    expect(sampleTargets(0, 3, 10)).toEqual([0, 1, 2, 3]);
    for (const samples of [1, 2, 7, 500]) {
      const t = sampleTargets(0, 999_999, samples);
      expect(t.length).toBeLessThanOrEqual(samples);
      expect(new Set(t).size).toBe(t.length);
      expect([...t].sort((a, b) => a - b)).toEqual(t);
    }
  });

  it('handles degenerate input', () => {
    expect(sampleTargets(5, 5, 3)).toEqual([5]);
    expect(sampleTargets(5, 4, 3)).toEqual([]);
    expect(sampleTargets(0, 10, 0)).toEqual([]);
    expect(sampleTargets(0, 10, 1)).toEqual([0]);
  });
});
