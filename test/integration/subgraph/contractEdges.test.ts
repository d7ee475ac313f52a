/**
 * Edges of the contract a demanding client reaches: Relay's explicit nulls,
 * history ranges with cursors, strict ids and cursors, typed filter
 * operands, calendar dates, writes that reads could not take back, and
 * writes to one run at the same moment. Through real HTTP to the emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, type Stack } from '../../helpers/stack.js';
import { encodeNodeId } from '../../../src/wandb/ids.js';

let stack: Stack;
let query: ReturnType<typeof subgraphClient>;
const TEAM = 'acme-ml';
const P = 'image-classification';
const codes = (res: { errors?: { extensions?: { code?: string } }[] }) => (res.errors ?? []).map((e) => e.extensions?.code);
let runPath = '';

beforeAll(async () => {
  stack = await startStack();
  query = subgraphClient(stack);
  runPath = (await query(`{ runs(entity: "${TEAM}", project: "${P}", first: 1) { nodes { path } } }`)).data.runs.nodes[0].path;
});
afterAll(() => stack?.close());

describe('history paging', () => {
  it('keeps minStep when a cursor is given, and reads the page after it', async () => {
    const first = await query(`{ run(path: "${runPath}") { lastStep history(first: 3) { edges { cursor node { step } } } } }`);
    const cursor = first.data.run.history.edges[0].cursor;
    const minStep = Math.floor(first.data.run.lastStep / 2);
    expect(minStep).toBeGreaterThan(3);
    const res = await query(`query H($a: String, $m: Int) { run(path: "${runPath}") { history(first: 3, minStep: $m, after: $a) { edges { node { step } } } } }`, { a: cursor, m: minStep });
    expect(res.errors).toBeUndefined();
    const steps = res.data.run.history.edges.map((e: any) => e.node.step);
    expect(steps.length).toBeGreaterThan(0);
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(minStep);
  });

  it('takes first: null with last, as Relay sends it, and first: null alone as the default', async () => {
    const back = await query(`query H($f: Int, $l: Int) { run(path: "${runPath}") { history(first: $f, last: $l) { edges { node { step } } } } }`, { f: null, l: 3 });
    expect(back.errors).toBeUndefined();
    expect(back.data.run.history.edges).toHaveLength(3);
    const plain = await query(`{ run(path: "${runPath}") { history(first: null) { edges { node { step } } } } }`);
    expect(plain.errors).toBeUndefined();
    expect(plain.data.run.history.edges.length).toBeGreaterThan(3);
  });

  it('refuses cursors that only look like history cursors', async () => {
    for (const text of ['v1:history:', 'v1:history:0x10', 'v1:history: 3', 'v1:history:-1']) {
      const res = await query(`query H($a: String) { run(path: "${runPath}") { history(first: 2, after: $a) { edges { node { step } } } } }`, { a: Buffer.from(text).toString('base64') });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
    }
  });
});

describe('runs cursors', () => {
  it('are for their own connection: another project or other filters is BAD_USER_INPUT', async () => {
    const page = (project: string, filters: unknown, after: string | null) =>
      query(`query R($p: String!, $f: JSON, $a: String) { runs(entity: "${TEAM}", project: $p, filters: $f, first: 2, after: $a) { pageInfo { endCursor } nodes { path } } }`, { p: project, f: filters, a: after });
    const first = await page(P, { state: 'finished' }, null);
    const cursor = first.data.runs.pageInfo.endCursor;
    expect((await page(P, { state: 'finished' }, cursor)).errors).toBeUndefined();
    expect(codes(await page('llm-finetune', { state: 'finished' }, cursor))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await page(P, { state: 'crashed' }, cursor))).toEqual(['BAD_USER_INPUT']);
  });
});

describe('files', () => {
  it('reads names: [] as all files, with a count that agrees with the edges', async () => {
    const all = await query(`{ run(path: "${runPath}") { files { totalCount edges { node { name } } } } }`);
    const empty = await query(`{ run(path: "${runPath}") { files(names: []) { totalCount edges { node { name } } } } }`);
    expect(empty.errors).toBeUndefined();
    expect(empty.data.run.files).toEqual(all.data.run.files);
    expect(empty.data.run.files.totalCount).toBe(empty.data.run.files.edges.length);
  });

  it('refuses an empty files cursor', async () => {
    const res = await query(`query F($a: String) { run(path: "${runPath}") { files(after: $a) { edges { node { name } } } } }`, { a: Buffer.from('v1:files:').toString('base64') });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });
});

describe('ids', () => {
  it('an artifact id spelled another way than W&B spells it is BAD_USER_INPUT, not a W&B failure', async () => {
    const canonical = encodeNodeId('Artifact', 1);
    expect((await query(`{ node(id: "${canonical}") { id } }`)).errors).toBeUndefined();
    for (const id of [canonical.replace(/=+$/, ''), Buffer.from('Artifact:01').toString('base64')]) {
      expect(codes(await query(`{ node(id: "${id}") { id } }`))).toEqual(['BAD_USER_INPUT']);
    }
  });
});

describe('entity references', () => {
  it('a reference whose id and path name two runs resolves to null; one whose id and path agree resolves', async () => {
    const two = (await query(`{ runs(entity: "${TEAM}", project: "${P}", first: 2) { nodes { id path } } }`)).data.runs.nodes;
    const res = await query('query E($r: [_Any!]!) { _entities(representations: $r) { ... on Run { path } } }', {
      r: [
        { __typename: 'Run', id: two[0].id, path: two[1].path },
        { __typename: 'Run', id: two[0].id, path: two[0].path },
        { __typename: 'Run', path: two[1].path },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities).toEqual([null, { path: two[0].path }, { path: two[1].path }]);
  });
});

describe('filters and where', () => {
  it('refuses operands of the wrong type for the key, before W&B sees them', async () => {
    const cases = [{ createdAt: { $gt: 1700000000 } }, { state: { $eq: { a: 1 } } }, { createdAt: { $gt: null } }, { tags: { $in: [1] } }, { displayName: true }];
    for (const filters of cases) {
      stack.emulator.resetRequests();
      const res = await query(`query R($f: JSON) { runs(entity: "${TEAM}", project: "${P}", filters: $f, first: 1) { totalCount } }`, { f: filters });
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].message).not.toMatch(/^W&B/);
      expect(stack.emulator.requestCount()).toBe(0);
    }
    const fine = await query(`query R($f: JSON) { runs(entity: "${TEAM}", project: "${P}", filters: $f, first: 1) { totalCount } }`, { f: { createdAt: { $gt: '2020-01-01T00:00:00' }, 'config.lr.value': { $lte: 1 } } });
    expect(fine.errors).toBeUndefined();
  });

  it('never matches UNKNOWN, and refuses a day the calendar does not have', async () => {
    expect(codes(await query(`{ runs(entity: "${TEAM}", project: "${P}", where: { state: UNKNOWN }) { totalCount } }`))).toEqual(['BAD_USER_INPUT']);
    expect(codes(await query(`{ runs(entity: "${TEAM}", project: "${P}", where: { stateIn: [FINISHED, UNKNOWN] }) { totalCount } }`))).toEqual(['BAD_USER_INPUT']);
    const after = (date: string) => query(`query R($d: DateTime) { runs(entity: "${TEAM}", project: "${P}", where: { createdAfter: $d }) { totalCount } }`, { d: date });
    for (const date of ['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T24:00:00Z']) expect(codes(await after(date))).toEqual(['BAD_USER_INPUT']);
    expect((await after('2024-02-29T00:00:00Z')).errors).toBeUndefined();
    // Written in the document, the same date fails validation, with its code.
    expect(codes(await query(`{ runs(entity: "${TEAM}", project: "${P}", where: { createdAfter: "2026-02-30T00:00:00Z" }) { totalCount } }`))).toEqual(['GRAPHQL_VALIDATION_FAILED']);
  });
});

describe('writes', () => {
  const UPDATE = 'mutation U($input: UpdateRunInput!) { updateRun(input: $input) { run { summary } } }';
  const CREATE = 'mutation C($input: CreateRunInput!) { createRun(input: $input) { run { runId displayName } } }';

  it('a config or summary that reads could not take back is BAD_USER_INPUT, and the run is unchanged', async () => {
    const deep = (n: number): unknown => (n === 0 ? 1 : { x: deep(n - 1) });
    const before = (await query(`{ run(path: "${runPath}") { summary config } }`)).data.run;
    for (const input of [{ summary: { x: deep(70) } }, { config: { x: deep(70) } }, { config: { _wandb: 'clobber', lr: 1 } }, { summary: { _wandb: {} } }]) {
      expect(codes(await query(UPDATE, { input: { path: runPath, ...input } }))).toEqual(['BAD_USER_INPUT']);
    }
    const after = await query(`{ run(path: "${runPath}") { summary config } }`);
    expect(after.errors).toBeUndefined();
    expect(after.data.run).toEqual(before);
  });

  it('a version alias given to logArtifact is BAD_USER_INPUT (W&B gives those itself)', async () => {
    const res = await query('mutation L($input: LogArtifactInput!) { logArtifact(input: $input) { artifact { aliases } } }', {
      input: { runPath, artifactName: `${TEAM}/${P}/imagenet-subset:v0`, aliases: ['best', 'v1'] },
    });
    expect(codes(res)).toEqual(['BAD_USER_INPUT']);
  });

  it('a summary key named __proto__ is a key like any other', async () => {
    const path = `demo/scratch/${(await query(CREATE, { input: { entity: 'demo', project: 'scratch' } })).data.createRun.run.runId}`;
    const res = await query(UPDATE, { input: { path, summary: JSON.parse('{"__proto__": 5, "b": 1}') } });
    expect(res.errors).toBeUndefined();
    const read = await query(`{ run(path: "${path}") { summary(keys: ["__proto__"]) } }`);
    expect(JSON.stringify(read.data.run.summary)).toBe('{"__proto__":5}');
  });

  it('concurrent summary updates of one run all land', async () => {
    const path = `demo/scratch/${(await query(CREATE, { input: { entity: 'demo', project: 'scratch' } })).data.createRun.run.runId}`;
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => query(UPDATE, { input: { path, summary: { [`k${i}`]: i } } })));
    for (const r of results) expect(r.errors).toBeUndefined();
    const summary = (await query(`{ run(path: "${path}") { summary } }`)).data.run.summary;
    for (let i = 0; i < 10; i++) expect(summary[`k${i}`]).toBe(i);
  });

  it('concurrent creates of one run: one is created, the others are CONFLICT, and the name is the winner\'s', async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => query(CREATE, { input: { entity: 'demo', project: 'scratch', runId: 'race01', displayName: `creator-${i}` } })));
    const won = results.filter((r) => !r.errors);
    expect(won).toHaveLength(1);
    expect(results.filter((r) => codes(r)[0] === 'CONFLICT')).toHaveLength(7);
    const read = await query('{ run(path: "demo/scratch/race01") { displayName } }');
    expect(read.data.run.displayName).toBe(won[0].data.createRun.run.displayName);
  });
});
