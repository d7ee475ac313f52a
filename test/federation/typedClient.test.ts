/**
 * The typed client example (examples/typed-client/) stays usable: it
 * type-checks on its own, its generated client matches the published SDL and
 * its documents, and every operation it defines works against a live
 * subgraph, through its own `request()`.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { startStack, type Stack } from '../helpers/stack.js';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { GraphQLRequestError, request } from '../../examples/typed-client/client.js';
import { formatRunRow, listRuns, scanHistory, uploadFile, type Endpoint } from '../../examples/typed-client/example.js';
import { getFragmentData } from '../../examples/typed-client/gql/index.js';
import { CreateRun, HistoryScan, RunPage, RunRow, RunsTable, UpdateRunNotes } from '../../examples/typed-client/operations.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TEAM = 'acme-ml';
const PROJECT = 'image-classification';
const SLOW = 60_000;

/** Runs a Node script of a dev dependency from the project root; throws with its output when it exits non-zero. */
function runNode(script: string, args: string[]): string {
  try {
    return execFileSync(process.execPath, [script, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
      // Not jest's --experimental-vm-modules: the tools run as they do from a shell.
      env: { ...process.env, NODE_OPTIONS: '', FORCE_COLOR: '0' },
    });
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    throw new Error(`${script} ${args.join(' ')} exited with ${err.status}:\n${err.stdout ?? ''}${err.stderr ?? ''}`);
  }
}

describe('the typed client example', () => {
  it(
    'type-checks on its own (tsc -p examples/typed-client/tsconfig.json exits 0)',
    () => {
      expect(runNode('node_modules/typescript/bin/tsc', ['-p', 'examples/typed-client/tsconfig.json'])).toBe('');
    },
    SLOW,
  );

  it(
    'has an up-to-date generated client (graphql-codegen --check exits 0)',
    () => {
      const out = runNode('node_modules/@graphql-codegen/cli/esm/bin.js', ['--config', 'examples/typed-client/codegen.ts', '--check']);
      expect(out).not.toMatch(/stale/i);
    },
    SLOW,
  );
});

