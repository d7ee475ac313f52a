/**
 * Run.sampledHistory and the Run.history connection over real HTTP, against
 * history rows and system-metric events ingested for these tests through
 * W&B's filestream protocol on the emulator, up to a 100,000-step run.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, upstreamRequests, type Response, type Stack } from '../../helpers/stack.js';
import { wandbClient } from '../../../emulator/test/helpers/emulator.js';
import { DEMO_API_KEY } from '../../../emulator/src/seed.js';

const E = 'demo';
const P = 'subgraph-history';
const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

const UPSERT = `mutation U($entity: String, $project: String, $name: String) {
  upsertBucket(input: {entityName: $entity, modelName: $project, name: $name}) { inserted } }`;

type Row = Record<string, unknown>;

/** "small": 100 steps; loss every step, acc every 10th, note every 25th. */
function smallRow(i: number): Row {
  const row: Row = { _step: i, _timestamp: T0 + 2 * i, _runtime: i * 0.5, loss: Math.round(1e6 / (i + 1)) / 1e6 };
  if (i % 10 === 0) row.acc = i / 100;
  if (i % 25 === 0) row.note = `note-${i}`;
  return row;
}
const SMALL = Array.from({ length: 100 }, (_, i) => smallRow(i));

/** "small"'s system-metric events: gpu temperature only in every third. */
const EVENTS: Row[] = Array.from({ length: 20 }, (_, i) => {
  const e: Row = { _timestamp: T0 + 30 * i, _runtime: 30 * i, 'system.cpu': 10 + i, 'system.memory': 50 - i / 2 };
  if (i % 3 === 0) e['system.gpu.0.temp'] = 60 + i;
  return e;
});

/** "sparse": 1,000 steps; val every 50th. */
function sparseRow(i: number): Row {
  const row: Row = { _step: i, _timestamp: T0 + i, loss: i / 1000 };
  if (i % 50 === 0) row.val = i / 50;
  return row;
}
const SPARSE = Array.from({ length: 1000 }, (_, i) => sparseRow(i));

/** "partial": 20 steps; _timestamp and _runtime on even steps only. */
const PARTIAL: Row[] = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? { _step: i, _timestamp: T0 + i, _runtime: i / 4, loss: i } : { _step: i, loss: i }));

/** "gaps": 100 rows at steps 0, 1000, 2000, … */
const GAPS: Row[] = Array.from({ length: 100 }, (_, i) => ({ _step: i * 1000, loss: i }));

/** "big": 100,000 steps; val every 50th (2,000 rows); final only on the last step. The line text is what is sent. */
const BIG_STEPS = 100_000;
function bigLine(i: number): string {
  const val = i % 50 === 0 ? `,"val":${i / 50}` : '';
  const final = i === BIG_STEPS - 1 ? ',"final":0.125' : '';
  return `{"_step":${i},"_timestamp":${T0 + i / 10},"_runtime":${i / 10},"loss":${Math.round(1e6 / (i + 1)) / 1e6}${val}${final}}`;
}

