/** RunWhere compiled to W&B's filter JSON: the clauses each field gives, and how where and filters combine. */
import { describe, expect, it } from '@jest/globals';
import { bothFilters, runWhereFilter } from '../../../src/wandb/runWhere.js';

describe('runWhereFilter', () => {
  it('gives one clause per field, joined with $and', () => {
    expect(runWhereFilter({ state: 'RUNNING' })).toEqual({ state: 'running' });
    expect(
      runWhereFilter({
        stateIn: ['FAILED', 'CRASHED'],
        tagsAny: ['a', 'b'],
        tagsAll: ['x', 'y'],
        displayNameContains: 'run.1+',
        createdAfter: '2026-01-02T03:04:05.678Z',
        config: [{ key: 'lr', gt: 0.001, lte: 0.1 }],
        summary: [{ key: 'val/acc', exists: true, ne: null }],
      }),
    ).toEqual({
      $and: [
        { state: { $in: ['failed', 'crashed'] } },
        { tags: { $in: ['a', 'b'] } },
        { tags: { $in: ['x'] } },
        { tags: { $in: ['y'] } },
        { display_name: { $regex: 'run\\.1\\+' } },
        { createdAt: { $gte: '2026-01-02T03:04:05' } },
        { 'config.lr.value': { $gt: 0.001, $lte: 0.1 } },
        { 'summary_metrics.val/acc': { $ne: null, $exists: true } },
      ],
    });
    expect(runWhereFilter({})).toBeNull();
    expect(runWhereFilter(null)).toBeNull();
  });

  it('combines with filters by $and, and leaves either alone when the other is absent', () => {
    const where = { state: 'finished' };
    expect(bothFilters({ tags: { $in: ['a'] } }, where)).toEqual({ $and: [{ tags: { $in: ['a'] } }, where] });
    expect(bothFilters(null, where)).toBe(where);
    expect(bothFilters({ group: 'g' }, null)).toEqual({ group: 'g' });
  });

  it('refuses empty lists, long texts, bad keys, conditions without a comparison and non-scalar values', () => {
    for (const bad of [
      { tagsAny: [] },
      { runIdIn: Array.from({ length: 101 }, (_, i) => `r${i}`) },
      { displayName: '' },
      { group: 'g'.repeat(257) },
      { config: [{ key: '$x', eq: 1 }] },
      { summary: [{ key: 'loss' }] },
      { config: [{ key: 'lr', eq: [1] }] },
      { config: [{ key: 'lr', in: [{ a: 1 }] }] },
      { createdBefore: 'not a date' },
      { summary: Array.from({ length: 51 }, () => ({ key: 'loss', gt: 0 })) },
    ]) {
      expect(() => runWhereFilter(bad as never)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
    }
  });
});
