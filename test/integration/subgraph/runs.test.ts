/**
 * Query.runs over real HTTP: counts, pages, cursors, orders, filters,
 * errors, histories and sweeps, against runs written for these tests
 * through the W&B protocol on the emulator (and a few seeded facts that
 * emulator/src/seed.ts fixes).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, upstreamRequests, type Response, type Stack } from '../../helpers/stack.js';
import { wandbClient } from '../../../emulator/test/helpers/emulator.js';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../../emulator/src/seed.js';
import { createSweep } from '../../../emulator/src/store/sweeps.js';

const E = 'demo';
const P = 'subgraph-runs';
const HP = 'subgraph-histories';
const SP = 'subgraph-sweeps';

const UPSERT = `mutation U($entity: String, $project: String, $name: String, $displayName: String, $tags: [String],
  $config: JSONString, $summary: JSONString, $sweep: String, $state: String) {
  upsertBucket(input: {entityName: $entity, modelName: $project, name: $name, displayName: $displayName, tags: $tags,
    config: $config, summaryMetrics: $summary, sweep: $sweep, state: $state}) { inserted } }`;

interface Planned {
  name: string;
  displayName: string;
  state: string;
  tags: string[];
  config: { lr: number; batch: number; opt: string };
  summary: { loss: number; acc: number };
}

const NATO = ['delta', 'alpha', 'kilo', 'bravo', 'juliet', 'charlie', 'india', 'echo', 'hotel', 'foxtrot', 'golf', 'lima'];
const LRS = [0.05, 0.001, 0.02, 0.003, 0.1, 0.0005, 0.008, 0.04, 0.0002, 0.07, 0.006, 0.01];
const LOSSES = [0.9, 0.3, 0.75, 0.1, 0.55, 0.42, 0.66, 0.05, 0.2, 0.88, 0.35, 0.61];
const STATES = ['finished', 'crashed', 'running', 'failed'];

/** The runs of project P, in creation order. */
const RUNS: Planned[] = NATO.map((word, i) => ({
  name: `rn${String(i).padStart(2, '0')}`,
  displayName: `${word}-${i}`,
  state: STATES[i % 4],
  tags: i % 3 === 0 ? ['a'] : i % 3 === 1 ? ['b', 'c'] : [],
  config: { lr: LRS[i], batch: i % 2 ? 64 : 32, opt: i % 2 ? 'adam' : 'sgd' },
  summary: { loss: LOSSES[i], acc: Math.round((1 - LOSSES[i]) * 1000) / 1000 },
}));
const names = (runs: Planned[]) => runs.map((r) => r.name);
const byAsc = <T>(key: (r: Planned) => T) => (a: Planned, b: Planned) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

const PAGE = `query Runs($entity: String!, $project: String!, $filters: JSON, $order: String, $first: Int, $after: String) {
  runs(entity: $entity, project: $project, filters: $filters, order: $order, first: $first, after: $after) {
    totalCount
    nodes { runId }
    edges { cursor node { runId } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  } }`;

