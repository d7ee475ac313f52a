/** Who sees what, and paging that neither skips nor repeats while runs come and go. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Emulator } from '../src/server.js';
import { DEMO_API_KEY, OTHER_API_KEY } from '../src/seed.js';
import { startTestEmulator, storageId, wandbClient } from './helpers/emulator.js';

const RUNS = `query Runs($e: String!, $p: String!, $first: Int, $after: String, $order: String, $filters: JSONString) {
  project(entityName: $e, name: $p) { runCount(filters: $filters) runs(first: $first, after: $after, order: $order, filters: $filters) {
    edges { cursor node { name } } pageInfo { hasNextPage endCursor } } } }`;

describe('auth', () => {
  let emulator: Emulator;
  beforeAll(async () => {
    emulator = await startTestEmulator();
  });
  afterAll(() => emulator.close());

  it('answers 401 without a key or with a wrong one, and accepts Basic and Bearer', async () => {
    const post = (headers: Record<string, string>) =>
      fetch(`${emulator.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"query":"{ viewer { username } }"}' });
    expect((await post({})).status).toBe(401);
    expect((await post({ authorization: `Basic ${Buffer.from('api:' + 'x'.repeat(40)).toString('base64')}` })).status).toBe(401);
    const body = await (await post({ authorization: `Basic ${Buffer.from('api:' + 'x'.repeat(40)).toString('base64')}` })).text();
    expect(body).not.toContain('x'.repeat(40));
    const basic = await post({ authorization: `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}` });
    expect(await basic.json()).toEqual({ data: { viewer: { username: 'demo' } } });
    const bearer = await post({ authorization: `Bearer ${OTHER_API_KEY}` });
    expect(await bearer.json()).toEqual({ data: { viewer: { username: 'other' } } });
  });

  it('the demo key is 40 characters and the database keeps only its digest', () => {
    expect(DEMO_API_KEY).toHaveLength(40);
    const stored = emulator.db.prepare('SELECT key_digest FROM api_keys').pluck().all() as string[];
    expect(stored).not.toContain(DEMO_API_KEY);
  });

  it("a user sees only entities they belong to: others' projects and runs are not found", async () => {
    const demo = wandbClient(emulator, DEMO_API_KEY);
    const other = wandbClient(emulator, OTHER_API_KEY);
    const mine = await other.gql(RUNS, { e: 'other', p: 'private-experiments', first: 10 });
    const runName = mine.data!.project.runs.edges[0].node.name;
    expect(mine.data!.project.runCount).toBe(3);
    expect((await demo.gql(RUNS, { e: 'other', p: 'private-experiments' })).data!.project).toBeNull();
    expect((await other.gql(RUNS, { e: 'acme-ml', p: 'image-classification' })).data!.project).toBeNull();
    // Writes are refused too, and the run is untouched.
    const id = storageId('other', 'private-experiments', runName);
    const del = await demo.gql('mutation D($id: ID!) { deleteRun(input: {id: $id}) { clientMutationId } }', { id });
    expect(del.errors![0].message).toMatch(/not found/);
    const create = await demo.gql('mutation { upsertBucket(input: {entityName: "other", modelName: "x", name: "abc"}) { inserted } }');
    expect(create.errors![0].message).toMatch(/permission denied/);
    expect((await other.gql(RUNS, { e: 'other', p: 'private-experiments' })).data!.project.runCount).toBe(3);
  });
});

describe('runs paging and filters', () => {
  let emulator: Emulator;
  let client: ReturnType<typeof wandbClient>;
  const create = (name: string, extra = '') =>
    client.gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "paging", name: "${name}"${extra}}) { inserted } }`);

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = wandbClient(emulator, DEMO_API_KEY);
    for (let i = 0; i < 20; i++) await create(`run${String(i).padStart(3, '0')}`, `, summaryMetrics: "{\\"loss\\": ${i % 5}}"`);
  });
  afterAll(() => emulator.close());

  it.each(['+created_at', '-created_at', '+summary_metrics.loss', '-summary_metrics.loss', '+display_name'])(
    'with order %s, runs created and deleted while paging cause no duplicates and no misses',
    async (order) => {
      const initial = (await client.gql(RUNS, { e: 'demo', p: 'paging', first: 1000, order })).data!.project.runs.edges.map((e: any) => e.node.name);
      const seen: string[] = [];
      let after: string | null = null;
      let page = 0;
      const deleted: string[] = [];
      for (;;) {
        const res: any = await client.gql(RUNS, { e: 'demo', p: 'paging', first: 4, after, order });
        expect(res.errors).toBeUndefined();
        seen.push(...res.data.project.runs.edges.map((e: any) => e.node.name));
        if (page === 1) {
          // Delete one run not yet seen and create a new one.
          const victim = initial.find((n: string) => !seen.includes(n))!;
          deleted.push(victim);
          await client.gql('mutation D($id: ID!) { deleteRun(input: {id: $id}) { clientMutationId } }', { id: storageId('demo', 'paging', victim) });
          await create(`new${order.replace(/\W/g, '')}`);
        }
        page++;
        if (!res.data.project.runs.pageInfo.hasNextPage) break;
        after = res.data.project.runs.pageInfo.endCursor;
      }
      expect(new Set(seen).size).toBe(seen.length);
      // Every run that existed throughout was seen, in the original order.
      const survivors = initial.filter((n: string) => !deleted.includes(n));
      expect(seen.filter((n) => survivors.includes(n))).toEqual(survivors);
      // Put the victims back as they were, for the next test.
      for (const v of deleted) await create(v, v.startsWith('run') ? `, summaryMetrics: "{\\"loss\\": ${Number(v.slice(3)) % 5}}"` : '');
    },
  );

  it('filters by summary, name and tags, and runCount agrees', async () => {
    const res = await client.gql(RUNS, { e: 'demo', p: 'paging', first: 100, filters: JSON.stringify({ $and: [{ 'summary_metrics.loss': { $gte: 3 } }, { name: { $regex: '^run' } }] }) });
    const names = res.data!.project.runs.edges.map((e: any) => e.node.name).sort();
    expect(names).toEqual(['run003', 'run004', 'run008', 'run009', 'run013', 'run014', 'run018', 'run019']);
    expect(res.data!.project.runCount).toBe(8);
  });

  it.each([
    [{ $foo: 1 }, /\$foo/],
    [{ nosuchkey: 1 }, /nosuchkey/],
    [{ tags: ['a'] }, /\$in/],
    [{ createdAt: { $gt: 5 } }, /createdAt/],
    ['{not json', /JSON/],
  ])('a bad filter %j is a GraphQL error naming it, never an HTTP 500', async (filters, message) => {
    const res = await client.gql(RUNS, { e: 'demo', p: 'paging', filters: typeof filters === 'string' ? filters : JSON.stringify(filters) });
    expect(res.status).toBe(200);
    expect(res.errors![0].message).toMatch(message);
    expect(res.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('a bad order or cursor is a clear error', async () => {
    const badOrder = await client.gql(RUNS, { e: 'demo', p: 'paging', order: '+nosuch' });
    expect(badOrder.errors![0].message).toMatch(/nosuch/);
    const badCursor = await client.gql(RUNS, { e: 'demo', p: 'paging', after: 'garbage' });
    expect(badCursor.errors![0].message).toMatch(/invalid cursor/);
    const page = await client.gql(RUNS, { e: 'demo', p: 'paging', first: 1, order: '+created_at' });
    const mixed = await client.gql(RUNS, { e: 'demo', p: 'paging', after: page.data!.project.runs.pageInfo.endCursor, order: '-summary_metrics.loss' });
    expect(mixed.errors![0].message).toMatch(/cursor was made for order/);
  });
});