const HISTORY_PAGE = `query H($path: String!, $first: Int, $after: String, $keys: [String!], $minStep: Int, $maxStep: Int) {
  run(path: $path) { history(first: $first, after: $after, keys: $keys, minStep: $minStep, maxStep: $maxStep) {
    edges { cursor node { step values } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;

describe('Run history', () => {
  let stack: Stack;
  let query: ReturnType<typeof subgraphClient>;
  let wandb: ReturnType<typeof wandbClient>;

  async function ok(document: string, variables: Record<string, unknown> = {}): Promise<any> {
    const res = await query(document, variables);
    expect(res.errors).toBeUndefined();
    return res.data;
  }
  async function createRun(name: string, lines: string[], events: Row[] = [], chunk = 10_000) {
    const res = await wandb.gql(UPSERT, { entity: E, project: P, name });
    expect(res.errors).toBeUndefined();
    for (let offset = 0; offset < lines.length; offset += chunk) {
      const sent = await wandb.filestream(`${E}/${P}/${name}`, { files: { 'wandb-history.jsonl': { offset, content: lines.slice(offset, offset + chunk) } } });
      expect(sent.status).toBe(200);
    }
    if (events.length > 0) {
      const sent = await wandb.filestream(`${E}/${P}/${name}`, { files: { 'wandb-events.jsonl': { offset: 0, content: events.map((e) => JSON.stringify(e)) } } });
      expect(sent.status).toBe(200);
    }
  }
  async function sampled(name: string, args: string): Promise<Row[]> {
    return (await ok(`{ run(path: "${E}/${P}/${name}") { sampledHistory${args ? `(${args})` : ''} } }`)).run.sampledHistory;
  }
  async function historyPage(name: string, vars: Record<string, unknown>): Promise<any> {
    return (await ok(HISTORY_PAGE, { path: `${E}/${P}/${name}`, ...vars })).run.history;
  }
  /** Every page of `first` rows; checks page info on the way. */
  async function scan(name: string, vars: Record<string, unknown>, first: number): Promise<{ pages: any[]; steps: number[] }> {
    const pages: any[] = [];
    const steps: number[] = [];
    let after: string | null = null;
    for (let i = 0; i < 1000; i++) {
      const page = await historyPage(name, { ...vars, first, after });
      pages.push(page);
      expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor ?? null);
      expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1]?.cursor ?? null);
      steps.push(...page.edges.map((e: any) => e.node.step));
      if (!page.pageInfo.hasNextPage) return { pages, steps };
      // A page followed by another is full: sparse keys never give short or empty pages.
      expect(page.edges).toHaveLength(first);
      after = page.pageInfo.endCursor;
    }
    throw new Error('paging does not end');
  }
  const codes = (res: Response) => (res.errors ?? []).map((e) => e.extensions?.code);

  beforeAll(async () => {
    stack = await startStack();
    query = subgraphClient(stack);
    wandb = wandbClient(stack.emulator, DEMO_API_KEY);
    await createRun('small', SMALL.map((r) => JSON.stringify(r)), EVENTS);
    await createRun('sparse', SPARSE.map((r) => JSON.stringify(r)));
    await createRun('partial', PARTIAL.map((r) => JSON.stringify(r)));
    await createRun('gaps', GAPS.map((r) => JSON.stringify(r)));
    await createRun('empty', []);
  }, 60_000);
  afterAll(() => stack.close());

  describe('sampledHistory', () => {
    it('Run.sampledHistory(keys) returns only the rows holding every key, projected to _step and the keys', async () => {
      expect(await sampled('small', 'keys: ["acc"]')).toEqual(SMALL.filter((r) => 'acc' in r).map((r) => ({ _step: r._step, acc: r.acc })));
      expect(await sampled('small', 'keys: ["acc", "note"]')).toEqual(SMALL.filter((r) => 'acc' in r && 'note' in r).map((r) => ({ _step: r._step, acc: r.acc, note: r.note })));
      expect(await sampled('small', 'keys: ["acc", "never-logged"]')).toEqual([]);
    });

    it('Run.sampledHistory(keys, xAxis) includes the x axis instead of _step', async () => {
      const rows = await sampled('small', 'keys: ["acc"], xAxis: "_runtime"');
      expect(rows).toEqual(SMALL.filter((r) => 'acc' in r).map((r) => ({ _runtime: r._runtime, acc: r.acc })));
    });

    it('Run.sampledHistory(keys, samples) samples evenly, keeping the first and last row', async () => {
      const rows = await sampled('small', 'keys: ["loss"], samples: 10');
      expect(rows).toHaveLength(10);
      const steps = rows.map((r) => r._step as number);
      expect(steps[0]).toBe(0);
      expect(steps[9]).toBe(99);
      for (const r of rows) expect(r).toEqual({ _step: r._step, loss: SMALL[r._step as number].loss });
      expectEven(steps, 99, 10);
    });

    it('Run.sampledHistory without keys returns whole rows as logged', async () => {
      expect(await sampled('small', '')).toEqual(SMALL);
    });

    it('Run.sampledHistory without keys samples evenly, including the first and last row, the same way each time', async () => {
      const rows = await sampled('small', 'samples: 10');
      expect(rows).toHaveLength(10);
      const steps = rows.map((r) => r._step as number);
      expect(steps[0]).toBe(0);
      expect(steps[steps.length - 1]).toBe(99);
      expectEven(steps, 99, 10);
      for (const r of rows) expect(r).toEqual(SMALL[r._step as number]);
      expect(await sampled('small', 'samples: 10')).toEqual(rows);
    });

    it('Run.sampledHistory is empty for a run that logged nothing', async () => {
      expect(await sampled('empty', '')).toEqual([]);
      expect(await sampled('empty', 'keys: ["loss"]')).toEqual([]);
    });

    it('Run.sampledHistory(stream: SYSTEM) returns the system-metric events', async () => {
      expect(await sampled('small', 'stream: SYSTEM')).toEqual(EVENTS);
      const some = await sampled('small', 'stream: SYSTEM, samples: 5');
      expect(some).toHaveLength(5);
      expect(some[0]).toEqual(EVENTS[0]);
      expect(some[4]).toEqual(EVENTS[EVENTS.length - 1]);
      for (const e of some) expect(EVENTS).toContainEqual(e);
    });

    it('Run.sampledHistory(stream: SYSTEM, keys) returns only the events holding every key', async () => {
      const rows = await sampled('small', 'stream: SYSTEM, keys: ["system.gpu.0.temp"], samples: 100');
      const holding = EVENTS.filter((e) => 'system.gpu.0.temp' in e);
      expect(rows).toHaveLength(holding.length);
      expect(rows.map((r) => r['system.gpu.0.temp'])).toEqual(holding.map((e) => e['system.gpu.0.temp']));
    });

    it('Run.sampledHistory(stream: SYSTEM, keys, samples) samples among the events holding the keys', async () => {
      const holding = EVENTS.filter((e) => 'system.gpu.0.temp' in e);
      expect(holding.length).toBeGreaterThan(3);
      const rows = await sampled('small', 'stream: SYSTEM, keys: ["system.gpu.0.temp"], samples: 3');
      expect(rows.map((r) => r['system.gpu.0.temp'])).toHaveLength(3);
      expect(rows[0]['system.gpu.0.temp']).toBe(holding[0]['system.gpu.0.temp']);
      expect(rows[2]['system.gpu.0.temp']).toBe(holding[holding.length - 1]['system.gpu.0.temp']);
    });

    it('Run.sampledHistory(stream: SYSTEM, keys, xAxis) includes the x axis in each event row', async () => {
      const rows = await sampled('small', 'stream: SYSTEM, keys: ["system.gpu.0.temp"], xAxis: "_runtime", samples: 100');
      expect(rows).toEqual(EVENTS.filter((e) => 'system.gpu.0.temp' in e).map((e) => ({ _runtime: e._runtime, 'system.gpu.0.temp': e['system.gpu.0.temp'] })));
    });

    it.each([
      ['samples: 0', ''],
      ['samples: 10001', ''],
      ['samples: 0', ', keys: ["loss"]'],
      ['samples: 10001', ', stream: SYSTEM'],
    ])('Run.sampledHistory is BAD_USER_INPUT for %s%s', async (samples, rest) => {
      const res = await query(`{ run(path: "${E}/${P}/small") { sampledHistory(${samples}${rest}) } }`);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].path).toEqual(['run', 'sampledHistory']);
    });

    it('Run.sampledHistory accepts samples: 10000', async () => {
      expect(await sampled('sparse', 'samples: 10000')).toHaveLength(SPARSE.length);
    });
  });

  describe('history connection', () => {
    it('Run.history pages with first/after: each row exactly once, in step order, as logged', async () => {
      const { pages, steps } = await scan('small', {}, 30);
      expect(steps).toEqual(SMALL.map((r) => r._step));
      expect(pages).toHaveLength(4);
      expect(pages.map((p) => p.pageInfo.hasPreviousPage)).toEqual([false, true, true, true]);
      expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, true, false]);
      const values = pages.flatMap((p) => p.edges.map((e: any) => e.node.values));
      expect(values).toEqual(SMALL);
    });

    it('Run.history edges of plain fields (written as text) read exactly as the executor prints them through a fragment', async () => {
      const selections = [
        'cursor node { step values }',
        '__typename c: cursor n: node { __typename t: timestamp runtime step v: values }',
        'node { values timestamp }',
      ];
      for (const name of ['small', 'partial']) {
        for (const sel of selections) {
          const plain = await ok(`{ run(path: "${E}/${P}/${name}") { history(first: 12, minStep: 3) { edges { ${sel} } } } }`);
          const viaFragment = await ok(`{ run(path: "${E}/${P}/${name}") { history(first: 12, minStep: 3) { edges { ... on RunHistoryEdge { ${sel} } } } } }`);
          const skipped = await ok(`query Q($no: Boolean = false) { run(path: "${E}/${P}/${name}") { history(first: 12, minStep: 3) { edges { ${sel} cursor @skip(if: $no) } } } }`);
          expect(plain.run.history.edges).toHaveLength(12);
          // Same values, keys in the same order.
          expect(JSON.stringify(plain)).toBe(JSON.stringify(viaFragment));
          expect(skipped.run.history.edges.map((e: any) => e.node ?? e.n)).toEqual(plain.run.history.edges.map((e: any) => e.node ?? e.n));
        }
      }
      // Under _entities (as a gateway asks), each page in its own run's place.
      const entities = await ok(`query E($r: [_Any!]!) { _entities(representations: $r) { ... on Run { history(first: 2, minStep: 7) { edges { node { step values } } } } } }`, {
        r: ['small', 'partial'].map((name) => ({ __typename: 'Run', path: `${E}/${P}/${name}` })),
      });
      expect(entities._entities.map((run: any) => run.history.edges.map((e: any) => e.node))).toEqual([
        SMALL.slice(7, 9).map((r) => ({ step: r._step, values: r })),
        PARTIAL.slice(7, 9).map((r) => ({ step: r._step, values: r })),
      ]);
      // Two history connections under aliases, each in its place.
      const both = await ok(`{ run(path: "${E}/${P}/small") { a: history(first: 2) { edges { node { step } } } b: history(first: 2, minStep: 50) { edges { node { step } } } } }`);
      expect([both.run.a.edges, both.run.b.edges]).toEqual([[{ node: { step: 0 } }, { node: { step: 1 } }], [{ node: { step: 50 } }, { node: { step: 51 } }]]);
    });

    it('Run.history nodes carry timestamp and runtime from _timestamp and _runtime', async () => {
      const data = await ok(`{ run(path: "${E}/${P}/small") { history(first: 5, minStep: 40) { edges { node { step timestamp runtime } } } } }`);
      expect(data.run.history.edges.map((e: any) => e.node)).toEqual(SMALL.slice(40, 45).map((r) => ({ step: r._step, timestamp: r._timestamp, runtime: r._runtime })));
    });

    it('Run.history(minStep, maxStep) returns the steps from minStep up to, not including, maxStep', async () => {
      const { pages, steps } = await scan('small', { minStep: 10, maxStep: 20 }, 4);
      expect(steps).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(pages.map((p) => p.edges.length)).toEqual([4, 4, 2]);
      expect(pages[0].pageInfo.hasPreviousPage).toBe(false);
      expect(pages[2].pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      const one = await historyPage('small', { minStep: 10, maxStep: 20, first: 10 });
      expect(one.edges).toHaveLength(10);
      expect(one.pageInfo.hasNextPage).toBe(false);
    });

    it('Run.history is empty when maxStep is not above minStep, or minStep is past the last step', async () => {
      for (const vars of [{ minStep: 20, maxStep: 20 }, { minStep: 30, maxStep: 10 }, { minStep: 100 }, { minStep: 5000 }]) {
        const page = await historyPage('small', { ...vars, first: 10 });
        expect(page.edges).toEqual([]);
        expect(page.pageInfo.hasNextPage).toBe(false);
      }
    });

    it('Run.history(keys) returns the rows holding the keys with values of only those keys', async () => {
      const page = await historyPage('small', { keys: ['acc'], minStep: 5, maxStep: 50, first: 100 });
      expect(page.edges.map((e: any) => e.node)).toEqual([10, 20, 30, 40].map((s) => ({ step: s, values: { acc: SMALL[s].acc } })));
      const both = await historyPage('small', { keys: ['acc', 'note'], first: 100 });
      expect(both.edges.map((e: any) => e.node)).toEqual([0, 50].map((s) => ({ step: s, values: { acc: SMALL[s].acc, note: SMALL[s].note } })));
    });

    it('Run.history(keys) fills timestamp and runtime when selected and keeps values to the keys', async () => {
      const data = await ok(`{ run(path: "${E}/${P}/small") { history(keys: ["acc"], first: 3) { edges { node { step timestamp runtime values } } } } }`);
      expect(data.run.history.edges.map((e: any) => e.node)).toEqual(
        [0, 10, 20].map((s) => ({ step: s, timestamp: SMALL[s]._timestamp, runtime: SMALL[s]._runtime, values: { acc: SMALL[s].acc } })),
      );
    });

    it('Run.history(keys) returns the same rows whether or not timestamp and runtime are selected', async () => {
      const plain = await ok(`{ run(path: "${E}/${P}/partial") { history(keys: ["loss"]) { edges { node { step values } } } } }`);
      const timed = await ok(`{ run(path: "${E}/${P}/partial") { history(keys: ["loss"]) { edges { node { step timestamp runtime values } } } } }`);
      expect(plain.run.history.edges.map((e: any) => e.node)).toEqual(PARTIAL.map((r) => ({ step: r._step, values: { loss: r.loss } })));
      expect(timed.run.history.edges.map((e: any) => e.node)).toEqual(
        PARTIAL.map((r) => ({ step: r._step, timestamp: r._timestamp ?? null, runtime: r._runtime ?? null, values: { loss: r.loss } })),
      );
    });

    it('Run.history(keys) over a key logged every 50 steps returns full pages and no empty last page', async () => {
      const expected = SPARSE.filter((r) => 'val' in r).map((r) => r._step);
      const byThree = await scan('sparse', { keys: ['val'] }, 3);
      expect(byThree.steps).toEqual(expected);
      expect(byThree.pages.map((p) => p.edges.length)).toEqual([3, 3, 3, 3, 3, 3, 2]);
      // 20 rows in pages of 4: the fifth page is the last; no empty sixth page.
      const byFour = await scan('sparse', { keys: ['val'] }, 4);
      expect(byFour.steps).toEqual(expected);
      expect(byFour.pages.map((p) => p.edges.length)).toEqual([4, 4, 4, 4, 4]);
      const values = byFour.pages.flatMap((p) => p.edges.map((e: any) => e.node.values));
      expect(values).toEqual(SPARSE.filter((r) => 'val' in r).map((r) => ({ val: r.val })));
    });

    it('Run.history pages a run whose steps jump by 1,000 without short pages', async () => {
      const { pages, steps } = await scan('gaps', {}, 30);
      expect(steps).toEqual(GAPS.map((r) => r._step));
      expect(pages.map((p) => p.edges.length)).toEqual([30, 30, 30, 10]);
    });

    it('Run.history of a key never logged, or of a run without history, is an empty page', async () => {
      for (const [name, keys] of [
        ['small', ['never-logged']],
        ['empty', null],
        ['empty', ['loss']],
      ] as const) {
        const page = await historyPage(name, { keys, first: 10 });
        expect(page).toEqual({ edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
      }
    });

    it('Run.history after the last row is an empty page without a next page', async () => {
      const last = await historyPage('small', { minStep: 99, first: 10 });
      expect(last.edges.map((e: any) => e.node.step)).toEqual([99]);
      const after = await historyPage('small', { after: last.pageInfo.endCursor, first: 10 });
      expect(after.edges).toEqual([]);
      expect(after.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    });

    it('Run.history continues after a cursor when minStep is given too', async () => {
      const first = await historyPage('small', { minStep: 50, first: 5 });
      expect(first.edges.map((e: any) => e.node.step)).toEqual([50, 51, 52, 53, 54]);
      const next = await historyPage('small', { minStep: 50, first: 5, after: first.pageInfo.endCursor });
      expect(next.edges.map((e: any) => e.node.step)).toEqual([55, 56, 57, 58, 59]);
      expect(next.pageInfo.hasPreviousPage).toBe(true);
    });

    it.each([
      ['minStep: -1', 'minStep: -1'],
      ['first: 0', 'first: 0'],
      ['first: 10001', 'first: 10001'],
      ['a garbage cursor', 'after: "garbage"'],
      ['a history cursor with a negative step', `after: "${Buffer.from('v1:history:-5').toString('base64')}"`],
    ])('Run.history is BAD_USER_INPUT for %s', async (_label, args) => {
      const res = await query(`{ run(path: "${E}/${P}/small") { history(${args}) { edges { cursor } } } }`);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].path).toEqual(['run', 'history']);
    });
  });

  describe('a 100,000-step run', () => {
    let lines: string[];

    beforeAll(async () => {
      lines = Array.from({ length: BIG_STEPS }, (_, i) => bigLine(i));
      await createRun('big', lines, [], 10_000);
    }, 120_000);

    it('the 100,000 rows are ingested: lastStep is 99,999 and loss/val are history keys', async () => {
      const data = await ok(`{ run(path: "${E}/${P}/big") { lastStep historyKeys { key types } } }`);
      expect(data.run.lastStep).toBe(BIG_STEPS - 1);
      expect(data.run.historyKeys).toEqual(['_runtime', '_step', '_timestamp', 'final', 'loss', 'val'].map((key) => ({ key, types: ['number'] })));
    });

    it('Run.history(first: 1000) returns every row exactly once in step order, in at most 3 upstream requests a page', async () => {
      const counts: number[] = [];
      let after: string | null = null;
      let next = 0;
      let mismatches = 0;
      let lastPage: any = null;
      for (let page = 0; page < 200; page++) {
        let res: any;
        const { count } = await upstreamRequests(stack, async () => {
          res = await query(HISTORY_PAGE, { path: `${E}/${P}/big`, first: 1000, after });
        });
        expect(res.errors).toBeUndefined();
        counts.push(count);
        const h = res.data.run.history;
        for (const e of h.edges) {
          if (e.node.step !== next || JSON.stringify(e.node.values) !== lines[next]) mismatches++;
          next++;
        }
        lastPage = h;
        if (!h.pageInfo.hasNextPage) break;
        expect(h.edges).toHaveLength(1000);
        after = h.pageInfo.endCursor;
      }
      expect(mismatches).toBe(0);
      expect(next).toBe(BIG_STEPS);
      expect(counts).toHaveLength(100);
      expect(Math.max(...counts)).toBeLessThanOrEqual(3);
      expect(lastPage.pageInfo.hasNextPage).toBe(false);
      expect(lastPage.edges[lastPage.edges.length - 1].node.step).toBe(BIG_STEPS - 1);
    }, 180_000);

    it('Run.history(keys, first: 1000) over a key logged every 50 steps returns its 2,000 rows exactly once, in at most 3 upstream requests a page', async () => {
      const counts: number[] = [];
      const steps: number[] = [];
      const vals: unknown[] = [];
      let after: string | null = null;
      let hasNext = true;
      while (hasNext && counts.length < 20) {
        let res: any;
        const { count } = await upstreamRequests(stack, async () => {
          res = await query(HISTORY_PAGE, { path: `${E}/${P}/big`, first: 1000, after, keys: ['val'] });
        });
        expect(res.errors).toBeUndefined();
        counts.push(count);
        const h = res.data.run.history;
        steps.push(...h.edges.map((e: any) => e.node.step));
        vals.push(...h.edges.map((e: any) => e.node.values));
        hasNext = h.pageInfo.hasNextPage;
        if (hasNext) expect(h.edges).toHaveLength(1000);
        after = h.pageInfo.endCursor;
      }
      expect(steps).toHaveLength(2000);
      expect(steps.every((s, i) => s === i * 50)).toBe(true);
      expect(vals.every((v, i) => JSON.stringify(v) === JSON.stringify({ val: i }))).toBe(true);
      expect(counts).toHaveLength(2);
      expect(Math.max(...counts)).toBeLessThanOrEqual(3);
    }, 60_000);

    it('Run.history after a cursor near the end returns the last rows and no next page', async () => {
      const near = await historyPage('big', { minStep: 99_990, first: 1 });
      expect(near.edges.map((e: any) => e.node.step)).toEqual([99_990]);
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query(HISTORY_PAGE, { path: `${E}/${P}/big`, first: 1000, after: near.pageInfo.endCursor });
      });
      expect(res.errors).toBeUndefined();
      const h = res.data.run.history;
      expect(h.edges.map((e: any) => e.node.step)).toEqual([99_991, 99_992, 99_993, 99_994, 99_995, 99_996, 99_997, 99_998, 99_999]);
      expect(h.edges.map((e: any) => JSON.stringify(e.node.values))).toEqual(lines.slice(99_991));
      expect(h.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
      expect(count).toBeLessThanOrEqual(3);
    });

    it('Run.history(keys) after a cursor near the end returns the last row holding the key', async () => {
      const near = await historyPage('big', { keys: ['val'], minStep: 99_900, first: 1 });
      expect(near.edges.map((e: any) => e.node.step)).toEqual([99_900]);
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query(HISTORY_PAGE, { path: `${E}/${P}/big`, first: 1000, keys: ['val'], after: near.pageInfo.endCursor });
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.run.history.edges.map((e: any) => e.node)).toEqual([{ step: 99_950, values: { val: 1999 } }]);
      expect(res.data.run.history.pageInfo.hasNextPage).toBe(false);
      expect(count).toBeLessThanOrEqual(3);
    });

    it('Run.history pages from the middle of the run with a window of steps', async () => {
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query(HISTORY_PAGE, { path: `${E}/${P}/big`, first: 1000, minStep: 50_000, maxStep: 50_600 });
      });
      expect(res.errors).toBeUndefined();
      const steps = res.data.run.history.edges.map((e: any) => e.node.step);
      expect(steps).toHaveLength(600);
      expect(steps.every((s: number, i: number) => s === 50_000 + i)).toBe(true);
      expect(res.data.run.history.pageInfo.hasNextPage).toBe(false);
      expect(count).toBeLessThanOrEqual(3);
    });

    it('Run.history(keys, first: 10) over the key logged every 50 steps takes few upstream requests', async () => {
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query(HISTORY_PAGE, { path: `${E}/${P}/big`, first: 10, keys: ['val'], minStep: 70_001 });
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.run.history.edges.map((e: any) => e.node.step)).toEqual(Array.from({ length: 10 }, (_, i) => 70_050 + 50 * i));
      expect(res.data.run.history.pageInfo.hasNextPage).toBe(true);
      expect(count).toBeLessThanOrEqual(3);
    });

    it('Run.history(keys, first: 10) finds a key logged only at the last of 100,000 steps in at most 3 upstream requests', async () => {
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query(HISTORY_PAGE, { path: `${E}/${P}/big`, first: 10, keys: ['final'] });
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.run.history.edges.map((e: any) => e.node)).toEqual([{ step: BIG_STEPS - 1, values: { final: 0.125 } }]);
      expect(res.data.run.history.pageInfo.hasNextPage).toBe(false);
      expect(count).toBeLessThanOrEqual(3);
    });

    it('Run.sampledHistory of the 100,000-step run samples 500 rows evenly from the first to the last', async () => {
      const rows = await sampled('big', '');
      expect(rows).toHaveLength(500);
      const steps = rows.map((r) => r._step as number);
      expect(steps[0]).toBe(0);
      expect(steps[499]).toBe(BIG_STEPS - 1);
      expectEven(steps, BIG_STEPS - 1, 500);
      expect(rows.every((r) => JSON.stringify(r) === lines[r._step as number])).toBe(true);
      const val = await sampled('big', 'keys: ["val"], samples: 2000');
      expect(val).toHaveLength(2000);
      expect(val.every((r, i) => r._step === i * 50 && r.val === i)).toBe(true);
    });
  });
});

/** Steps strictly increasing and spread evenly: each gap within one of span / (samples - 1). */
function expectEven(steps: number[], span: number, samples: number): void {
  const gap = span / (samples - 1);
  for (let i = 1; i < steps.length; i++) {
    const d = steps[i] - steps[i - 1];
    if (d < Math.floor(gap) || d > Math.ceil(gap)) throw new Error(`uneven sample: steps ${steps[i - 1]} → ${steps[i]}, expected gaps of ${gap.toFixed(2)}`);
  }
}