describe('Query.runs', () => {
  let stack: Stack;
  let query: ReturnType<typeof subgraphClient>;
  let wandb: ReturnType<typeof wandbClient>;

  async function upsert(project: string, fields: Record<string, unknown>) {
    const res = await wandb.gql(UPSERT, { entity: E, project, ...fields });
    expect(res.errors).toBeUndefined();
  }
  async function page(vars: Record<string, unknown>): Promise<any> {
    const res = await query(PAGE, { entity: E, project: P, ...vars });
    expect(res.errors).toBeUndefined();
    const c = res.data.runs;
    // nodes and edges always agree, and the page info matches the edges.
    expect(c.edges.map((e: any) => e.node.runId)).toEqual(c.nodes.map((n: any) => n.runId));
    expect(c.pageInfo.startCursor).toBe(c.edges[0]?.cursor ?? null);
    expect(c.pageInfo.endCursor).toBe(c.edges[c.edges.length - 1]?.cursor ?? null);
    return c;
  }
  /** Every run id over all pages of `first`, checking hasNextPage/hasPreviousPage and totalCount on the way. */
  async function all(vars: Record<string, unknown>, first: number): Promise<string[]> {
    const seen: string[] = [];
    let after: string | null = null;
    for (let i = 0; i < 100; i++) {
      const c = await page({ ...vars, first, after });
      expect(c.pageInfo.hasPreviousPage).toBe(after !== null);
      seen.push(...c.nodes.map((n: any) => n.runId));
      expect(seen.length).toBeLessThanOrEqual(c.totalCount);
      expect(c.pageInfo.hasNextPage).toBe(seen.length < c.totalCount);
      if (!c.pageInfo.hasNextPage) return seen;
      expect(c.nodes).toHaveLength(first);
      after = c.pageInfo.endCursor;
    }
    throw new Error('paging does not end');
  }
  const codes = (res: Response) => (res.errors ?? []).map((e) => e.extensions?.code);

  beforeAll(async () => {
    stack = await startStack();
    query = subgraphClient(stack);
    wandb = wandbClient(stack.emulator, DEMO_API_KEY);
    for (const r of RUNS) {
      const config = Object.fromEntries(Object.entries(r.config).map(([k, v]) => [k, { value: v, desc: null }]));
      await upsert(P, { name: r.name, displayName: r.displayName, state: r.state, tags: r.tags, config: JSON.stringify(config), summary: JSON.stringify(r.summary) });
    }
  }, 60_000);
  afterAll(() => stack.close());

  describe('pages and cursors', () => {
    it('Query.runs counts every matching run and returns the first page with page info', async () => {
      const c = await page({ first: 5 });
      expect(c.totalCount).toBe(RUNS.length);
      expect(c.nodes.map((n: any) => n.runId)).toEqual(names(RUNS.slice(0, 5)));
      expect(c.pageInfo.hasNextPage).toBe(true);
      expect(c.pageInfo.hasPreviousPage).toBe(false);
      expect(typeof c.pageInfo.endCursor).toBe('string');
    });

    it('Query.runs pages with after through every run exactly once, in creation order', async () => {
      const seen = await all({}, 5);
      expect(seen).toEqual(names(RUNS));
      expect(new Set(seen).size).toBe(RUNS.length);
    });

    it('Query.runs orders by +created_at when no order is given', async () => {
      const implicit = await page({ first: 50 });
      const explicit = await page({ first: 50, order: '+created_at' });
      expect(implicit.nodes).toEqual(explicit.nodes);
      expect(implicit.nodes.map((n: any) => n.runId)).toEqual(names(RUNS));
    });

    it('Query.runs returns an empty page with null cursors when nothing matches', async () => {
      const c = await page({ filters: { state: 'killed' } });
      expect(c).toEqual({ totalCount: 0, nodes: [], edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
    });

    it('Query.runs with first: 1000 returns the whole project on one page', async () => {
      const c = await page({ first: 1000 });
      expect(c.nodes).toHaveLength(RUNS.length);
      expect(c.pageInfo.hasNextPage).toBe(false);
    });

    it('the seeded image-classification project has 103 runs (seed.ts), all reachable by paging', async () => {
      const seen = await all({ project: 'image-classification', entity: 'acme-ml' }, 40);
      expect(seen).toHaveLength(103);
      expect(new Set(seen).size).toBe(103);
    });
  });

  describe('order', () => {
    it.each<[string, (a: Planned, b: Planned) => number]>([
      ['+created_at', () => 0],
      ['-created_at', () => 0],
      ['-summary_metrics.loss', (a, b) => b.summary.loss - a.summary.loss],
      ['+summary_metrics.acc', byAsc((r) => r.summary.acc)],
      ['+config.lr.value', byAsc((r) => r.config.lr)],
      ['-config.lr.value', (a, b) => b.config.lr - a.config.lr],
      ['+display_name', byAsc((r) => r.displayName)],
      ['-display_name', (a, b) => byAsc((r) => r.displayName)(b, a)],
    ])('Query.runs(order: %p) sorts the runs', async (order, compare) => {
      let expected = [...RUNS].sort(compare);
      if (order === '-created_at') expected = [...RUNS].reverse();
      const c = await page({ order, first: 50 });
      expect(c.nodes.map((n: any) => n.runId)).toEqual(names(expected));
    });

    it('Query.runs(order: "±heartbeat_at") sorts by the last heartbeat', async () => {
      const HB = 'subgraph-heartbeats';
      for (const name of ['hb0', 'hb1', 'hb2']) await upsert(HB, { name });
      // Heartbeats are whole seconds: beat hb1, then hb0, a second apart.
      for (const name of ['hb1', 'hb0']) {
        await new Promise((r) => setTimeout(r, 1100));
        expect((await wandb.filestream(`${E}/${HB}/${name}`, { files: {} })).status).toBe(200);
      }
      const res = await query(`{ asc: runs(entity: "${E}", project: "${HB}", order: "+heartbeat_at") { nodes { runId heartbeatAt } }
        desc: runs(entity: "${E}", project: "${HB}", order: "-heartbeat_at") { nodes { runId } } }`);
      expect(res.errors).toBeUndefined();
      expect(res.data.asc.nodes.map((n: any) => n.runId)).toEqual(['hb2', 'hb1', 'hb0']);
      expect(res.data.desc.nodes.map((n: any) => n.runId)).toEqual(['hb0', 'hb1', 'hb2']);
      const beats = res.data.asc.nodes.map((n: any) => Date.parse(n.heartbeatAt));
      expect(beats[0]).toBeLessThan(beats[1]);
      expect(beats[1]).toBeLessThan(beats[2]);
    }, 10_000);

    it.each(['-summary_metrics.loss', '+config.lr.value', '+display_name', '-created_at'])('paging under order %p returns the same sequence as one page', async (order) => {
      const whole = (await page({ order, first: 50 })).nodes.map((n: any) => n.runId);
      expect(await all({ order }, 5)).toEqual(whole);
    });
  });

  describe('filters', () => {
    it.each<[string, unknown, (r: Planned) => boolean]>([
      ['state', { state: 'finished' }, (r) => r.state === 'finished'],
      ['state $in', { state: { $in: ['crashed', 'failed'] } }, (r) => r.state === 'crashed' || r.state === 'failed'],
      ['tags $in', { tags: { $in: ['b'] } }, (r) => r.tags.includes('b')],
      ['config.x', { 'config.opt': 'adam' }, (r) => r.config.opt === 'adam'],
      ['config.x.value', { 'config.opt.value': 'adam' }, (r) => r.config.opt === 'adam'],
      ['config.x $gte', { 'config.lr': { $gte: 0.01 } }, (r) => r.config.lr >= 0.01],
      ['summary_metrics $gt', { 'summary_metrics.loss': { $gt: 0.5 } }, (r) => r.summary.loss > 0.5],
      ['$or', { $or: [{ state: 'crashed' }, { tags: { $in: ['a'] } }] }, (r) => r.state === 'crashed' || r.tags.includes('a')],
      ['$and', { $and: [{ 'config.batch': 64 }, { 'summary_metrics.loss': { $lt: 0.5 } }] }, (r) => r.config.batch === 64 && r.summary.loss < 0.5],
      ['display_name $regex', { display_name: { $regex: '^(alpha|bravo|charlie)-' } }, (r) => /^(alpha|bravo|charlie)-/.test(r.displayName)],
      ['displayName $regex', { displayName: { $regex: 'o-\\d+$' } }, (r) => /o-\d+$/.test(r.displayName)],
      ['$nor', { $nor: [{ state: 'running' }, { tags: { $in: ['c'] } }] }, (r) => r.state !== 'running' && !r.tags.includes('c')],
    ])('Query.runs filters by %s', async (_label, filters, predicate) => {
      const expected = names(RUNS.filter(predicate));
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(RUNS.length);
      const c = await page({ filters, first: 50 });
      expect(c.totalCount).toBe(expected.length);
      expect(c.nodes.map((n: any) => n.runId)).toEqual(expected);
    });

    it('Query.runs filters by name $in and by username', async () => {
      const some = await page({ filters: { name: { $in: ['rn07', 'rn02', 'nosuch'] } } });
      expect(some.nodes.map((n: any) => n.runId)).toEqual(['rn02', 'rn07']);
      expect(some.totalCount).toBe(2);
      expect((await page({ filters: { username: 'demo' }, first: 50 })).totalCount).toBe(RUNS.length);
      expect((await page({ filters: { username: 'other' } })).totalCount).toBe(0);
    });

    it('Query.runs filters by createdAt against the createdAt the runs report', async () => {
      const vars = { entity: 'acme-ml', project: 'image-classification' };
      const res = await query('query Q($e: String!, $p: String!) { runs(entity: $e, project: $p, first: 200) { nodes { runId createdAt } } }', { e: vars.entity, p: vars.project });
      expect(res.errors).toBeUndefined();
      const runs: { runId: string; createdAt: string }[] = res.data.runs.nodes;
      expect(runs).toHaveLength(103);
      const pivot = runs[60].createdAt;
      const expected = runs.filter((r) => Date.parse(r.createdAt) >= Date.parse(pivot)).map((r) => r.runId);
      expect(expected.length).toBeGreaterThan(10);
      const c = await page({ ...vars, filters: { createdAt: { $gte: pivot } }, first: 200 });
      expect(c.totalCount).toBe(expected.length);
      expect(c.nodes.map((n: any) => n.runId)).toEqual(expected);
    });

    it('Query.runs pages a filtered, ordered result with totalCount of the filter', async () => {
      const filters = { state: { $in: ['finished', 'crashed'] } };
      const expected = names(RUNS.filter((r) => r.state === 'finished' || r.state === 'crashed').sort((a, b) => b.summary.loss - a.summary.loss));
      expect(await all({ filters, order: '-summary_metrics.loss' }, 2)).toEqual(expected);
    });
  });

  describe('errors', () => {
    it.each<[string, Record<string, unknown>]>([
      ['an unknown operator on a key', { filters: { state: { $foo: 'finished' } } }],
      ['an unknown top-level operator', { filters: { $where: 'true' } }],
      ['an unknown key', { filters: { color: 'red' } }],
      ['a bare tags list', { filters: { tags: ['a'] } }],
      ['a filter that is not an object', { filters: ['state'] }],
      ['an empty $or', { filters: { $or: [] } }],
      ['an unknown order key', { order: '+color' }],
      ['an order without direction', { order: 'created_at' }],
      ['an order on several keys', { order: '+created_at,-display_name' }],
      ['a config order without .value', { order: '-config.lr' }],
      ['first 0', { first: 0 }],
      ['first 1001', { first: 1001 }],
      ['first -1', { first: -1 }],
      ['a garbage cursor', { after: 'garbage!' }],
      ['a cursor of another connection', { after: Buffer.from('v1:files:["x"]').toString('base64') }],
      ['a runs cursor W&B did not issue', { after: Buffer.from('v1:runs:not json').toString('base64') }],
      ['an empty entity', { entity: '' }],
    ])('Query.runs is BAD_USER_INPUT for %s', async (_label, vars) => {
      const res = await query(PAGE, { entity: E, project: P, ...vars });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.data?.runs ?? null).toBeNull();
    });

    it('Query.runs is BAD_USER_INPUT for a cursor issued under another order', async () => {
      const first = await page({ order: '-summary_metrics.loss', first: 3 });
      const res = await query(PAGE, { entity: E, project: P, order: '+created_at', first: 3, after: first.pageInfo.endCursor });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    });
  });

  describe('visibility', () => {
    it("Query.runs over another user's project is an empty page, as for a project that does not exist", async () => {
      for (const [entity, project] of [
        ['other', 'private-experiments'],
        [E, 'no-such-project'],
      ]) {
        const c = await page({ entity, project });
        expect(c).toEqual({ totalCount: 0, nodes: [], edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
      }
      // The owner sees its 3 seeded runs (seed.ts: seedSmall(priv, ['finished', 'finished', 'failed'])).
      const owner = await subgraphClient(stack, OTHER_API_KEY)(PAGE, { entity: 'other', project: 'private-experiments' });
      expect(owner.errors).toBeUndefined();
      expect(owner.data.runs.totalCount).toBe(3);
      expect(owner.data.runs.nodes).toHaveLength(3);
    });
  });

  describe('histories', () => {
    const logged: Record<string, Record<string, unknown>[]> = {
      hist0: [0, 1, 2, 3, 4].map((s) => ({ _step: s, loss: 1 + s / 10, acc: s / 8 })),
      // Step 1 has no loss: it is not a row of the loss history.
      hist1: [{ _step: 0, loss: 2 }, { _step: 1, acc: 0.5 }, { _step: 2, loss: 1.5 }],
      hist2: [],
    };

    beforeAll(async () => {
      for (const [name, rows] of Object.entries(logged)) {
        await upsert(HP, { name });
        if (rows.length > 0) {
          const res = await wandb.filestream(`${E}/${HP}/${name}`, { files: { 'wandb-history.jsonl': { offset: 0, content: rows.map((r) => JSON.stringify(r)) } } });
          expect(res.status).toBe(200);
        }
      }
    });

    it('RunConnection.histories(keys) returns the rows of every run on the page holding the keys, each with runId', async () => {
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query(`{ runs(entity: "${E}", project: "${HP}") { nodes { runId } histories(keys: ["loss"], samples: 100) } }`);
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.runs.nodes.map((n: any) => n.runId)).toEqual(Object.keys(logged));
      const expected = Object.entries(logged).flatMap(([runId, rows]) => rows.filter((r) => 'loss' in r).map((r) => ({ _step: r._step, loss: r.loss, runId })));
      expect(res.data.runs.histories).toEqual(expected);
      // The page, then every run's history in one batched request.
      expect(count).toBeLessThanOrEqual(2);
    });

    it('RunConnection.histories without keys returns whole rows, each with runId', async () => {
      const res = await query(`{ runs(entity: "${E}", project: "${HP}") { histories } }`);
      expect(res.errors).toBeUndefined();
      const expected = Object.entries(logged).flatMap(([runId, rows]) => rows.map((r) => ({ ...r, runId })));
      expect(res.data.runs.histories).toEqual(expected);
    });

    it('RunConnection.histories is BAD_USER_INPUT for samples out of range', async () => {
      for (const samples of [0, 10_001]) {
        const res = await query(`{ runs(entity: "${E}", project: "${HP}") { histories(keys: ["loss"], samples: ${samples}) } }`);
        expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      }
    });
  });

  describe('sweeps', () => {
    const SWEEP_SELECTION = 'nodes { runId sweep { id name state bestLoss config } }';
    let smallId: number;
    let bigId: number;

    beforeAll(async () => {
      await upsert(SP, { name: 'nosweep0' });
      const projectId = (
        stack.emulator.db.prepare('SELECT p.id FROM projects p JOIN entities e ON e.id = p.entity_id WHERE e.name = ? AND p.name = ?').get(E, SP) as { id: number }
      ).id;
      const sweep = (name: string, bestLoss: number, lr: number[]) =>
        createSweep(stack.emulator.db, {
          project_id: projectId,
          name,
          display_name: null,
          method: 'random',
          state: 'RUNNING',
          description: null,
          best_loss: bestLoss,
          config: JSON.stringify({ method: 'random', parameters: { lr: { values: lr } } }),
          run_count_expected: null,
          created_at: '2026-01-01T00:00:00Z',
        }).id;
      smallId = sweep('swsmall1', 0.5, [0.1, 0.2]);
      bigId = sweep('swbig001', 0.25, [0.01]);
      for (let i = 0; i < 2; i++) await upsert(SP, { name: `small${i}`, sweep: 'swsmall1' });
      for (let i = 0; i < 20; i++) await upsert(SP, { name: `big${String(i).padStart(2, '0')}`, sweep: 'swbig001' });
    });

    async function sweepPage(filters: unknown) {
      let res: any;
      const counted = await upstreamRequests(stack, async () => {
        res = await query(`query Q($f: JSON) { runs(entity: "${E}", project: "${SP}", filters: $f, first: 100) { ${SWEEP_SELECTION} } }`, { f: filters });
      });
      expect(res.errors).toBeUndefined();
      const sweepRequests = stack.emulator.requests.filter((r) => r.query.includes('sweep(sweepName'));
      return { nodes: res.data.runs.nodes, count: counted.count, sweepRequests };
    }

    it('Run.sweep on a page of runs is read with the page: one upstream request, however many runs share the sweep', async () => {
      const small = await sweepPage({ sweep: 'swsmall1' });
      const big = await sweepPage({ sweep: 'swbig001' });
      expect(small.nodes).toHaveLength(2);
      expect(big.nodes).toHaveLength(20);
      const expectedBig = { id: Buffer.from(`Sweep:${bigId}`).toString('base64'), name: 'swbig001', state: 'RUNNING', bestLoss: 0.25, config: { method: 'random', parameters: { lr: { values: [0.01] } } } };
      expect(big.nodes.every((n: any) => JSON.stringify(n.sweep) === JSON.stringify(expectedBig))).toBe(true);
      expect(small.nodes[0].sweep.id).toBe(Buffer.from(`Sweep:${smallId}`).toString('base64'));
      expect(big.count).toBe(small.count);
      expect(big.count).toBe(1);
      expect(big.sweepRequests).toHaveLength(0);
    });

    it('a page mixing two sweeps and runs without one reads both sweeps in the page request', async () => {
      const mixed = await sweepPage(null);
      expect(mixed.nodes).toHaveLength(23);
      const bySweep = new Map<string | null, number>();
      for (const n of mixed.nodes) bySweep.set(n.sweep?.name ?? null, (bySweep.get(n.sweep?.name ?? null) ?? 0) + 1);
      expect(Object.fromEntries(bySweep)).toEqual({ null: 1, swsmall1: 2, swbig001: 20 });
      expect(mixed.sweepRequests).toHaveLength(0);
      expect(mixed.count).toBe(1);
    });

    it("the seeded sweep's 20 runs (seed.ts) share one sweep whose bestLoss is their lowest val/loss", async () => {
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query(
          `query Q($f: JSON) { runs(entity: "acme-ml", project: "image-classification", filters: $f, first: 100) {
            totalCount nodes { summary(keys: ["val/loss"]) config(keys: ["model", "epochs"]) sweep { name state bestLoss config } } } }`,
          { f: { tags: { $in: ['sweep'] } } },
        );
      });
      expect(res.errors).toBeUndefined();
      const nodes = res.data.runs.nodes;
      expect(res.data.runs.totalCount).toBe(20);
      expect(new Set(nodes.map((n: any) => n.sweep.name)).size).toBe(1);
      const sweep = nodes[0].sweep;
      expect(sweep.state).toBe('FINISHED');
      expect(sweep.config.method).toBe('bayes');
      expect(sweep.config.metric).toEqual({ goal: 'minimize', name: 'val/loss' });
      expect(sweep.config.parameters.optimizer).toEqual({ values: ['adam', 'sgd', 'adamw'] });
      expect(sweep.bestLoss).toBe(Math.min(...nodes.map((n: any) => n.summary['val/loss'])));
      expect(nodes.every((n: any) => n.config.model === 'resnet50' && n.config.epochs === 30)).toBe(true);
      expect(count).toBeLessThanOrEqual(2);
    });
  });
});
