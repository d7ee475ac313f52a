/** The backward window scan behind history(last, before), against an in-memory W&B history that samples full windows. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { scanHistoryBackward } from '../../../src/history/history.js';
import type { RunField } from '../../../src/wandb/documents.js';

/** Keeps `samples` of `rows`, evenly, as W&B does when a window holds more rows than samples. */
function sample<T>(rows: T[], samples: number): T[] {
  if (rows.length <= samples) return rows;
  return Array.from({ length: samples }, (_, i) => rows[Math.round((i * (rows.length - 1)) / (samples - 1))]);
}

/** A fake upstream with W&B's window semantics (history: [minStep, maxStep); sampledHistory: inclusive maxStep), recording window sizes. */
function upstream(steps: number[], keyed: (step: number) => boolean) {
  const returned: number[] = [];
  const load = async (f: RunField): Promise<unknown> => {
    if (f.kind === 'history') {
      const rows = sample(steps.filter((s) => s >= f.minStep! && s < f.maxStep!), f.samples);
      returned.push(rows.length);
      return rows.map((s) => JSON.stringify({ _step: s, v: s }));
    }
    if (f.kind === 'sampledHistory') {
      const spec = JSON.parse(f.spec);
      const rows = sample(steps.filter((s) => s >= spec.minStep && s <= spec.maxStep && keyed(s)), spec.samples);
      returned.push(rows.length);
      return rows.map((s) => ({ _step: s, k: s }));
    }
    throw new Error(`unexpected ${f.kind}`);
  };
  return { load, returned };
}

/** Every row, read backward `last` at a time from `end` down to `start`, then put in step order. */
async function pageBackward(load: (f: RunField) => Promise<unknown>, keys: string[] | null, start: number, end: number, last: number, density: number) {
  const pages: number[][] = [];
  let before = end;
  for (let i = 0; i < 10_000; i++) {
    const page = await scanHistoryBackward(load, { keys, start, end: before, first: last, density });
    const steps = page.rows.map((r) => r.step);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    pages.unshift(steps);
    if (!page.hasPreviousPage) return pages.flat();
    expect(steps).toHaveLength(last);
    before = steps[0];
  }
  throw new Error('paging does not end');
}

describe('scanHistoryBackward', () => {
  it('returns the last rows of a dense history exactly, with windows no larger than twice the page', async () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => i);
    const { load, returned } = upstream(steps, () => true);
    const page = await scanHistoryBackward(load, { keys: null, start: 0, end: 10_000, first: 100, density: 1 });
    expect(page.rows.map((r) => r.step)).toEqual(steps.slice(-100));
    expect(page.hasPreviousPage).toBe(true);
    expect(Math.max(...returned)).toBeLessThanOrEqual(2 * 101);
  });

  it('pages backward over any history, keys and density estimate, every row once', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 400 }),
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom<string[] | null>(null, ['k']),
        fc.double({ min: 1e-4, max: 4, noNaN: true }),
        fc.integer({ min: 2, max: 7 }),
        fc.integer({ min: 0, max: 300 }),
        async (raw, last, keys, density, every, start) => {
          const steps = [...raw].sort((a, b) => a - b);
          const keyed = (s: number) => s % every === 0;
          const { load, returned } = upstream(steps, keyed);
          const expected = steps.filter((s) => s >= start && (keys === null || keyed(s)));
          expect(await pageBackward(load, keys, start, 5001, last, density)).toEqual(expected);
          expect(Math.max(0, ...returned)).toBeLessThanOrEqual(2 * (last + 1));
        },
      ),
      { numRuns: 150 },
    );
  });
});
