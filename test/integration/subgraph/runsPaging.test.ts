/**
 * Query.runs pages without skips or repeats while runs are created and
 * deleted between pages, for every order the contract allows, against the
 * emulator paging as W&B pages (offset cursors, ties in whole seconds). The
 * same scenario paged with W&B's own cursors, straight at the emulator,
 * repeats or misses runs: the subgraph's guarantee is its own.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, type Stack } from '../../helpers/stack.js';
import { storageId, wandbClient } from '../../../emulator/test/helpers/emulator.js';
import { DEMO_API_KEY } from '../../../emulator/src/seed.js';
import { userByApiKey, visibleProject } from '../../../emulator/src/store/accounts.js';
import { createRun } from '../../../emulator/src/store/runs.js';

const E = 'demo';
const ORDERS = [
  '+created_at',
  '-created_at',
  '+heartbeat_at',
  '-heartbeat_at',
  '+display_name',
  '-display_name',
  '+config.opt.value',
  '-config.opt.value',
  '+summary_metrics.loss',
  '-summary_metrics.loss',
];
const RUNS = 26;
const PAGE_SIZE = 4;

const UPSERT = `mutation U($entity: String, $project: String, $name: String, $displayName: String, $config: JSONString, $summary: JSONString) {
  upsertBucket(input: {entityName: $entity, modelName: $project, name: $name, displayName: $displayName, config: $config, summaryMetrics: $summary}) { inserted } }`;
const RAW_PAGE = `query Runs($e: String!, $p: String!, $first: Int, $after: String, $order: String) {
  project(entityName: $e, name: $p) { runs(first: $first, after: $after, order: $order) { edges { cursor node { name } } pageInfo { hasNextPage } } } }`;
const PAGE = `query Runs($entity: String!, $project: String!, $order: String, $first: Int, $after: String) {
  runs(entity: $entity, project: $project, order: $order, first: $first, after: $after) {
    totalCount edges { cursor node { runId } } pageInfo { hasNextPage endCursor } } }`;

/** A project name for an order: "+config.opt.value" → "asc-config-opt-value". */
const slug = (order: string) => `${order.startsWith('-') ? 'desc' : 'asc'}-${order.slice(1).replace(/\W/g, '-')}`;

/**
 * Run i of a project: names not in creation order, few distinct values (ties
 * across page boundaries), and some runs lacking each key.
 */
function plan(i: number, prefix: string) {
  const name = `${prefix}${((i * 7919) % 997).toString(36).padStart(3, '0')}${i}`;
  return {
    name,
    displayName: i % 7 === 3 ? null : ['alpha', 'beta', 'gamma'][i % 3],
    config: i % 5 === 2 ? {} : { opt: { value: ['adam', 'sgd', 'lamb'][i % 3], desc: null } },
    summary: i % 6 === 1 ? {} : { loss: [0.5, 0.25, 0.125, 1][i % 4] },
  };
}

