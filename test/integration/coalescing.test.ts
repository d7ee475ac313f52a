/**
 * Identical upstream reads in flight at the same moment for the same caller
 * are sent once; anything else (another caller, other variables, a read
 * after the first ended, a mutation) is sent as asked. Counted at the
 * emulator, which holds each request for 150 ms so that they overlap.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, type Stack } from '../helpers/stack.js';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../emulator/src/seed.js';

const RUN = 'query R($path: String!) { run(path: $path) { path state displayName } }';
const RENAME = 'mutation M($input: UpdateRunInput!) { updateRun(input: $input) { run { displayName } } }';

describe('request coalescing', () => {
  let stack: Stack;
  let demo: ReturnType<typeof subgraphClient>;
  let other: ReturnType<typeof subgraphClient>;
  let paths: string[];

  /** The upstream requests `work` causes, split into reads and mutations. */
  async function counted(work: () => Promise<unknown>) {
    stack.emulator.resetRequests();
    await work();
    const sent = stack.emulator.requests.slice(-stack.emulator.requestCount());
    const mutations = sent.filter((r) => /^\s*mutation\b/.test(r.query)).length;
    return { reads: sent.length - mutations, mutations };
  }

  beforeAll(async () => {
    stack = await startStack();
    demo = subgraphClient(stack, DEMO_API_KEY);
    other = subgraphClient(stack, OTHER_API_KEY);
    const page = await demo('{ runs(entity: "acme-ml", project: "llm-finetune", first: 2) { nodes { path } } }');
    paths = page.data.runs.nodes.map((n: { path: string }) => n.path);
    stack.emulator.setDelay(150);
  }, 30_000);
  afterAll(() => stack.close());

  it('10 identical queries at once from one caller cost 1 upstream request, and each gets the whole answer', async () => {
    let answers: any[] = [];
    const { reads } = await counted(async () => {
      answers = await Promise.all(Array.from({ length: 10 }, () => demo(RUN, { path: paths[0] })));
    });
    expect(reads).toBe(1);
    const metrics = await (await fetch(stack.subgraph.url.replace(/\/graphql$/, '/metrics'))).text();
    expect(metrics).toMatch(/^upstream_reads_coalesced_total 9$/m);
    for (const a of answers) expect(a).toEqual({ status: 200, data: { run: { path: paths[0], state: expect.any(String), displayName: expect.any(String) } } });
  });

  it('sampled history (kept as W&B\'s text) reaches every caller sharing the read, rows and all', async () => {
    const SAMPLED = 'query S($path: String!) { run(path: $path) { sampledHistory(keys: ["train/loss"], samples: 20) } }';
    let answers: any[] = [];
    const { reads } = await counted(async () => {
      answers = await Promise.all(Array.from({ length: 4 }, () => demo(SAMPLED, { path: paths[0] })));
    });
    expect(reads).toBe(1);
    const rows = answers[0].data.run.sampledHistory;
    expect(rows.length).toBeGreaterThan(1);
    expect(rows[0]).toEqual({ _step: expect.any(Number), 'train/loss': expect.any(Number) });
    for (const a of answers) expect(a).toEqual({ status: 200, data: { run: { sampledHistory: rows } } });
  });

  it('the same query from two callers is sent once per caller, and each sees only what its key may see', async () => {
    let answers: any[] = [];
    const { reads } = await counted(async () => {
      answers = await Promise.all([demo(RUN, { path: paths[0] }), other(RUN, { path: paths[0] }), demo(RUN, { path: paths[0] }), other(RUN, { path: paths[0] })]);
    });
    expect(reads).toBe(2);
    expect(answers[0].data.run.path).toBe(paths[0]);
    expect(answers[1].data.run).toBeNull();
  });

  it('queries with other variables are not merged, and a query after the first ended is sent again', async () => {
    expect((await counted(() => Promise.all([demo(RUN, { path: paths[0] }), demo(RUN, { path: paths[1] })]))).reads).toBe(1 + 1);
    expect((await counted(async () => { await demo(RUN, { path: paths[0] }); await demo(RUN, { path: paths[0] }); })).reads).toBe(2);
  });

  it('identical mutations at once are each sent', async () => {
    const input = { path: paths[1], displayName: 'coalesce-check' };
    const one = await counted(() => demo(RENAME, { input }));
    expect(one.mutations).toBeGreaterThan(0);
    const five = await counted(() => Promise.all(Array.from({ length: 5 }, () => demo(RENAME, { input }))));
    expect(five.mutations).toBe(5 * one.mutations);
  });
});
