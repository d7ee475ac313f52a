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

  it('100 runs with config, summary, sampledHistory, files and artifact counts take 1 upstream request', async () => {
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
    expect(count).toBe(1);
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
    // Each run looked up by name under its project, as W&B's clients do; no run filters.
    const sent = stack.emulator.requests[0].query;
    expect(sent).toContain('run(name:');
    expect(sent).not.toContain('runs(filters');
    expect(sent.match(/: project\(/g)).toHaveLength(3);
  });

  it('run(path) { id } asks upstream for the run\'s id alone: no config, summary, system metrics or history keys', async () => {
    const { count, queries } = await upstreamRequests(stack, () => query('{ run(path: "acme-ml/image-classification/missing1") { id } }'));
    expect(count).toBe(1);
    expect(queries[0]).toMatch(/run\(name: \$v\d+\) \{ name id state \}/);
    for (const heavy of ['config', 'summaryMetrics', 'systemMetrics', 'historyKeys', 'RunFields']) expect(queries[0]).not.toContain(heavy);
  });

  it('config(keys:) and summary(keys:) pass the projection upstream', async () => {
    const page = await query('{ runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path } } }');
    const path = page.data.runs.nodes[0].path;
    await upstreamRequests(stack, () => query(`{ run(path: "${path}") { config(keys: ["lr"]) summary(keys: ["train/loss"]) } }`));
    const { query: sent, variables } = stack.emulator.requests[0];
    const config = /config\(keys: \$(v\d+)\)/.exec(sent)!;
    const summary = /summaryMetrics\(keys: \$(v\d+)\)/.exec(sent)!;
    expect(variables[config[1]]).toEqual(['lr']);
    expect(variables[summary[1]]).toEqual(['train/loss']);
  });

  it('a page of runs reads only the run fields the query selects', async () => {
    const { queries } = await upstreamRequests(stack, () => query('{ runs(entity: "acme-ml", project: "image-classification", first: 5) { nodes { runId state username } } }'));
    // createdAt: the paging order reads it (runsPaging.ts).
    expect(queries[0]).toContain('node { name id createdAt state user { username } }');
  });

  it('files and artifacts are read with W&B cursors only when the query pages them, and page the same either way', async () => {
    const runs = (sel: string) => `{ runs(entity: "acme-ml", project: "image-classification", first: 4) { nodes { files(first: 2) { ${sel} } loggedArtifacts(first: 1) { ${sel.replace('name', 'id')} } } } }`;
    const bare = await upstreamRequests(stack, () => query(runs('edges { node { name } }')));
    expect(bare.queries[0]).not.toMatch(/cursor|endCursor/);
    for (const sel of ['edges { cursor node { name } }', 'edges { node { name } } pageInfo { hasNextPage endCursor }']) {
      let res: any;
      const { queries } = await upstreamRequests(stack, async () => (res = await query(runs(sel))));
      expect(res.errors).toBeUndefined();
      expect(queries[0].match(/edges \{ cursor node/g)).toHaveLength(2);
      expect(queries[0].match(/pageInfo \{ hasNextPage endCursor \}/g)).toHaveLength(2);
    }
    // The cursors read that way page on: the second page of files follows the first.
    const first = await query('{ runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path files(first: 2) { pageInfo { hasNextPage endCursor } edges { node { name } } } } } }');
    const run = first.data.runs.nodes[0];
    expect(run.files.pageInfo.hasNextPage).toBe(true);
    const next = await query(`{ run(path: "${run.path}") { files(first: 2, after: "${run.files.pageInfo.endCursor}") { edges { node { name } } } } }`);
    const all = await query(`{ run(path: "${run.path}") { files(first: 4) { edges { node { name } } } } }`);
    expect([...run.files.edges, ...next.data.run.files.edges].map((e: any) => e.node.name)).toEqual(all.data.run.files.edges.map((e: any) => e.node.name));
  });

  it('a field selected twice under one response key (selections merged, as in fragments) is read in the same 1 request', async () => {
    const twice = (a: string, b: string) => `fragment F on Run { ${b} } { runs(entity: "acme-ml", project: "image-classification", first: 3) { nodes { ${a} ...F } } }`;
    for (const [a, b] of [
      ['files(first: 2) { edges { node { name } } }', 'files(first: 2) { edges { node { url } } pageInfo { hasNextPage } }'],
      ['file(name: "output.log") { name }', 'file(name: "output.log") { sizeBytes }'],
      ['history(first: 2) { edges { node { step } } }', 'history(first: 2) { edges { node { timestamp } } }'],
      ['loggedArtifacts(first: 2) { totalCount }', 'loggedArtifacts(first: 2) { edges { cursor } }'],
    ]) {
      let res: any;
      const { count } = await upstreamRequests(stack, async () => (res = await query(twice(a, b))));
      expect(res.errors).toBeUndefined();
      expect([a, count]).toEqual([a, 1]);
      expect(res.data.runs.nodes).toHaveLength(3);
    }
  });

  it('one document with variables in nested arguments serves each request with its own: files, artifacts, file and history', async () => {
    const document = `query Q($n: Int!, $name: String!, $paging: Boolean!) { runs(entity: "acme-ml", project: "image-classification", first: 3) { nodes {
      files(first: $n) { edges { cursor @include(if: $paging) node { name } } } loggedArtifacts(first: $n) { edges { node { id } } }
      file(name: $name) { name } lastStep history(first: $n) { edges { node { step } } } } } }`;
    for (const [n, name, paging] of [[1, 'output.log', false], [3, 'config.yaml', true], [2, 'output.log', true]] as const) {
      let res: any;
      const { count } = await upstreamRequests(stack, async () => (res = await query(document, { n, name, paging })));
      expect(res.errors).toBeUndefined();
      expect(count).toBe(1);
      for (const node of res.data.runs.nodes) {
        expect(node.files.edges).toHaveLength(n);
        expect(node.files.edges.every((e: any) => ('cursor' in e) === paging)).toBe(true);
        expect(node.loggedArtifacts.edges.length).toBeLessThanOrEqual(n);
        expect(node.file?.name ?? name).toBe(name);
        expect(node.history.edges).toHaveLength(Math.min(n, node.lastStep + 1));
      }
    }
  });

  it('sweeps are read with the page of runs: 1 upstream request', async () => {
    let res: any;
    const { count } = await upstreamRequests(stack, async () => (res = await query('{ runs(entity: "acme-ml", project: "image-classification", first: 200) { nodes { sweep { name } } } }')));
    const withSweep = res.data.runs.nodes.filter((n: any) => n.sweep);
    expect(withSweep.length).toBeGreaterThan(10);
    expect(withSweep.every((n: any) => typeof n.sweep.name === 'string')).toBe(true);
    expect(count).toBe(1);
  });

  describe('mixed arguments in one document', () => {
    const page = (nodes: string, first = 20) => `{ runs(entity: "acme-ml", project: "image-classification", first: ${first}) { nodes { runId ${nodes} } } }`;

    it('two aliases of sampledHistory with different keys: 1 request, each alias its own rows', async () => {
      let res: any;
      const { count } = await upstreamRequests(stack, async () => (res = await query(page('loss: sampledHistory(keys: ["train/loss"], samples: 20) acc: sampledHistory(keys: ["train/acc"], samples: 7)'))));
      expect(res.errors).toBeUndefined();
      expect(count).toBe(1);
      const alone = await query(page('sampledHistory(keys: ["train/acc"], samples: 7)'));
      for (const [i, n] of res.data.runs.nodes.entries()) {
        expect(n.loss.length).toBeGreaterThan(0);
        expect(n.loss.every((r: any) => 'train/loss' in r && !('train/acc' in r))).toBe(true);
        expect(n.acc.length).toBeLessThanOrEqual(7);
        expect(n.acc).toEqual(alone.data.runs.nodes[i].sampledHistory);
      }
    });

    it('config and summary under several aliases with different keys: 1 request, each alias projected', async () => {
      let res: any;
      const { count } = await upstreamRequests(stack, async () => (res = await query(page('a: config(keys: ["lr"]) b: config(keys: ["batch_size"]) s: summary(keys: ["train/loss"]) all: summary'))));
      expect(res.errors).toBeUndefined();
      expect(count).toBe(1);
      const withLr = res.data.runs.nodes.filter((n: any) => 'lr' in n.a);
      expect(withLr.length).toBeGreaterThan(0);
      expect(res.data.runs.nodes.every((n: any) => Object.keys(n.a).every((k) => k === 'lr') && Object.keys(n.b).every((k) => k === 'batch_size'))).toBe(true);
      expect(res.data.runs.nodes.every((n: any) => Object.keys(n.s).every((k) => k === 'train/loss') && Object.keys(n.all).length >= Object.keys(n.s).length)).toBe(true);
    });

    it('files pages with different arguments, artifacts with and without edges, history and histories: 1 request', async () => {
      let res: any;
      const q = `{ runs(entity: "acme-ml", project: "image-classification", first: 10) {
        histories(keys: ["train/loss"], samples: 5)
        nodes { runId f1: files(first: 1) { totalCount edges { node { name } } } f3: files(first: 3) { edges { node { name } } }
          loggedArtifacts { totalCount } arts: loggedArtifacts(first: 2) { edges { node { id } } }
          history(first: 5, keys: ["train/loss"]) { edges { node { step timestamp values } } pageInfo { hasNextPage } } } } }`;
      const { count } = await upstreamRequests(stack, async () => (res = await query(q)));
      expect(res.errors).toBeUndefined();
      expect(count).toBe(1);
      for (const n of res.data.runs.nodes) {
        expect(n.f1.edges).toHaveLength(1);
        expect(n.f3.edges.length).toBeGreaterThan(1);
        expect(n.f1.edges[0].node.name).toBe(n.f3.edges[0].node.name);
        expect(n.f1.totalCount).toBeGreaterThanOrEqual(n.f3.edges.length);
        expect(n.arts.edges.length).toBeLessThanOrEqual(Math.min(2, n.loggedArtifacts.totalCount));
        expect(n.history.edges.length).toBeGreaterThan(0);
        expect(n.history.edges.every((e: any) => typeof e.node.values['train/loss'] === 'number' && typeof e.node.timestamp === 'number')).toBe(true);
      }
      expect(res.data.runs.histories.length).toBeGreaterThan(0);
      expect(res.data.runs.histories.every((r: any) => typeof r.runId === 'string' && 'train/loss' in r)).toBe(true);
    });

    it('_entities with nested fields: 1 request for references and their fields', async () => {
      const page1 = await query(page('path', 30));
      const reps = page1.data.runs.nodes.map((n: any) => ({ __typename: 'Run', path: n.path }));
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query('query E($r: [_Any!]!) { _entities(representations: $r) { ... on Run { path summary(keys: ["train/loss"]) sampledHistory(keys: ["train/loss"], samples: 3) files(first: 2) { edges { node { name } } } } } }', { r: reps });
      });
      expect(res.errors).toBeUndefined();
      expect(count).toBe(1);
      expect(res.data._entities.map((e: any) => e.path)).toEqual(reps.map((r: any) => r.path));
      expect(res.data._entities.every((e: any) => e.sampledHistory.length > 0 && e.files.edges.length > 0)).toBe(true);
    });

    it('two root run fields with different selections: 1 request', async () => {
      const paths = (await query(page('path', 2))).data.runs.nodes.map((n: any) => n.path);
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query(`{ a: run(path: "${paths[0]}") { path config(keys: ["lr"]) } b: run(path: "${paths[1]}") { path sampledHistory(keys: ["train/loss"], samples: 4) } }`);
      });
      expect(res.errors).toBeUndefined();
      expect(count).toBe(1);
      expect(res.data.a.path).toBe(paths[0]);
      expect(res.data.b.sampledHistory.length).toBeGreaterThan(0);
    });

    it('root fields of different kinds (two runs pages, a run, a node) go as 1 request, each with the answer it gets alone', async () => {
      const paths = (await query(page('path', 2))).data.runs.nodes.map((n: any) => n.path);
      const [entity, project, runId] = paths[1].split('/');
      const nodeId = Buffer.from(`Run:v1:${runId}:${project}:${entity}`).toString('base64');
      const fields = {
        a: `a: runs(entity: "acme-ml", project: "image-classification", first: 3) { totalCount nodes { path config(keys: ["lr"]) sampledHistory(keys: ["train/loss"], samples: 5) files(first: 2) { edges { node { name } } } } }`,
        b: `b: runs(entity: "acme-ml", project: "llm-finetune", first: 2) { edges { cursor node { path summary } } }`,
        c: `c: run(path: "${paths[0]}") { path state loggedArtifacts(first: 2) { totalCount } }`,
        d: `d: node(id: "${nodeId}") { ... on Run { path displayName } }`,
      };
      let together: any;
      const { count } = await upstreamRequests(stack, async () => {
        together = await query(`{ ${Object.values(fields).join(' ')} }`);
      });
      expect(together.errors).toBeUndefined();
      expect(count).toBe(1);
      for (const [key, field] of Object.entries(fields)) {
        const alone = await query(`{ ${field} }`);
        expect([key, together.data[key]]).toEqual([key, alone.data[key]]);
      }
      expect(together.data.d.path).toBe(paths[1]);
    });

    it('an error W&B gives one root field sent with others is that field\'s, as when it goes alone', async () => {
      const path = (await query(page('path', 1))).data.runs.nodes[0].path;
      const bad = 'a: runs(entity: "acme-ml", project: "image-classification", first: 2, filters: $f) { nodes { path } }';
      const variables = { f: { 'config.lr': { $regex: '(' } } };
      let together: any;
      const { count } = await upstreamRequests(stack, async () => {
        together = await query(`query Q($f: JSON) { ${bad} b: run(path: "${path}") { path } c: run(path: "acme-ml/no-such-project/nope") { path } }`, variables);
      });
      expect(count).toBe(1);
      const alone = await query(`query Q($f: JSON) { ${bad} }`, variables);
      const shape = (r: any) => (r.errors ?? []).map((e: any) => [e.path, e.extensions.code, e.message]);
      expect(shape(together)).toEqual(shape(alone));
      expect(shape(together)).toEqual([[['a'], 'BAD_USER_INPUT', expect.stringContaining('W&B: filter on "config.lr"')]]);
      // Query.runs is non-null: its error nulls the whole data, alone or not.
      expect(together.data).toBeNull();
      const fine = await query(`{ b: run(path: "${path}") { path } c: run(path: "acme-ml/no-such-project/nope") { path } }`);
      expect(fine.data).toEqual({ b: { path }, c: null });
    });

    it('the history of runs listed by Query.runs is not read ahead', async () => {
      const q = page('state history(first: 2) { edges { node { step } } pageInfo { hasNextPage } }', 5);
      let res: any;
      const { count } = await upstreamRequests(stack, async () => {
        res = await query(q);
        // Read-ahead would start in the background after the answer.
        await new Promise((r) => setTimeout(r, 300));
      });
      expect(res.errors).toBeUndefined();
      expect(res.data.runs.nodes.some((n: any) => n.state === 'FINISHED' && n.history.pageInfo.hasNextPage)).toBe(true);
      expect(count).toBe(1);
    });

    it('the history of a run looked up by path is read ahead only for a query that can ask for the next page', async () => {
      const listed = await query(page('path state history(first: 2) { pageInfo { hasNextPage } }', 20));
      const ended = listed.data.runs.nodes.find((n: any) => n.state === 'FINISHED' && n.history.pageInfo.hasNextPage);
      expect(ended).toBeDefined();
      // Pages of different sizes: an ended run's page once read is served again from memory.
      // Read-ahead starts in the background, after the page: counted for up to 2 s (or until a second request).
      const requestsFor = async (first: number, selection: string) => {
        let res: any;
        const { count } = await upstreamRequests(stack, async () => {
          res = await query(`{ run(path: "${ended.path}") { history(first: ${first}) { ${selection} } } }`);
          for (let waited = 0; waited < 2_000 && stack.emulator.requestCount() < 2; waited += 50) await new Promise((r) => setTimeout(r, 50));
        });
        expect(res.errors).toBeUndefined();
        expect(res.data.run.history.edges).toHaveLength(first);
        return count;
      };
      // No cursor and no page info: nothing a next page could start from, so only the page itself.
      expect(await requestsFor(2, 'edges { node { step } }')).toBe(1);
      // A cursor read: the next pages are read ahead (their windows asked for in a second request).
      expect(await requestsFor(3, 'edges { cursor node { step } } pageInfo { endCursor }')).toBe(2);
    });
  });
});
