/**
 * Query.run and every Run field, over real HTTP. The runs are written for
 * these tests through the W&B protocol on the emulator (upsertBucket,
 * filestream, createRunFiles + PUT, createArtifact, useArtifact; sweeps go
 * straight into its store), and the answers are checked against that data.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { startStack, subgraphClient, type Response, type Stack } from '../../helpers/stack.js';
import { clientOperation, storageId, wandbClient } from '../../../emulator/test/helpers/emulator.js';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../../emulator/src/seed.js';
import { createSweep } from '../../../emulator/src/store/sweeps.js';
import type { SweepRow } from '../../../emulator/src/store/types.js';

const E = 'demo';
const P = 'subgraph-run';
const APP = 'https://wandb.example.com';
const ISO_Z = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

const UPSERT = `mutation U($entity: String, $project: String, $name: String, $displayName: String, $notes: String, $tags: [String],
  $config: JSONString, $summary: JSONString, $group: String, $jobType: String, $commit: String, $sweep: String, $state: String) {
  upsertBucket(input: {entityName: $entity, modelName: $project, name: $name, displayName: $displayName, notes: $notes, tags: $tags,
    config: $config, summaryMetrics: $summary, groupName: $group, jobType: $jobType, commit: $commit, sweep: $sweep, state: $state}) {
    inserted bucket { id name createdAt heartbeatAt } } }`;

const EMULATOR_RUN = `query R($e: String!, $p: String!, $n: String!) { project(entityName: $e, name: $p) { run(name: $n) {
  id createdAt heartbeatAt files(first: 100) { edges { node { id name url sizeBytes mimetype md5 updatedAt } } } } } }`;

// The full run's data, as written.
const FULL = {
  name: 'full01',
  displayName: 'Full fields run',
  notes: 'Trying a wider network.',
  tags: ['wide', 'baseline'],
  group: 'width-ablation',
  jobType: 'train',
  commit: '0123456789abcdef0123456789abcdef01234567',
  sweep: 'swp00001',
  config: {
    _wandb: { value: { cli_version: '0.28.3', python_version: '3.11.9' }, desc: null },
    wandb_version: 1,
    lr: { value: 0.003, desc: 'learning rate' },
    layers: { value: [64, 32], desc: null },
    optimizer: { value: { name: 'adam', betas: [0.9, 0.999] }, desc: null },
    raw: 7,
  },
  summary: { loss: 0.25, acc: 0.875, best: { epoch: 3, acc: 0.9 }, label: 'ok' },
};
const FULL_CONFIG = { lr: 0.003, layers: [64, 32], optimizer: { name: 'adam', betas: [0.9, 0.999] }, raw: 7 };

const T0 = 1_767_225_600; // 2026-01-01T00:00:00Z
function historyRow(i: number): Record<string, unknown> {
  const row: Record<string, unknown> = { _step: i, _timestamp: T0 + i, _runtime: i * 1.5, loss: 1 / (i + 1), phase: i < 5 ? 'warmup' : 'main', mixed: i % 2 ? 'n/a' : i };
  if (i === 9) row.img = { _type: 'image-file', path: 'media/images/sample_0.png', width: 8, height: 8 };
  return row;
}
const HISTORY = Array.from({ length: 10 }, (_, i) => historyRow(i));
const EVENTS = [
  { _timestamp: T0 + 30, _runtime: 30, 'system.cpu': 12.5, 'system.memory': 40.25 },
  { _timestamp: T0 + 60, _runtime: 60, 'system.cpu': 55.5, 'system.memory': 41.5, 'system.gpu.0.temp': 63 },
  { _timestamp: T0 + 90, _runtime: 90, 'system.cpu': 33.25, 'system.memory': 42.75, 'system.gpu.0.temp': 65 },
];
const FILES: Record<string, string> = {
  'config.yaml': 'lr:\n  value: 0.003\n',
  'media/images/sample_0.png': 'not really a png',
  'notes.txt': 'some notes about the run\n',
  'output.log': 'epoch 1\nepoch 2\n',
  'wandb-summary.json': JSON.stringify(FULL.summary),
};
const FILE_NAMES = Object.keys(FILES).sort();

const SWEEP_YAML = `method: grid
metric:
  goal: minimize
  name: loss
parameters:
  lr:
    values: [0.001, 0.003]
  layers:
    value: 2
`;
const SWEEP_CONFIG = { method: 'grid', metric: { goal: 'minimize', name: 'loss' }, parameters: { lr: { values: [0.001, 0.003] }, layers: { value: 2 } } };

const STATES = ['pending', 'running', 'finished', 'crashed', 'failed', 'killed', 'preempting', 'preempted'];

const ARTIFACT_FIELDS = 'id qualifiedName name type versionIndex digest description state aliases metadata sizeBytes createdAt';

describe('Query.run and the Run fields', () => {
  let stack: Stack;
  let query: ReturnType<typeof subgraphClient>;
  let wandb: ReturnType<typeof wandbClient>;
  let started: number;
  let sweepRow: SweepRow;
  const artifactIds: Record<string, string> = {};

  async function emu(document: string, variables: Record<string, unknown> = {}) {
    const res = await wandb.gql(document, variables);
    expect(res.errors).toBeUndefined();
    return res.data!;
  }
  async function upsert(fields: Record<string, unknown>) {
    return (await emu(UPSERT, { entity: E, project: P, ...fields })).upsertBucket.bucket;
  }
  async function ok(document: string, variables: Record<string, unknown> = {}): Promise<any> {
    const res = await query(document, variables);
    expect(res.errors).toBeUndefined();
    expect(res.status).toBe(200);
    return res.data;
  }
  async function run(name: string, selection: string, variables: Record<string, unknown> = {}, project = P): Promise<any> {
    const decl = Object.keys(variables).length ? `(${Object.keys(variables).map((k) => `$${k}: ${variableType(k)}`).join(', ')})` : '';
    return (await ok(`query Q${decl} { run(path: "${E}/${project}/${name}") { ${selection} } }`, variables)).run;
  }
  function variableType(name: string): string {
    return ({ after: 'String', names: '[String!]', first: 'Int', keys: '[String!]', name: 'String!' } as Record<string, string>)[name] ?? 'String';
  }
  async function emulatorRun(name: string) {
    return (await emu(EMULATOR_RUN, { e: E, p: P, n: name })).project.run;
  }
  async function createArtifact(vars: Record<string, unknown>): Promise<string> {
    const data = await emu(clientOperation('create_artifact_2024'), { entityName: E, projectName: P, ...vars });
    return data.createArtifact.artifact.id as string;
  }

  beforeAll(async () => {
    started = Date.now();
    stack = await startStack();
    query = subgraphClient(stack);
    wandb = wandbClient(stack.emulator, DEMO_API_KEY);

    await upsert({
      name: FULL.name,
      displayName: FULL.displayName,
      notes: FULL.notes,
      tags: FULL.tags,
      group: FULL.group,
      jobType: FULL.jobType,
      commit: FULL.commit,
      sweep: FULL.sweep,
      config: JSON.stringify(FULL.config),
      summary: JSON.stringify(FULL.summary),
    });
    const projectId = (
      stack.emulator.db.prepare('SELECT p.id FROM projects p JOIN entities e ON e.id = p.entity_id WHERE e.name = ? AND p.name = ?').get(E, P) as { id: number }
    ).id;
    sweepRow = createSweep(stack.emulator.db, {
      project_id: projectId,
      name: FULL.sweep,
      display_name: 'lr-grid',
      method: 'grid',
      state: 'RUNNING',
      description: 'grid over lr',
      best_loss: 0.125,
      config: SWEEP_YAML,
      run_count_expected: 2,
      created_at: '2026-01-01T00:00:00Z',
    });
    const history = await wandb.filestream(`${E}/${P}/${FULL.name}`, {
      files: {
        'wandb-history.jsonl': { offset: 0, content: HISTORY.map((r) => JSON.stringify(r)) },
        'wandb-events.jsonl': { offset: 0, content: EVENTS.map((r) => JSON.stringify(r)) },
      },
    });
    expect(history.status).toBe(200);

    // Files: declared with createRunFiles, bytes PUT to the signed URL.
    const created = await emu(clientOperation('create_run_files'), { entity: E, project: P, run: FULL.name, files: Object.keys(FILES) });
    for (const file of created.createRunFiles.files as { name: string; uploadUrl: string }[]) {
      const put = await fetch(file.uploadUrl, { method: 'PUT', body: FILES[file.name] });
      expect(put.status).toBe(200);
    }

    // Artifacts: full01 logs mnist:v0 (alias best), mnist:v1 and weights:v0; producer01 logs tokenizer:v0, which full01 uses.
    artifactIds.mnist0 = await createArtifact({
      artifactTypeName: 'dataset',
      artifactCollectionNames: ['mnist'],
      runName: FULL.name,
      description: 'MNIST, 60k train images',
      digest: 'digest-mnist-0',
      aliases: [{ artifactCollectionName: 'mnist', alias: 'best' }],
      metadata: JSON.stringify({ rows: 60000, classes: 10, source: 'yann.lecun.com' }),
    });
    artifactIds.mnist1 = await createArtifact({
      artifactTypeName: 'dataset',
      artifactCollectionNames: ['mnist'],
      runName: FULL.name,
      description: 'MNIST, deduplicated',
      digest: 'digest-mnist-1',
      aliases: [],
      metadata: JSON.stringify({ rows: 59000 }),
    });
    artifactIds.weights0 = await createArtifact({ artifactTypeName: 'model', artifactCollectionNames: ['weights'], runName: FULL.name, digest: 'digest-weights-0' });
    await upsert({ name: 'producer01' });
    artifactIds.tokenizer0 = await createArtifact({
      artifactTypeName: 'vocab',
      artifactCollectionNames: ['tokenizer'],
      runName: 'producer01',
      description: 'BPE, 32k merges',
      digest: 'digest-tokenizer-0',
      metadata: JSON.stringify({ vocab_size: 32000 }),
    });
    await emu(clientOperation('use_artifact_2024'), { entityName: E, projectName: P, runName: FULL.name, artifactID: artifactIds.tokenizer0, usedAs: 'tokenizer' });
    await emu(clientOperation('use_artifact_2024'), { entityName: E, projectName: P, runName: FULL.name, artifactID: artifactIds.mnist0, usedAs: 'train-data' });

    // A bare run, a run with a single row at step 0, a run in a sweep that does not exist, and one run per state.
    await upsert({ name: 'bare01' });
    // W&B names a run created without a name; this one has none (as a run renamed away has), set in the store.
    stack.emulator.db.prepare("UPDATE runs SET display_name = NULL WHERE name = 'bare01'").run();
    await upsert({ name: 'one01' });
    await wandb.filestream(`${E}/${P}/one01`, { files: { 'wandb-history.jsonl': { offset: 0, content: ['{"_step": 0, "loss": 2.5}'] } } });
    await upsert({ name: 'ghost01', sweep: 'nosweep1' });
    for (const state of STATES) await upsert({ name: `st-${state}`, state });
  }, 60_000);
  afterAll(() => stack.close());

  describe('lookup', () => {
    it('Query.run returns the run at the path with its identity fields', async () => {
      const r = await run(FULL.name, 'id path entity project runId displayName');
      expect(r).toEqual({
        id: storageId(E, P, FULL.name),
        path: `${E}/${P}/${FULL.name}`,
        entity: E,
        project: P,
        runId: FULL.name,
        displayName: FULL.displayName,
      });
      // The id is W&B's storage id: the one the emulator reports.
      expect(r.id).toBe((await emulatorRun(FULL.name)).id);
      expect(Buffer.from(r.id, 'base64').toString('utf8')).toBe(`Run:v1:${FULL.name}:${P}:${E}`);
    });

    it('Query.run returns null when the run does not exist', async () => {
      const res = await query(`{ a: run(path: "${E}/${P}/nosuchrun") { id } b: run(path: "${E}/no-such-project/full01") { id } c: run(path: "nobody-here/${P}/full01") { id } }`);
      expect(res.errors).toBeUndefined();
      expect(res.data).toEqual({ a: null, b: null, c: null });
    });

    it("Query.run returns null for another user's run, which that user sees", async () => {
      const other = wandbClient(stack.emulator, OTHER_API_KEY);
      const listed = await other.gql('{ project(entityName: "other", name: "private-experiments") { runs(first: 10) { edges { node { name } } } } }');
      const names: string[] = listed.data!.project.runs.edges.map((e: any) => e.node.name);
      expect(names.length).toBeGreaterThan(0);
      const path = `other/private-experiments/${names[0]}`;
      const asDemo = await query('query Q($p: String!) { run(path: $p) { id path } }', { p: path });
      expect(asDemo.errors).toBeUndefined();
      expect(asDemo.data.run).toBeNull();
      const asOther = await subgraphClient(stack, OTHER_API_KEY)('query Q($p: String!) { run(path: $p) { id path } }', { p: path });
      expect(asOther.errors).toBeUndefined();
      expect(asOther.data.run).toEqual({ id: storageId('other', 'private-experiments', names[0]), path });
    });

    it.each([['a/b'], ['a/b/c/d'], [''], ['a//c'], ['/a/b'], ['a/b/c/']])('Query.run is BAD_USER_INPUT for the malformed path %p', async (path) => {
      const res = await query('query Q($p: String!) { run(path: $p) { id } }', { p: path });
      expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
      expect(res.data?.run ?? null).toBeNull();
    });
  });

  describe('scalar fields', () => {
    it('Run.state is the upper-case state for every W&B state', async () => {
      const selection = STATES.map((s) => `${s}: run(path: "${E}/${P}/st-${s}") { state }`).join(' ');
      const data = await ok(`{ ${selection} }`);
      expect(data).toEqual(Object.fromEntries(STATES.map((s) => [s, { state: s.toUpperCase() }])));
    });

    it('Run.url links to the run in the W&B app', async () => {
      expect((await run(FULL.name, 'url')).url).toBe(`${APP}/${E}/${P}/runs/${FULL.name}`);
    });

    it('Run.createdAt and Run.heartbeatAt are the ISO times W&B holds, in UTC with Z', async () => {
      const r = await run(FULL.name, 'createdAt heartbeatAt');
      const upstream = await emulatorRun(FULL.name);
      expect(r.createdAt).toMatch(ISO_Z);
      expect(r.heartbeatAt).toMatch(ISO_Z);
      expect(Date.parse(r.createdAt)).toBe(Date.parse(upstream.createdAt));
      expect(Date.parse(r.heartbeatAt)).toBe(Date.parse(upstream.heartbeatAt));
      // Created by this test, so within its run time (timestamps are whole seconds).
      expect(Date.parse(r.createdAt)).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000);
      expect(Date.parse(r.createdAt)).toBeLessThanOrEqual(Date.now());
      expect(Date.parse(r.heartbeatAt)).toBeGreaterThanOrEqual(Date.parse(r.createdAt));
    });

    it('Run metadata fields return what upsertBucket wrote', async () => {
      const r = await run(FULL.name, 'notes tags group jobType commit username');
      expect(r).toEqual({ notes: FULL.notes, tags: FULL.tags, group: FULL.group, jobType: FULL.jobType, commit: FULL.commit, username: 'demo' });
    });

    it('a run without metadata has null fields, no tags and empty JSON objects', async () => {
      const r = await run(
        'bare01',
        'displayName notes tags group jobType commit username sweep { id } config summary systemMetrics historyKeys { key } lastStep sampledHistory',
      );
      expect(r).toEqual({
        displayName: null,
        notes: null,
        tags: [],
        group: null,
        jobType: null,
        commit: null,
        username: 'demo',
        sweep: null,
        config: {},
        summary: {},
        systemMetrics: {},
        historyKeys: [],
        lastStep: null,
        sampledHistory: [],
      });
    });
  });

  describe('sweep', () => {
    it("Run.sweep returns the run's sweep with its YAML config parsed", async () => {
      const r = await run(FULL.name, 'sweep { id name state bestLoss config }');
      expect(r.sweep).toEqual({
        id: Buffer.from(`Sweep:${sweepRow.id}`).toString('base64'),
        name: FULL.sweep,
        state: 'RUNNING',
        bestLoss: 0.125,
        config: SWEEP_CONFIG,
      });
    });

    it('Run.sweep is null when the run names a sweep that does not exist', async () => {
      expect((await run('ghost01', 'sweep { id name }')).sweep).toBeNull();
    });
  });

  describe('config, summary and system metrics', () => {
    it("Run.config removes W&B's {value, desc} wrappers and hides _wandb and wandb_version", async () => {
      expect((await run(FULL.name, 'config')).config).toEqual(FULL_CONFIG);
    });

    it('Run.config(keys) returns only the named keys that exist', async () => {
      const r = await run(FULL.name, 'a: config(keys: ["lr", "optimizer", "missing"]) b: config(keys: ["_wandb", "raw"]) c: config(keys: [])');
      expect(r.a).toEqual({ lr: FULL_CONFIG.lr, optimizer: FULL_CONFIG.optimizer });
      expect(r.b).toEqual({ raw: 7 });
      expect(r.c).toEqual({});
    });

    it('one document serves every request with its own variables, and each run with its own values', async () => {
      // The selection's plan is kept with the document when it names no variable, and made per request when it does.
      const document = 'query Q($p: String!, $keys: [String!]) { run(path: $p) { some: summary(keys: $keys) config(keys: ["lr"]) } }';
      const first = await ok(document, { p: `${E}/${P}/${FULL.name}`, keys: ['acc'] });
      const second = await ok(document, { p: `${E}/${P}/${FULL.name}`, keys: ['loss', 'label'] });
      expect(first.run.some).toEqual({ acc: FULL.summary.acc });
      expect(second.run.some).toEqual({ loss: FULL.summary.loss, label: FULL.summary.label });
      const fixed = 'query Q($p: String!) { run(path: $p) { config(keys: ["lr"]) summary(keys: ["acc"]) } }';
      const full = await ok(fixed, { p: `${E}/${P}/${FULL.name}` });
      const bare = await ok(fixed, { p: `${E}/${P}/bare01` });
      expect(full.run).toEqual({ config: { lr: FULL_CONFIG.lr }, summary: { acc: FULL.summary.acc } });
      expect(bare.run).toEqual({ config: {}, summary: {} });
    });

    it('Run.summary returns the summary, and only the named keys with keys', async () => {
      const r = await run(FULL.name, 'all: summary some: summary(keys: ["acc", "best", "missing"])');
      expect(r.all).toEqual(FULL.summary);
      expect(r.some).toEqual({ acc: FULL.summary.acc, best: FULL.summary.best });
    });

    it('Run.systemMetrics is the latest system-metrics event without its underscore keys', async () => {
      const last = EVENTS[EVENTS.length - 1];
      const expected = Object.fromEntries(Object.entries(last).filter(([k]) => !k.startsWith('_')));
      expect((await run(FULL.name, 'systemMetrics')).systemMetrics).toEqual(expected);
    });
  });

  describe('history keys and last step', () => {
    it('Run.historyKeys lists every logged key, sorted, with the value types seen for it', async () => {
      const r = await run(FULL.name, 'historyKeys { key types }');
      const types = new Map<string, Set<string>>();
      for (const row of HISTORY) {
        for (const [k, v] of Object.entries(row)) {
          const t = typeof v === 'object' && v !== null ? String((v as { _type: string })._type) : typeof v;
          (types.get(k) ?? types.set(k, new Set()).get(k)!).add(t);
        }
      }
      const expectedKeys = [...types.keys()].sort();
      expect(r.historyKeys.map((k: any) => k.key)).toEqual(expectedKeys);
      for (const { key, types: seen } of r.historyKeys) expect([...seen].sort()).toEqual([...types.get(key)!].sort());
      expect(r.historyKeys.find((k: any) => k.key === 'mixed').types.sort()).toEqual(['number', 'string']);
      expect(r.historyKeys.find((k: any) => k.key === 'img').types).toEqual(['image-file']);
    });

    it('Run.lastStep is the last logged step, 0 after a single row at step 0, and null before the first log', async () => {
      const data = await ok(`{ full: run(path: "${E}/${P}/full01") { lastStep } one: run(path: "${E}/${P}/one01") { lastStep } bare: run(path: "${E}/${P}/bare01") { lastStep } }`);
      expect(data).toEqual({ full: { lastStep: HISTORY.length - 1 }, one: { lastStep: 0 }, bare: { lastStep: null } });
    });
  });

  describe('files', () => {
    it('Run.file returns the named file with its size, checksum, type and a download URL that serves its bytes', async () => {
      const name = 'config.yaml';
      const f = (await run(FULL.name, 'file(name: $name) { id name url sizeBytes mimetype md5 updatedAt }', { name })).file;
      const upstream = (await emulatorRun(FULL.name)).files.edges.map((e: any) => e.node).find((n: any) => n.name === name);
      expect(f).toEqual(upstream);
      expect(f.name).toBe(name);
      expect(f.sizeBytes).toBe(Buffer.byteLength(FILES[name]));
      expect(f.md5).toBe(createHash('md5').update(FILES[name]).digest('base64'));
      expect(f.mimetype).toBe('application/x-yaml');
      expect(f.updatedAt).toMatch(ISO_Z);
      const download = await fetch(f.url);
      expect(download.status).toBe(200);
      expect(await download.text()).toBe(FILES[name]);
    });

    it('Run.file is null when the run has no file of that name', async () => {
      const r = await run(FULL.name, 'a: file(name: "absent.txt") { id } b: file(name: "media/images") { id }');
      expect(r).toEqual({ a: null, b: null });
    });

    it('Run.files lists every file by name with totalCount', async () => {
      const r = await run(FULL.name, 'files { totalCount edges { cursor node { name sizeBytes } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }');
      expect(r.files.totalCount).toBe(FILE_NAMES.length);
      expect(r.files.edges.map((e: any) => e.node)).toEqual(FILE_NAMES.map((name) => ({ name, sizeBytes: Buffer.byteLength(FILES[name]) })));
      expect(r.files.pageInfo).toEqual({
        hasNextPage: false,
        hasPreviousPage: false,
        startCursor: r.files.edges[0].cursor,
        endCursor: r.files.edges[FILE_NAMES.length - 1].cursor,
      });
    });

    it('Run.files pages by cursor: every file once, in name order, with page info', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const vars: Record<string, unknown> = { first: 2, after };
        const r = await run(FULL.name, 'files(first: $first, after: $after) { totalCount edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }', vars);
        const page = r.files;
        pages++;
        expect(page.totalCount).toBe(FILE_NAMES.length);
        expect(page.edges.length).toBe(Math.min(2, FILE_NAMES.length - seen.length));
        expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
        expect(page.pageInfo.startCursor).toBe(page.edges[0].cursor);
        expect(page.pageInfo.endCursor).toBe(page.edges[page.edges.length - 1].cursor);
        seen.push(...page.edges.map((e: any) => e.node.name));
        expect(page.pageInfo.hasNextPage).toBe(seen.length < FILE_NAMES.length);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
        if (pages > 10) throw new Error('files paging does not end');
      }
      expect(seen).toEqual(FILE_NAMES);
      expect(pages).toBe(Math.ceil(FILE_NAMES.length / 2));
    });

    it('Run.files(names) returns only the named files that exist, and totalCount counts them', async () => {
      const names = ['output.log', 'absent.txt', 'config.yaml'];
      const r = await run(FULL.name, 'all: files(names: $names) { totalCount edges { node { name } } } one: files(names: $names, first: 1) { totalCount edges { node { name } } pageInfo { hasNextPage } }', { names });
      expect(r.all).toEqual({ totalCount: 2, edges: [{ node: { name: 'config.yaml' } }, { node: { name: 'output.log' } }] });
      expect(r.one).toEqual({ totalCount: 2, edges: [{ node: { name: 'config.yaml' } }], pageInfo: { hasNextPage: true } });
    });

    it('Run.files(names) pages through the named files by cursor', async () => {
      const names = ['wandb-summary.json', 'notes.txt', 'config.yaml'];
      const first = (await run(FULL.name, 'files(names: $names, first: 2) { totalCount edges { node { name } } pageInfo { hasNextPage endCursor } }', { names })).files;
      expect(first.edges.map((e: any) => e.node.name)).toEqual(['config.yaml', 'notes.txt']);
      expect(first.pageInfo.hasNextPage).toBe(true);
      const after = first.pageInfo.endCursor;
      const second = (await run(FULL.name, 'files(names: $names, first: 2, after: $after) { totalCount edges { node { name } } pageInfo { hasNextPage hasPreviousPage } }', { names, after })).files;
      expect(second).toEqual({ totalCount: 3, edges: [{ node: { name: 'wandb-summary.json' } }], pageInfo: { hasNextPage: false, hasPreviousPage: true } });
    });

    it('Run.files is empty for a run without files', async () => {
      const r = await run('bare01', 'files { totalCount edges { cursor } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }');
      expect(r.files).toEqual({ totalCount: 0, edges: [], pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null } });
    });
  });

  describe('artifacts', () => {
    async function upstreamArtifact(id: string) {
      return (await emu('query A($id: ID!) { artifact(id: $id) { id createdAt } }', { id })).artifact;
    }

    it('Run.loggedArtifacts lists the versions the run logged, in order, with every Artifact field', async () => {
      const r = await run(FULL.name, `loggedArtifacts { totalCount edges { cursor node { ${ARTIFACT_FIELDS} } } pageInfo { hasNextPage hasPreviousPage } }`);
      const nodes = r.loggedArtifacts.edges.map((e: any) => e.node);
      expect(r.loggedArtifacts.totalCount).toBe(3);
      expect(r.loggedArtifacts.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: false });
      const created = await Promise.all([artifactIds.mnist0, artifactIds.mnist1, artifactIds.weights0].map(upstreamArtifact));
      expect(nodes).toEqual([
        {
          id: artifactIds.mnist0,
          qualifiedName: `${E}/${P}/mnist:v0`,
          name: 'mnist:v0',
          type: 'dataset',
          versionIndex: 0,
          digest: 'digest-mnist-0',
          description: 'MNIST, 60k train images',
          state: 'COMMITTED',
          aliases: ['best'],
          metadata: { rows: 60000, classes: 10, source: 'yann.lecun.com' },
          sizeBytes: 0,
          createdAt: created[0].createdAt,
        },
        {
          id: artifactIds.mnist1,
          qualifiedName: `${E}/${P}/mnist:v1`,
          name: 'mnist:v1',
          type: 'dataset',
          versionIndex: 1,
          digest: 'digest-mnist-1',
          description: 'MNIST, deduplicated',
          state: 'COMMITTED',
          aliases: ['latest'],
          metadata: { rows: 59000 },
          sizeBytes: 0,
          createdAt: created[1].createdAt,
        },
        {
          id: artifactIds.weights0,
          qualifiedName: `${E}/${P}/weights:v0`,
          name: 'weights:v0',
          type: 'model',
          versionIndex: 0,
          digest: 'digest-weights-0',
          description: null,
          state: 'COMMITTED',
          aliases: ['latest'],
          metadata: {},
          sizeBytes: 0,
          createdAt: created[2].createdAt,
        },
      ]);
      for (const n of nodes) expect(n.createdAt).toMatch(ISO_Z);
    });

    it('Run.usedArtifacts lists the versions the run used, in the order it used them', async () => {
      const r = await run(FULL.name, 'usedArtifacts { totalCount edges { node { id qualifiedName name type description metadata aliases } } }');
      expect(r.usedArtifacts).toEqual({
        totalCount: 2,
        edges: [
          {
            node: {
              id: artifactIds.tokenizer0,
              qualifiedName: `${E}/${P}/tokenizer:v0`,
              name: 'tokenizer:v0',
              type: 'vocab',
              description: 'BPE, 32k merges',
              metadata: { vocab_size: 32000 },
              aliases: ['latest'],
            },
          },
          { node: { id: artifactIds.mnist0, qualifiedName: `${E}/${P}/mnist:v0`, name: 'mnist:v0', type: 'dataset', description: 'MNIST, 60k train images', metadata: { rows: 60000, classes: 10, source: 'yann.lecun.com' }, aliases: ['best'] } },
        ],
      });
      const producer = await run('producer01', 'usedArtifacts { totalCount } loggedArtifacts { totalCount edges { node { id } } }');
      expect(producer).toEqual({ usedArtifacts: { totalCount: 0 }, loggedArtifacts: { totalCount: 1, edges: [{ node: { id: artifactIds.tokenizer0 } }] } });
    });

    it('Run.loggedArtifacts pages by cursor with totalCount over all pages', async () => {
      const ids: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 3; page++) {
        const r = await run(FULL.name, 'loggedArtifacts(first: 1, after: $after) { totalCount edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }', { after });
        const c = r.loggedArtifacts;
        expect(c.totalCount).toBe(3);
        expect(c.edges).toHaveLength(1);
        expect(c.pageInfo).toEqual({ hasNextPage: page < 2, hasPreviousPage: page > 0, startCursor: c.edges[0].cursor, endCursor: c.edges[0].cursor });
        ids.push(c.edges[0].node.id);
        after = c.pageInfo.endCursor;
      }
      expect(ids).toEqual([artifactIds.mnist0, artifactIds.mnist1, artifactIds.weights0]);
    });

    it('Artifact.sizeBytes carries sizes beyond the 32-bit range (seeded imagenet-subset:v0, 13,421,772,800 bytes)', async () => {
      // seed.ts: the first image-classification run (by creation) logs imagenet-subset:v0 with these values.
      const page = await ok(`{ runs(entity: "acme-ml", project: "image-classification", first: 1, order: "+created_at") { nodes {
        loggedArtifacts { edges { node { qualifiedName name type versionIndex description metadata sizeBytes aliases } } } } } }`);
      const node = page.runs.nodes[0].loggedArtifacts.edges.map((e: any) => e.node).find((n: any) => n.name === 'imagenet-subset:v0');
      expect(node).toEqual({
        qualifiedName: 'acme-ml/image-classification/imagenet-subset:v0',
        name: 'imagenet-subset:v0',
        type: 'dataset',
        versionIndex: 0,
        description: 'ImageNet subset: 100 classes, 128k train / 5k val images',
        metadata: { num_classes: 100, train_images: 128_000, val_images: 5_000, image_size: 224, source: 'imagenet-1k' },
        sizeBytes: 13_421_772_800,
        aliases: [],
      });
    });
  });

  describe('html', () => {
    it('Run.html is an iframe of the run page, 420 px high and visible by default', async () => {
      const r = await run(FULL.name, 'html');
      expect(r.html).toBe(`<iframe src="${APP}/${E}/${P}/runs/${FULL.name}?jupyter=true" style="border:none;width:100%;height:420px;"></iframe>`);
    });

    it('Run.url and Run.html percent-encode the path segments', async () => {
      const project = 'r&d+"ml"';
      await emu(UPSERT, { entity: E, project, name: 'enc01' });
      const r = (await ok('query Q($p: String!) { run(path: $p) { path url html } }', { p: `${E}/${project}/enc01` })).run;
      const url = `${APP}/${E}/${encodeURIComponent(project)}/runs/enc01`;
      expect(r.path).toBe(`${E}/${project}/enc01`);
      expect(r.url).toBe(url);
      expect(url).toContain('r%26d%2B%22ml%22');
      expect(r.html).toBe(`<iframe src="${url}?jupyter=true" style="border:none;width:100%;height:420px;"></iframe>`);
    });

    it('Run.html(height, hidden) sets the height and hides the frame', async () => {
      const r = await run(FULL.name, 'html(height: 250, hidden: true)');
      expect(r.html).toBe(`<iframe src="${APP}/${E}/${P}/runs/${FULL.name}?jupyter=true" style="border:none;width:100%;height:250px;display:none;"></iframe>`);
    });
  });

  describe('argument errors', () => {
    const codes = (res: Response) => (res.errors ?? []).map((e) => e.extensions?.code);

    it.each([
      ['files', 'files(first: 0) { totalCount }'],
      ['files', 'files(first: 1001) { totalCount }'],
      ['loggedArtifacts', 'loggedArtifacts(first: 0) { totalCount }'],
      ['loggedArtifacts', 'loggedArtifacts(first: 1001) { totalCount }'],
      ['usedArtifacts', 'usedArtifacts(first: -1) { totalCount }'],
      ['history', 'history(first: 0) { edges { cursor } }'],
      ['history', 'history(first: 10001) { edges { cursor } }'],
      ['html', 'html(height: 0)'],
    ])('Run.%s is BAD_USER_INPUT for `%s`', async (field, selection) => {
      const res = await query(`{ run(path: "${E}/${P}/${FULL.name}") { ${selection} } }`);
      expect(codes(res)).toEqual(['BAD_USER_INPUT']);
      expect(res.errors![0].path).toEqual(['run', field]);
    });

    it('a cursor of another connection is BAD_USER_INPUT', async () => {
      const r = await run(FULL.name, 'files(first: 1) { pageInfo { endCursor } } loggedArtifacts(first: 1) { pageInfo { endCursor } } history(first: 1) { pageInfo { endCursor } }');
      const fileCursor = r.files.pageInfo.endCursor;
      const artifactCursor = r.loggedArtifacts.pageInfo.endCursor;
      const historyCursor = r.history.pageInfo.endCursor;
      expect([fileCursor, artifactCursor, historyCursor].every((c) => typeof c === 'string')).toBe(true);
      const cases: [string, string][] = [
        ['files', `files(after: "${artifactCursor}") { totalCount }`],
        ['files', `files(after: "${historyCursor}") { totalCount }`],
        ['loggedArtifacts', `loggedArtifacts(after: "${fileCursor}") { totalCount }`],
        ['usedArtifacts', `usedArtifacts(after: "${historyCursor}") { totalCount }`],
        ['history', `history(after: "${fileCursor}") { edges { cursor } }`],
        ['files', 'files(after: "not a cursor") { totalCount }'],
      ];
      for (const [field, selection] of cases) {
        const res = await query(`{ run(path: "${E}/${P}/${FULL.name}") { ${selection} } }`);
        expect({ selection, codes: codes(res), path: res.errors?.[0]?.path }).toEqual({ selection, codes: ['BAD_USER_INPUT'], path: ['run', field] });
      }
    });
  });
});
