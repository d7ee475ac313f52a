/**
 * Who sees what, and paging: offset cursors by default (as W&B's, so runs
 * created or deleted between pages shift the next page), keyset cursors as
 * an option (nothing skipped or repeated).
 */
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

  it('refuses documents too large or too long to parse, keeps a bounded record, and stays up', async () => {
    const post = (query: string) =>
      fetch(`${emulator.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_API_KEY}` }, body: JSON.stringify({ query }) });
    const huge = await post(`{ viewer { username } }${' '.repeat(3 * 1024 * 1024)}`);
    expect(huge.status).toBe(413);
    const tokens = await post(`{ viewer { ${'a '.repeat(210_000)} } }`);
    expect(tokens.status).toBe(400);
    expect(JSON.stringify(await tokens.json())).toContain('tokens');
    for (let i = 0; i < 12; i++) await post(`{ viewer { username } }${' '.repeat(1024 * 1024 + i)}`);
    const recorded = emulator.requests.reduce((n, r) => n + r.query.length, 0);
    expect(recorded).toBeLessThanOrEqual(16 * 1024 * 1024 + 2 * 1024 * 1024);
    expect(await (await post('{ viewer { username } }')).json()).toEqual({ data: { viewer: { username: 'demo' } } });
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

describe('offset paging (the default, as W&B pages)', () => {
  let emulator: Emulator;
  let client: ReturnType<typeof wandbClient>;
  const create = (name: string) => client.gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "offsets", name: "${name}"}) { inserted } }`);
  const remove = (name: string) => client.gql('mutation D($id: ID!) { deleteRun(input: {id: $id}) { clientMutationId } }', { id: storageId('demo', 'offsets', name) });
  const page = async (after: string | null) => {
    const res: any = await client.gql(RUNS, { e: 'demo', p: 'offsets', first: 3, after, order: '+created_at' });
    expect(res.errors).toBeUndefined();
    return res.data.project.runs;
  };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = wandbClient(emulator, DEMO_API_KEY);
    for (let i = 0; i < 9; i++) await create(`off${i}`);
  });
  afterAll(() => emulator.close());

  it('a cursor is a position: a run deleted before it makes the next page miss one, a run created before it makes one repeat', async () => {
    const first = await page(null);
    expect(first.edges.map((e: any) => e.node.name)).toEqual(['off0', 'off1', 'off2']);
    await remove('off0');
    const second = await page(first.pageInfo.endCursor);
    // off3 moved to position 2, which the cursor says was served: it is missed.
    expect(second.edges.map((e: any) => e.node.name)).toEqual(['off4', 'off5', 'off6']);
    // A run sorting first pushes every run one position on: off6 comes again.
    emulator.db.prepare("UPDATE runs SET created_at = '2000-01-01T00:00:00Z' WHERE name = 'off8'").run();
    const third = await page(second.pageInfo.endCursor);
    expect(third.edges.map((e: any) => e.node.name)).toEqual(['off6', 'off7']);
    expect(third.pageInfo.hasNextPage).toBe(false);
  });

  it('files and artifacts are paged by offset too', async () => {
    const files = `query F($after: String) { project(entityName: "acme-ml", name: "image-classification") { runs(first: 1) { edges { node {
      files(first: 1, after: $after) { edges { cursor node { name } } } } } } } }`;
    const res: any = await client.gql(files);
    const cursor = res.data.project.runs.edges[0].node.files.edges[0].cursor;
    expect(Buffer.from(cursor, 'base64').toString()).toBe('offset:0');
    const next: any = await client.gql(files, { after: cursor });
    expect(Buffer.from(next.data.project.runs.edges[0].node.files.edges[0].cursor, 'base64').toString()).toBe('offset:1');
  });

  it('a cursor that is not an offset is a clear error', async () => {
    const bad = await client.gql(RUNS, { e: 'demo', p: 'offsets', after: Buffer.from('offset:-1').toString('base64') });
    expect(bad.errors![0].message).toMatch(/invalid cursor/);
    expect(bad.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('runs paging and filters (keyset option)', () => {
  let emulator: Emulator;
  let client: ReturnType<typeof wandbClient>;
  const create = (name: string, extra = '') =>
    client.gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "paging", name: "${name}"${extra}}) { inserted } }`);

  beforeAll(async () => {
    emulator = await startTestEmulator({ paging: 'keyset' });
    client = wandbClient(emulator, DEMO_API_KEY);
    for (let i = 0; i < 20; i++) await create(`run${String(i).padStart(3, '0')}`, `, summaryMetrics: "{\\"loss\\": ${i % 5}}"`);
  });
  afterAll(() => emulator.close());

  it.each(['+created_at', '-created_at', '+summary_metrics.loss', '-summary_metrics.loss', '+display_name'])(
    'with keyset paging and order %s, runs created and deleted while paging cause no duplicates and no misses',
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

  it('with keyset paging, projects listed in pages of one are each seen once, a project made meanwhile included', async () => {
    const LIST = 'query L($after: String) { models(entityName: "demo", first: 1, after: $after) { edges { node { name } } pageInfo { hasNextPage endCursor } } }';
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page++) {
      const res: any = await client.gql(LIST, { after });
      expect(res.errors).toBeUndefined();
      seen.push(...res.data.models.edges.map((e: any) => e.node.name));
      if (page === 0) await client.gql('mutation { upsertBucket(input: {entityName: "demo", modelName: "made-while-listing", name: "r1"}) { inserted } }');
      if (!res.data.models.pageInfo.hasNextPage) break;
      after = res.data.models.pageInfo.endCursor;
    }
    const stored = emulator.db.prepare(`SELECT p.name FROM projects p JOIN entities e ON e.id = p.entity_id WHERE e.name = 'demo' ORDER BY p.id`).pluck().all();
    expect(seen).toEqual(stored);
    expect(seen).toContain('made-while-listing');
    const bad = await client.gql(LIST, { after: Buffer.from('v1:["x"]').toString('base64') });
    expect(bad.errors![0].extensions?.code).toBe('BAD_USER_INPUT');
  });

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
