/**
 * Run.history(last, before): the tail of a history and the pages before a
 * cursor, over real HTTP against rows ingested through the emulator's
 * filestream: exact rows, page info, bounded upstream work, and
 * BAD_USER_INPUT for bad combinations.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, upstreamRequests, type Response, type Stack } from '../../helpers/stack.js';
import { wandbClient } from '../../../emulator/test/helpers/emulator.js';
import { DEMO_API_KEY } from '../../../emulator/src/seed.js';

const E = 'demo';
const P = 'history-tail';
type Row = Record<string, unknown>;

/** "dense": 5,000 steps; loss every step, val every 50th. */
const DENSE: Row[] = Array.from({ length: 5000 }, (_, i) => ({ _step: i, loss: Math.round(1e6 / (i + 1)) / 1e6, ...(i % 50 === 0 ? { val: i / 50 } : {}) }));
/** "gaps": 100 rows at steps 0, 1000, …, 99000. */
const GAPS: Row[] = Array.from({ length: 100 }, (_, i) => ({ _step: i * 1000, loss: i }));

const PAGE = `query H($path: String!, $first: Int, $last: Int, $after: String, $before: String, $keys: [String!], $minStep: Int, $maxStep: Int) {
  run(path: $path) { history(first: $first, last: $last, after: $after, before: $before, keys: $keys, minStep: $minStep, maxStep: $maxStep) {
    edges { cursor node { step values } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

describe('Run.history(last, before)', () => {
  let stack: Stack;
  let query: ReturnType<typeof subgraphClient>;
  let wandb: ReturnType<typeof wandbClient>;
  const path = (name: string) => `${E}/${P}/${name}`;
  const codes = (res: Response) => (res.errors ?? []).map((e) => e.extensions?.code);

  async function createRun(name: string, rows: Row[], state = 'finished') {
    expect((await wandb.gql(`mutation { upsertBucket(input: {entityName: "${E}", modelName: "${P}", name: "${name}", state: "${state}"}) { inserted } }`)).errors).toBeUndefined();
    await ingest(name, rows, 0);
  }
  async function ingest(name: string, rows: Row[], offset: number) {
    for (let i = 0; i < rows.length; i += 2000) {
      const sent = await wandb.filestream(path(name), { files: { 'wandb-history.jsonl': { offset: offset + i, content: rows.slice(i, i + 2000).map((r) => JSON.stringify(r)) } } });
      expect(sent.status).toBe(200);
    }
  }
  async function page(name: string, vars: Record<string, unknown>): Promise<any> {
    const res = await query(PAGE, { path: path(name), ...vars });
    expect(res.errors).toBeUndefined();
    return res.data.run.history;
  }
  const steps = (p: any) => p.edges.map((e: any) => e.node.step);

  beforeAll(async () => {
    stack = await startStack();
    query = subgraphClient(stack);
    wandb = wandbClient(stack.emulator, DEMO_API_KEY);
    await createRun('dense', DENSE);
    await createRun('gaps', GAPS);
    await createRun('empty', []);
  }, 60_000);
  afterAll(() => stack.close());

  it('last: N returns the last N rows, exact and in ascending order', async () => {
    const tail = await page('dense', { last: 10 });
    expect(tail.edges.map((e: any) => e.node.values)).toEqual(DENSE.slice(-10));
    expect(tail.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(tail.pageInfo.startCursor).toBe(tail.edges[0].cursor);
    expect(tail.pageInfo.endCursor).toBe(tail.edges[9].cursor);
    expect(steps(await page('gaps', { last: 3 }))).toEqual([97_000, 98_000, 99_000]);
    const all = await page('gaps', { last: 500 });
    expect(steps(all)).toEqual(GAPS.map((r) => r._step));
    expect(all.pageInfo.hasPreviousPage).toBe(false);
    expect((await page('empty', { last: 5 })).edges).toEqual([]);
  });

  it('last with before pages backward through the whole history without gaps or repeats', async () => {
    const seen: number[] = [];
    let before: string | null = null;
    for (let i = 0; i < 20; i++) {
      const p: any = await page('dense', { last: 700, before });
      seen.unshift(...steps(p));
      if (before !== null) expect(p.pageInfo.hasNextPage).toBe(true);
      if (!p.pageInfo.hasPreviousPage) break;
      expect(p.edges).toHaveLength(700);
      before = p.pageInfo.startCursor;
    }
    expect(seen).toEqual(DENSE.map((r) => r._step));
  });

  it('last with keys returns the last rows holding the keys; with minStep/maxStep, the end of that range', async () => {
    const val = await page('dense', { last: 4, keys: ['val'] });
    expect(val.edges.map((e: any) => e.node)).toEqual([4800, 4850, 4900, 4950].map((s) => ({ step: s, values: { val: s / 50 } })));
    expect(steps(await page('dense', { last: 5, minStep: 100, maxStep: 200 }))).toEqual([195, 196, 197, 198, 199]);
    const short = await page('dense', { last: 50, minStep: 100, maxStep: 120 });
    expect(steps(short)).toEqual(Array.from({ length: 20 }, (_, i) => 100 + i));
    expect(short.pageInfo.hasPreviousPage).toBe(false);
  });

  it('first with before stops before the cursor; after and before bound both ends', async () => {
    const at = (await page('dense', { first: 1, minStep: 30 })).pageInfo.endCursor;
    const from = (await page('dense', { first: 1, minStep: 20 })).pageInfo.endCursor;
    const forward = await page('dense', { first: 100, before: at });
    expect(steps(forward)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(forward.pageInfo.hasNextPage).toBe(false);
    expect(steps(await page('dense', { after: from, before: at }))).toEqual(Array.from({ length: 9 }, (_, i) => 21 + i));
    expect(steps(await page('dense', { last: 3, after: from, before: at }))).toEqual([27, 28, 29]);
  });

  it('the tail of a long history costs a bounded number of upstream requests', async () => {
    const { count } = await upstreamRequests(stack, () => page('dense', { last: 100 }));
    expect(count).toBeLessThanOrEqual(2);
    const keyed = await upstreamRequests(stack, () => page('dense', { last: 10, keys: ['val'] }));
    expect(keyed.count).toBeLessThanOrEqual(3);
  });

  it('follows a live run: the tail moves as rows are ingested', async () => {
    await createRun('live', DENSE.slice(0, 100), 'running');
    expect(steps(await page('live', { last: 3 }))).toEqual([97, 98, 99]);
    await ingest('live', DENSE.slice(100, 150), 100);
    expect(steps(await page('live', { last: 3 }))).toEqual([147, 148, 149]);
  });

  it('refuses first with last, sizes out of range and foreign cursors with BAD_USER_INPUT', async () => {
    const bad = async (vars: Record<string, unknown>) => {
      const res = await query(PAGE, { path: path('dense'), ...vars });
      expect(res.status).toBeLessThan(500);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      return res.errors![0].message;
    };
    expect(await bad({ first: 10, last: 10 })).toMatch(/first or last/);
    expect(await bad({ first: 1000, last: 10 })).toMatch(/first or last/); // first given, even at its default value
    await bad({ last: 0 });
    await bad({ last: 10_001 });
    await bad({ last: -1 });
    await bad({ last: 5, before: 'not-a-cursor' });
    await bad({ last: 5, before: Buffer.from('v1:runs:5').toString('base64') });
    // A literal first with last, not only variables.
    const literal = await query(`{ run(path: "${path('dense')}") { history(first: 5, last: 5) { edges { cursor } } } }`);
    expect(codes(literal)).toEqual(['BAD_USER_INPUT']);
    // A refused page reads no history: only the run itself is looked up.
    const { count } = await upstreamRequests(stack, () => query(PAGE, { path: path('dense'), first: 5, last: 5 }));
    expect(count).toBeLessThanOrEqual(1);
  });
});
