/**
 * Query.runs(where: RunWhere) over real HTTP on the demo data: each field
 * selects the runs it says (checked against every run of the project read
 * without a filter), `where` with `filters` must both hold, and bad input
 * is BAD_USER_INPUT before any upstream request.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, upstreamRequests, type Stack } from '../../helpers/stack.js';

const RUNS = `query R($where: RunWhere, $filters: JSON) {
  runs(entity: "acme-ml", project: "image-classification", first: 1000, where: $where, filters: $filters) {
    totalCount nodes { runId } } }`;

interface RunInfo {
  runId: string;
  displayName: string;
  state: string;
  tags: string[];
  group: string | null;
  jobType: string | null;
  createdAt: string;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
}

describe('Query.runs(where)', () => {
  let stack: Stack;
  let query: ReturnType<typeof subgraphClient>;
  let all: RunInfo[];

  async function ids(where: unknown, filters?: unknown): Promise<string[]> {
    const res = await query(RUNS, { where, filters });
    expect(res.errors).toBeUndefined();
    expect(res.data.runs.totalCount).toBe(res.data.runs.nodes.length);
    return res.data.runs.nodes.map((n: any) => n.runId).sort();
  }
  const expected = (keep: (r: RunInfo) => boolean) => all.filter(keep).map((r) => r.runId).sort();

  beforeAll(async () => {
    stack = await startStack();
    query = subgraphClient(stack);
    const res = await query(`{ runs(entity: "acme-ml", project: "image-classification", first: 1000) { nodes { runId displayName state tags group jobType createdAt config summary } } }`);
    all = res.data.runs.nodes;
    expect(all.length).toBeGreaterThan(50);
  }, 60_000);
  afterAll(() => stack.close());

  it('state, stateIn, tagsAny and tagsAll select the runs they name', async () => {
    const running = expected((r) => r.state === 'RUNNING');
    expect(running.length).toBeGreaterThan(0);
    expect(await ids({ state: 'RUNNING' })).toEqual(running);
    expect(await ids({ stateIn: ['FAILED', 'CRASHED'] })).toEqual(expected((r) => r.state === 'FAILED' || r.state === 'CRASHED'));
    const anyTags = expected((r) => r.tags.includes('baseline') || r.tags.includes('debug'));
    expect(anyTags.length).toBeGreaterThan(0);
    expect(await ids({ tagsAny: ['baseline', 'debug'] })).toEqual(anyTags);
    expect(await ids({ tagsAll: ['baseline', 'debug'] })).toEqual(expected((r) => r.tags.includes('baseline') && r.tags.includes('debug')));
  });

  it('displayName, displayNameContains (taken literally), runIdIn and createdAt bounds', async () => {
    const one = all[7];
    expect(await ids({ displayName: one.displayName })).toEqual([one.runId]);
    expect(await ids({ displayNameContains: '-1' })).toEqual(expected((r) => r.displayName.includes('-1')));
    // Regex characters are literal: no run has a "." in its name.
    expect(await ids({ displayNameContains: '.' })).toEqual(expected((r) => r.displayName.includes('.')));
    expect(await ids({ runIdIn: [all[0].runId, all[1].runId, 'nosuchrun'] })).toEqual([all[0].runId, all[1].runId].sort());
    const times = all.map((r) => r.createdAt).sort();
    const from = times[20];
    const to = times[40];
    expect(await ids({ createdAfter: from, createdBefore: to })).toEqual(expected((r) => r.createdAt >= from && r.createdAt < to));
  });

  it('config and summary conditions compare values, all of which must hold', async () => {
    const accs = all.map((r) => r.summary['val/acc']).filter((v): v is number => typeof v === 'number').sort((a, b) => a - b);
    const median = accs[Math.floor(accs.length / 2)];
    const withBoth = expected((r) => typeof r.summary['val/acc'] === 'number' && (r.summary['val/acc'] as number) >= median && r.config.optimizer === 'adamw');
    expect(withBoth.length).toBeGreaterThan(0);
    expect(await ids({ summary: [{ key: 'val/acc', gte: median }], config: [{ key: 'optimizer', eq: 'adamw' }] })).toEqual(withBoth);
    expect(await ids({ config: [{ key: 'batch_size', in: [64, 128] }] })).toEqual(expected((r) => r.config.batch_size === 64 || r.config.batch_size === 128));
    expect(await ids({ config: [{ key: 'lr', gt: 0.001, lte: 0.01 }] })).toEqual(
      expected((r) => typeof r.config.lr === 'number' && (r.config.lr as number) > 0.001 && (r.config.lr as number) <= 0.01),
    );
    expect(await ids({ config: [{ key: 'optimizer', exists: false }] })).toEqual(expected((r) => !('optimizer' in r.config)));
  });

  it('where with filters: a run must match both; where gives the same runs as the equivalent filters', async () => {
    const both = await ids({ state: 'FINISHED' }, { tags: { $in: ['baseline'] } });
    expect(both).toEqual(expected((r) => r.state === 'FINISHED' && r.tags.includes('baseline')));
    const below = await ids({ summary: [{ key: 'val/acc', lt: 0.5 }] });
    expect(below.length).toBeGreaterThan(0);
    expect(below).toEqual(await ids(undefined, { 'summary_metrics.val/acc': { $lt: 0.5 } }));
    expect(await ids({})).toEqual(expected(() => true));
  });

  it('refuses bad input with BAD_USER_INPUT before asking W&B', async () => {
    const bad = [
      { summary: [{ key: 'val/acc' }] },
      { config: [{ key: '$where', eq: 1 }] },
      { config: [{ key: '', eq: 1 }] },
      { tagsAny: [] },
      { tagsAny: Array.from({ length: 101 }, (_, i) => `t${i}`) },
      { displayNameContains: 'x'.repeat(101) },
      { createdAfter: 'yesterday' },
      { config: [{ key: 'lr', eq: { $gt: 0 } }] },
      { config: [{ key: 'lr', in: [[1]] }] },
      { state: 'SLEEPING' },
    ];
    for (const where of bad) {
      const { count } = await upstreamRequests(stack, async () => {
        const res = await query(RUNS, { where });
        expect(res.status).toBeLessThan(500);
        expect((res.errors ?? []).map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      });
      expect(count).toBe(0);
    }
  });
});
