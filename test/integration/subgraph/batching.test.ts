/**
 * Upstream requests counted at the emulator: N runs never mean N upstream
 * calls, and only the selected fields are asked for.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, upstreamRequests, type Stack } from '../../helpers/stack.js';
import { storageId } from '../../../emulator/test/helpers/emulator.js';

const NESTED = `{ runs(entity: "acme-ml", project: "image-classification", first: 100) { nodes {
  path config summary sampledHistory(keys: ["train/loss"])
  files(first: 3) { edges { node { name } } }
  loggedArtifacts(first: 3) { totalCount } } } }`;

describe('batching', () => {
  let stack: Stack;
  let query: ReturnType<typeof subgraphClient>;
  beforeAll(async () => {
    stack = await startStack();
    query = subgraphClient(stack);
  });
  afterAll(() => stack.close());

  it('100 runs with config, summary, sampledHistory, files and artifact counts take at most 3 upstream requests', async () => {
    let res: any;
    const { count, queries } = await upstreamRequests(stack, async () => (res = await query(NESTED)));
    expect(res.errors).toBeUndefined();
    const nodes = res.data.runs.nodes;
    expect(nodes).toHaveLength(100);
    // Values are real: every run has its four seeded files and a loss history.
    expect(nodes.every((n: any) => n.files.edges.length === 3)).toBe(true);
    expect(nodes.every((n: any) => n.sampledHistory.length > 0 && n.sampledHistory.every((r: any) => typeof r['train/loss'] === 'number'))).toBe(true);
    expect(nodes.some((n: any) => n.loggedArtifacts.totalCount > 0)).toBe(true);
    expect(nodes.every((n: any) => typeof n.config === 'object' && typeof n.summary === 'object')).toBe(true);
    expect(count).toBeLessThanOrEqual(3);
    console.log(`upstream requests for 100 runs with nested fields: ${count}`, queries.map((q) => q.slice(0, 40)));
  });

  it('_entities with 100 Run representations over 3 projects, by id and by path, is 1 upstream request, in order, null for missing', async () => {
    const projects: Record<string, string[]> = {};
    for (const [entity, project] of [['acme-ml', 'image-classification'], ['acme-ml', 'llm-finetune'], ['demo', 'scratch']]) {
      const r = await query(`{ runs(entity: "${entity}", project: "${project}", first: 60) { nodes { runId } } }`);
      projects[`${entity}/${project}`] = r.data.runs.nodes.map((n: any) => n.runId);
    }
    const reps: Record<string, string>[] = [];
    const expected: (string | null)[] = [];
    const all = Object.entries(projects).flatMap(([p, ids]) => ids.map((id) => `${p}/${id}`));
    for (let i = 0; reps.length < 100; i++) {
      if (i % 17 === 5) {
        reps.push(i % 2 ? { __typename: 'Run', path: `acme-ml/llm-finetune/missing${i}` } : { __typename: 'Run', id: storageId('demo', 'scratch', `nope${i}`) });
        expected.push(null);
        continue;
      }
      const path = all[(i * 7) % all.length];
      const [entity, project, runId] = path.split('/');
      reps.push(i % 2 ? { __typename: 'Run', path } : { __typename: 'Run', id: storageId(entity, project, runId) });
      expected.push(path);
    }
    expect(new Set(expected.filter(Boolean).map((p) => p!.split('/').slice(0, 2).join('/'))).size).toBe(3);
    let res: any;
    const { count } = await upstreamRequests(stack, async () => {
      res = await query('query E($r: [_Any!]!) { _entities(representations: $r) { ... on Run { path displayName } } }', { r: reps });
    });
    expect(res.errors).toBeUndefined();
    expect(res.data._entities.map((e: any) => e?.path ?? null)).toEqual(expected);
    expect(count).toBe(1);
  });

  it('run(path) { id } asks upstream for no config, summary, system metrics or history keys', async () => {
    const { count, queries } = await upstreamRequests(stack, () => query('{ run(path: "acme-ml/image-classification/missing1") { id } }'));
    expect(count).toBe(1);
    const vars = stack.emulator.requests[0].variables;
    expect(vars).toMatchObject({ withConfig: false, withSummary: false, withSystemMetrics: false, withHistoryKeys: false });
    expect(queries[0]).toContain('@include(if: $withConfig)');
  });

  it('config(keys:) and summary(keys:) pass the projection upstream', async () => {
    const page = await query('{ runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path } } }');
    const path = page.data.runs.nodes[0].path;
    await upstreamRequests(stack, () => query(`{ run(path: "${path}") { config(keys: ["lr"]) summary(keys: ["train/loss"]) } }`));
    expect(stack.emulator.requests[0].variables).toMatchObject({ withConfig: true, configKeys: ['lr'], withSummary: true, summaryKeys: ['train/loss'] });
  });

  it('a sweep shared by many runs is fetched once', async () => {
    const res: any = await query('{ runs(entity: "acme-ml", project: "image-classification", first: 200) { nodes { sweep { name } } } }');
    const withSweep = res.data.runs.nodes.filter((n: any) => n.sweep);
    expect(withSweep.length).toBeGreaterThan(10);
    await upstreamRequests(stack, () => query('{ runs(entity: "acme-ml", project: "image-classification", first: 200) { nodes { sweep { name } } } }'));
    const sweepRequests = stack.emulator.requests.filter((r) => r.query.includes('sweep(sweepName'));
    expect(sweepRequests).toHaveLength(1);
    expect(Object.keys(sweepRequests[0].variables)).toHaveLength(3);
  });
});