describe('the typed client example against a live subgraph', () => {
  let stack: Stack;
  let endpoint: Endpoint;

  beforeAll(async () => {
    stack = await startStack();
    endpoint = { url: stack.subgraph.url, apiKey: DEMO_API_KEY };
  }, SLOW);
  afterAll(() => stack?.close());

  describe('RunsTable', () => {
    it('pages through all 103 runs of acme-ml/image-classification 40 at a time, in creation order, with no duplicates', async () => {
      const { totalCount, pages, rows } = await listRuns(endpoint, { entity: TEAM, project: PROJECT, summaryKeys: ['val/acc'], configKeys: ['lr'] }, 40);
      expect(totalCount).toBe(103);
      expect(pages).toBe(3);
      expect(rows).toHaveLength(103);
      expect(new Set(rows.map((r) => r.path)).size).toBe(103);
      expect(new Set(rows.map((r) => r.cursor)).size).toBe(103);
      const created = rows.map((r) => r.createdAt);
      expect(created).toEqual([...created].sort());
      for (const row of rows) {
        expect(row.path).toMatch(new RegExp(`^${TEAM}/${PROJECT}/[a-z0-9]{8}$`));
        expect(['PENDING', 'RUNNING', 'FINISHED', 'CRASHED', 'FAILED', 'KILLED', 'PREEMPTING', 'PREEMPTED']).toContain(row.state);
        expect(row.username).toBe('demo');
        expect(Array.isArray(row.tags)).toBe(true);
        // Only the requested keys come back (a run without one leaves it out).
        expect(['val/acc']).toEqual(expect.arrayContaining(Object.keys(row.summary as object)));
        expect(['lr']).toEqual(expect.arrayContaining(Object.keys(row.config as object)));
      }
      expect(rows.every((r) => 'val/acc' in (r.summary as object))).toBe(true);
      expect(rows.filter((r) => 'lr' in (r.config as object)).length).toBeGreaterThan(80); // eval runs have no lr
    });

    it('filtered by {"state": "finished"}, counts exactly the FINISHED runs it pages through', async () => {
      const all = await listRuns(endpoint, { entity: TEAM, project: PROJECT }, 40);
      const finished = await listRuns(endpoint, { entity: TEAM, project: PROJECT, filters: { state: 'finished' } }, 40);
      expect(finished.rows.length).toBeGreaterThan(0);
      expect(finished.rows.every((r) => r.state === 'FINISHED')).toBe(true);
      expect(finished.totalCount).toBe(finished.rows.length);
      expect(finished.totalCount).toBe(all.rows.filter((r) => r.state === 'FINISHED').length);
      expect(finished.totalCount).toBeLessThan(all.totalCount);
    });

    it('orders by a summary metric, and its rows stay masked until getFragmentData reveals them', async () => {
      const page = await request(endpoint.url, RunsTable, { entity: TEAM, project: PROJECT, order: '-summary_metrics.val/acc', first: 5, summaryKeys: ['val/acc'] }, DEMO_API_KEY);
      expect(page.runs.edges).toHaveLength(5);
      expect(page.runs.pageInfo.hasNextPage).toBe(true);
      const rows = page.runs.edges.map((e) => getFragmentData(RunRow, e.node));
      const acc = rows.map((r) => (r.summary as { 'val/acc': number })['val/acc']);
      expect(acc).toEqual([...acc].sort((a, b) => b - a));
      expect(formatRunRow(page.runs.edges[0]!.node)).toContain(rows[0]!.path);
      // Checked by the root `tsc --noEmit`: a query's row is opaque, so reading a RunRow field straight off it does not compile.
      // @ts-expect-error fragment masking hides `path` until getFragmentData(RunRow, node)
      expect(page.runs.edges[0]!.node.path).toBe(rows[0]!.path);
    });
  });

  describe('RunPage and HistoryScan', () => {
    /** The longest run of the project (the one with the most history to chart). */
    let longest: string;

    beforeAll(async () => {
      const { rows } = await listRuns(endpoint, { entity: TEAM, project: PROJECT, summaryKeys: ['_step'] }, 200);
      const steps = (r: (typeof rows)[number]) => (r.summary as { _step?: number })._step ?? -1;
      longest = rows.reduce((a, b) => (steps(b) > steps(a) ? b : a)).path;
    });

    it('returns the run page with sampled chart rows holding exactly _step and the requested keys', async () => {
      const { run } = await request(endpoint.url, RunPage, { path: longest, keys: ['train/loss', 'val/acc'], samples: 10 }, DEMO_API_KEY);
      expect(run).not.toBeNull();
      expect(run!.path).toBe(longest);
      expect(run!.url).toMatch(/^https?:\/\//);
      expect(run!.lastStep).toBeGreaterThan(100);
      expect(run!.historyKeys.map((k) => k.key)).toEqual(expect.arrayContaining(['_step', 'train/loss', 'val/acc']));
      expect(run!.historyKeys.find((k) => k.key === 'val/acc')!.types).toEqual(['number']);

      const rows = run!.sampledHistory as Record<string, number>[];
      expect(rows.length).toBeGreaterThan(1);
      expect(rows.length).toBeLessThanOrEqual(10);
      for (const row of rows) {
        expect(Object.keys(row).sort()).toEqual(['_step', 'train/loss', 'val/acc']);
        expect(typeof row['val/acc']).toBe('number');
      }
      const steps = rows.map((r) => r._step!);
      expect(steps).toEqual([...steps].sort((a, b) => a - b));
      expect(steps.at(-1)).toBeLessThanOrEqual(run!.lastStep!);

      expect(run!.files.totalCount).toBeGreaterThanOrEqual(run!.files.edges.length);
      expect(run!.files.edges.length).toBeGreaterThan(0);
      for (const { node } of run!.files.edges) {
        expect(node.name).toBeTruthy();
        expect(Number.isInteger(node.sizeBytes)).toBe(true);
      }
    });

    it('lists the artifacts a run logged and used with their qualified names', async () => {
      // The project's first run prepares the dataset that later runs use.
      const first = await request(endpoint.url, RunsTable, { entity: TEAM, project: PROJECT, first: 1 }, DEMO_API_KEY);
      const { run } = await request(endpoint.url, RunPage, { path: getFragmentData(RunRow, first.runs.edges[0]!.node).path }, DEMO_API_KEY);
      expect(run!.loggedArtifacts.totalCount).toBeGreaterThan(0);
      const logged = run!.loggedArtifacts.edges.map((e) => e.node);
      for (const a of logged) expect(a.qualifiedName).toMatch(new RegExp(`^${TEAM}/${PROJECT}/[^/:]+:v\\d+$`));
      expect(logged.map((a) => a.type)).toContain('dataset');

      const { run: longRun } = await request(endpoint.url, RunPage, { path: longest }, DEMO_API_KEY);
      expect(longRun!.usedArtifacts.totalCount).toBeGreaterThan(0);
      for (const { node } of longRun!.usedArtifacts.edges) {
        expect(node.qualifiedName).toMatch(new RegExp(`^${TEAM}/${PROJECT}/[^/:]+:v\\d+$`));
        expect(Array.isArray(node.aliases)).toBe(true);
      }
    });

    it('scans full-resolution history page by page in increasing step order, matching the sampled rows', async () => {
      const points = await scanHistory(endpoint, longest, ['val/acc'], 7);
      expect(points).not.toBeNull();
      expect(points!.length).toBeGreaterThan(7); // more than one page
      const steps = points!.map((p) => p.step);
      for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeGreaterThan(steps[i - 1]!);
      // val/acc is logged every 50 steps.
      expect(steps.every((s) => s % 50 === 0)).toBe(true);
      for (const p of points!) expect(Object.keys(p.values as object)).toEqual(['val/acc']);

      // Asked for every row, sampling returns the same rows the scan did.
      const { run } = await request(endpoint.url, RunPage, { path: longest, keys: ['val/acc'], samples: 10_000 }, DEMO_API_KEY);
      const sampled = run!.sampledHistory as { _step: number; 'val/acc': number }[];
      expect(sampled.map((r) => r._step)).toEqual(steps);
      expect(sampled.map((r) => r['val/acc'])).toEqual(points!.map((p) => (p.values as { 'val/acc': number })['val/acc']));
    });

    it('gives one page per request, and the cursor continues after the last row', async () => {
      const one = await request(endpoint.url, HistoryScan, { path: longest, keys: ['val/acc'], first: 3 }, DEMO_API_KEY);
      const next = await request(endpoint.url, HistoryScan, { path: longest, keys: ['val/acc'], first: 3, after: one.run!.history.pageInfo.endCursor }, DEMO_API_KEY);
      const all = await request(endpoint.url, HistoryScan, { path: longest, keys: ['val/acc'], first: 6 }, DEMO_API_KEY);
      expect(one.run!.history.edges).toHaveLength(3);
      expect(one.run!.history.pageInfo.hasNextPage).toBe(true);
      expect([...one.run!.history.edges, ...next.run!.history.edges].map((e) => e.node.step)).toEqual(all.run!.history.edges.map((e) => e.node.step));
    });
  });

  describe('mutations', () => {
    const project = 'typed-client';

    it('CreateRun, UpdateRunNotes and StartFileUpload change what the next RunPage returns', async () => {
      const created = await request(endpoint.url, CreateRun, { input: { entity: TEAM, project, runId: 'typed001', displayName: 'typed run' } }, DEMO_API_KEY);
      const path = created.createRun.run.path;
      expect(created.createRun.run).toEqual({ path: `${TEAM}/${project}/typed001`, state: 'RUNNING' });

      const before = await request(endpoint.url, RunPage, { path }, DEMO_API_KEY);
      expect(before.run).toMatchObject({ path, displayName: 'typed run', state: 'RUNNING', notes: null, tags: [], lastStep: null });
      expect(before.run!.files.edges.map((e) => e.node.name)).not.toContain('notes/summary.md');

      const updated = await request(endpoint.url, UpdateRunNotes, { path, notes: 'Tried label smoothing 0.1.', tags: ['typed-client', 'smoothing'] }, DEMO_API_KEY);
      expect(updated.updateRun.run).toEqual({ path, notes: 'Tried label smoothing 0.1.', tags: ['typed-client', 'smoothing'] });

      const body = '# Summary\nLabel smoothing helps.\n';
      expect(await uploadFile(endpoint, path, 'notes/summary.md', body)).toBe('notes/summary.md');

      const after = await request(endpoint.url, RunPage, { path }, DEMO_API_KEY);
      expect(after.run).toMatchObject({ path, notes: 'Tried label smoothing 0.1.', tags: ['typed-client', 'smoothing'] });
      const file = after.run!.files.edges.find((e) => e.node.name === 'notes/summary.md');
      expect(file?.node.sizeBytes).toBe(Buffer.byteLength(body));
      const download = await fetch(file!.node.url!);
      expect(await download.text()).toBe(body);

      // The runs table of the project sees the change too.
      const table = await request(endpoint.url, RunsTable, { entity: TEAM, project, filters: { tags: { $in: ['smoothing'] } } }, DEMO_API_KEY);
      expect(table.runs.totalCount).toBe(1);
      expect(getFragmentData(RunRow, table.runs.edges[0]!.node)).toMatchObject({ path, tags: ['typed-client', 'smoothing'] });
    });

    it('CreateRun takes the typed RunState enum for a queued run', async () => {
      const created = await request(endpoint.url, CreateRun, { input: { entity: TEAM, project, state: 'PENDING' } }, DEMO_API_KEY);
      expect(created.createRun.run.state).toBe('PENDING');
      const page: ResultOf<typeof RunPage> = await request(endpoint.url, RunPage, { path: created.createRun.run.path }, DEMO_API_KEY);
      expect(page.run?.state).toBe('PENDING');
    });
  });

  describe('errors', () => {
    it('a bad input throws a GraphQLRequestError carrying the message and BAD_USER_INPUT', async () => {
      const failure = request(endpoint.url, RunsTable, { entity: TEAM, project: PROJECT, first: 0 }, DEMO_API_KEY);
      await expect(failure).rejects.toThrow(GraphQLRequestError);
      const err = (await failure.catch((e: unknown) => e)) as GraphQLRequestError;
      expect(err.codes).toEqual(['BAD_USER_INPUT']);
      expect(err.message).toMatch(/^RunsTable failed: BAD_USER_INPUT: .*first/);
      expect(err.errors[0]!.path).toEqual(['runs']);
    });

    it('a missing run is data, not an error: run is null', async () => {
      const { run } = await request(endpoint.url, RunPage, { path: `${TEAM}/${PROJECT}/nosuchrn` }, DEMO_API_KEY);
      expect(run).toBeNull();
    });

    it('without an API key the subgraph (which has no service key here) answers UNAUTHENTICATED', async () => {
      await expect(request(endpoint.url, RunPage, { path: `${TEAM}/${PROJECT}/nosuchrn` })).rejects.toMatchObject({ codes: ['UNAUTHENTICATED'] });
    });
  });
});