describe('Query.runs paging while runs come and go (emulator with W&B offset cursors)', () => {
  let stack: Stack;
  let query: ReturnType<typeof subgraphClient>;
  let wandb: ReturnType<typeof wandbClient>;

  async function create(project: string, run: ReturnType<typeof plan>) {
    const res = await wandb.gql(UPSERT, { entity: E, project, name: run.name, displayName: run.displayName, config: JSON.stringify(run.config), summary: JSON.stringify(run.summary) });
    expect(res.errors).toBeUndefined();
    // W&B names a run created without a name; a run lacking one (renamed away, or older) is made in the store.
    if (run.displayName === null) stack.emulator.db.prepare('UPDATE runs SET display_name = NULL WHERE name = ?').run(run.name);
  }
  async function remove(project: string, name: string) {
    const res = await wandb.gql('mutation D($id: ID!) { deleteRun(input: {id: $id}) { clientMutationId } }', { id: storageId(E, project, name) });
    expect(res.errors).toBeUndefined();
  }
  async function seed(project: string) {
    for (let i = 0; i < RUNS; i++) await create(project, plan(i, 'r'));
  }

  /**
   * Pages through `project` with `next(after)`, and after every other page
   * deletes two runs already served and one not yet served, and creates one.
   */
  async function churn(project: string, initial: string[], next: (after: string | null) => Promise<{ names: string[]; after: string | null }>) {
    const seen: string[] = [];
    const deleted = new Set<string>();
    let after: string | null = null;
    for (let page = 0; page < 100; page++) {
      const res = await next(after);
      seen.push(...res.names);
      if (res.after === null) return { seen, deleted };
      after = res.after;
      if (page % 2 === 0) {
        const served = seen.filter((n) => !deleted.has(n) && initial.includes(n)).slice(0, 2);
        const unserved = initial.find((n) => !seen.includes(n) && !deleted.has(n));
        for (const victim of [...served, unserved]) {
          if (victim === undefined) continue;
          deleted.add(victim);
          await remove(project, victim);
        }
        await create(project, plan(100 + page, 'n'));
      }
    }
    throw new Error('paging does not end');
  }

  beforeAll(async () => {
    stack = await startStack();
    query = subgraphClient(stack);
    wandb = wandbClient(stack.emulator, DEMO_API_KEY);
  }, 30_000);
  afterAll(() => stack.close());

  it.each(ORDERS)('order %s: 0 duplicates and 0 misses through the subgraph, in the order of one whole page', async (order) => {
    const project = `churn-sub-${slug(order)}`;
    await seed(project);
    const whole = await query(PAGE, { entity: E, project, order, first: 1000 });
    expect(whole.errors).toBeUndefined();
    const initial: string[] = whole.data.runs.edges.map((e: any) => e.node.runId);
    expect(initial).toHaveLength(RUNS);
    const { seen, deleted } = await churn(project, initial, async (after) => {
      const res = await query(PAGE, { entity: E, project, order, first: PAGE_SIZE, after });
      expect(res.errors).toBeUndefined();
      const c = res.data.runs;
      return { names: c.edges.map((e: any) => e.node.runId), after: c.pageInfo.hasNextPage ? c.pageInfo.endCursor : null };
    });
    const survivors = initial.filter((n) => !deleted.has(n));
    expect(deleted.size).toBeGreaterThanOrEqual(4);
    const duplicates = seen.length - new Set(seen).size;
    const misses = survivors.filter((n) => !seen.includes(n));
    expect({ duplicates, misses }).toEqual({ duplicates: 0, misses: [] });
    // Runs present throughout come in the order they had on one whole page.
    expect(seen.filter((n) => survivors.includes(n))).toEqual(survivors);
  }, 30_000);

  it.each(ORDERS)('order %s: the same churn paged with W&B cursors straight at the emulator repeats or misses runs', async (order) => {
    const project = `churn-raw-${slug(order)}`;
    await seed(project);
    const whole = await wandb.gql(RAW_PAGE, { e: E, p: project, order, first: 1000 });
    const initial: string[] = whole.data!.project.runs.edges.map((e: any) => e.node.name);
    expect(initial).toHaveLength(RUNS);
    const { seen, deleted } = await churn(project, initial, async (after) => {
      const res = await wandb.gql(RAW_PAGE, { e: E, p: project, order, first: PAGE_SIZE, after });
      expect(res.errors).toBeUndefined();
      const { edges, pageInfo } = res.data!.project.runs;
      return { names: edges.map((e: any) => e.node.name), after: pageInfo.hasNextPage ? edges[edges.length - 1].cursor : null };
    });
    const survivors = initial.filter((n) => !deleted.has(n));
    const duplicates = seen.length - new Set(seen).size;
    const misses = survivors.filter((n) => !seen.includes(n)).length;
    expect(duplicates + misses).toBeGreaterThan(0);
  }, 30_000);

  it('a tie group cut by the page end is read whole once: a page inside runs created in one second costs at most 3 upstream reads', async () => {
    const project = 'churn-ties';
    await seed(project);
    const whole = await query(PAGE, { entity: E, project, order: '+created_at', first: 1000 });
    const all: string[] = whole.data.runs.edges.map((e: any) => e.node.runId);
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      stack.emulator.resetRequests();
      const res: any = await query(PAGE, { entity: E, project, order: '+created_at', first: 3, after });
      expect(res.errors).toBeUndefined();
      expect(stack.emulator.requestCount()).toBeLessThanOrEqual(3);
      seen.push(...res.data.runs.edges.map((e: any) => e.node.runId));
      if (!res.data.runs.pageInfo.hasNextPage) break;
      after = res.data.runs.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
  }, 30_000);

  it.each(['+config.opt.value', '-config.opt.value', '+summary_metrics.loss', '-summary_metrics.loss', '+display_name', '-display_name'])(
    'order %s: runs lacking the key come last, by creation then run id, and are paged too',
    async (order) => {
      const project = `lacking-${slug(order)}`;
      await seed(project);
      const key = order.slice(1);
      const lacks = (i: number) => (key.startsWith('config') ? i % 5 === 2 : key.startsWith('summary') ? i % 6 === 1 : i % 7 === 3);
      const res = await query(`query Q($p: String!, $o: String!) { runs(entity: "${E}", project: $p, order: $o, first: 1000) { nodes { runId config summary displayName } } }`, { p: project, o: order });
      expect(res.errors).toBeUndefined();
      const nodes: any[] = res.data.runs.nodes;
      const missing = (n: any) => (key.startsWith('config') ? n.config.opt === undefined : key.startsWith('summary') ? n.summary.loss === undefined : n.displayName === null);
      const firstMissing = nodes.findIndex(missing);
      expect(firstMissing).toBeGreaterThan(0);
      expect(nodes.slice(firstMissing).every(missing)).toBe(true);
      expect(nodes.filter(missing).length).toBe(Array.from({ length: RUNS }, (_, i) => i).filter(lacks).length);
      // Paged by 2, the same sequence.
      const paged: string[] = [];
      let after: string | null = null;
      for (;;) {
        const p: any = await query(PAGE, { entity: E, project, order, first: 2, after });
        expect(p.errors).toBeUndefined();
        paged.push(...p.data.runs.edges.map((e: any) => e.node.runId));
        if (!p.data.runs.pageInfo.hasNextPage) break;
        after = p.data.runs.pageInfo.endCursor;
      }
      expect(paged).toEqual(nodes.map((n) => n.runId));
    },
    30_000,
  );

  it('more than 1,000 runs created in one second cannot be paged past without repeats: BAD_USER_INPUT, not a wrong page', async () => {
    const db = stack.emulator.db;
    const user = userByApiKey(db, DEMO_API_KEY)!;
    await create('churn-crowd', plan(0, 'c'));
    const projectId = visibleProject(db, user, E, 'churn-crowd')!.id;
    db.transaction(() => {
      for (let i = 0; i < 1001; i++) createRun(db, projectId, `crowd${String(i).padStart(4, '0')}`, user.id, '2026-01-01T00:00:00Z');
    })();
    const res = await query(PAGE, { entity: E, project: 'churn-crowd', order: '+created_at', first: 10 });
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors![0].message).toMatch(/more than 1000 runs share createdAt/);
  }, 30_000);

  it('a forged runs cursor is BAD_USER_INPUT, and totalCount stays the count of the caller\'s filters', async () => {
    const project = 'churn-forged';
    await seed(project);
    const forged = (value: unknown) => Buffer.from(`v2:runs:${JSON.stringify(value)}`).toString('base64');
    for (const after of [forged(['+created_at', [{}], 'x', 0]), forged(['+created_at', ['2026-01-01T00:00:00Z'], 'x', 9]), forged({ a: 1 }), 'v2:runs:[]']) {
      const res = await query(PAGE, { entity: E, project, order: '+created_at', first: 2, after });
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    }
    const first = await query(PAGE, { entity: E, project, order: '+created_at', first: 2 });
    const second = await query(PAGE, { entity: E, project, order: '+created_at', first: 2, after: first.data.runs.pageInfo.endCursor });
    expect(second.data.runs.totalCount).toBe(first.data.runs.totalCount);
  }, 30_000);
});
