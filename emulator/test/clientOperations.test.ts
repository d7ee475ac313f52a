/**
 * Every document the official W&B Python client sends for Run/Runs, sent as
 * is over HTTP to a seeded emulator, with data written for the test through
 * the W&B protocol (upsertBucket, filestream, createRunFiles + PUT).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Emulator } from '../src/server.js';
import { createSweep } from '../src/store/sweeps.js';
import { addMember } from '../src/store/accounts.js';
import { DEMO_API_KEY, OTHER_API_KEY } from '../src/seed.js';
import { readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { clientOperation, hasShared, sharedDir, startTestEmulator, storageId, wandbClient } from './helpers/emulator.js';

const d = hasShared ? describe : describe.skip;
if (!hasShared) console.warn('SKIPPED: ../shared/wandb/client-operations is absent, so the client-document tests did not run');

const ENTITY = 'demo';
const PROJECT = 'ops-test';
const RUN = 'opsrun01';
const STEPS = 100;

d('the official client documents', () => {
  let emulator: Emulator;
  let client: ReturnType<typeof wandbClient>;
  const exercised = new Set<string>();
  const op = (name: string) => {
    exercised.add(name);
    return clientOperation(name);
  };

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = wandbClient(emulator, DEMO_API_KEY);
    // A run with 100 steps of loss, acc every 10 steps, 5 event rows, a summary and console lines.
    const created = await client.gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: RUN, state: 'running' });
    expect(created.errors).toBeUndefined();
    const history = Array.from({ length: STEPS }, (_, step) =>
      JSON.stringify({ _step: step, _runtime: step * 0.5, _timestamp: 1_790_000_000 + step, loss: 1 / (step + 1), ...(step % 10 === 0 ? { acc: step / 100 } : {}) }),
    );
    const events = Array.from({ length: 5 }, (_, i) => JSON.stringify({ _wandb: true, _timestamp: 1_790_000_000 + i * 30, _runtime: i * 30, 'system.cpu': 10 + i }));
    const stream = await client.filestream(`${ENTITY}/${PROJECT}/${RUN}`, {
      files: {
        'wandb-history.jsonl': { offset: 0, content: history },
        'wandb-events.jsonl': { offset: 0, content: events },
        'wandb-summary.json': { offset: 0, content: [JSON.stringify({ loss: 0.01, acc: 0.9, _step: 99 })] },
        'output.log': { offset: 0, content: ['epoch 1 done', 'ERROR something went wrong', 'epoch 2 done'] },
      },
    });
    expect(stream.status).toBe(200);
    createSweep(emulator.db, {
      project_id: (emulator.db.prepare(`SELECT p.id FROM projects p JOIN entities e ON e.id = p.entity_id WHERE e.name = ? AND p.name = ?`).get(ENTITY, PROJECT) as { id: number }).id,
      name: 'swp12345',
      display_name: 'lr search',
      method: 'bayes',
      state: 'FINISHED',
      description: null,
      best_loss: 0.01,
      config: 'method: bayes\nmetric:\n  name: loss\n  goal: minimize\n',
      run_count_expected: 20,
      created_at: '2026-10-01T00:00:00Z',
    });
  });
  afterAll(() => emulator.close());

  it('viewer returns the caller with entity and teams', async () => {
    const { data } = await client.gql(op('viewer'));
    expect(data!.viewer).toMatchObject({ username: 'demo', entity: 'demo', email: 'demo@example.com' });
    expect(data!.viewer.teams.edges.map((e: any) => e.node.name)).toContain('acme-ml');
  });

  it('serverInfo and features are answered', async () => {
    const info = await client.gql(op('server_info'));
    expect(info.data!.serverInfo.latestLocalVersionInfo.outOfDate).toBe(false);
    const features = await client.gql(op('server_features'));
    expect(features.data!.serverInfo.features).toContainEqual({ name: 'MARK_RUN_FILES_UPLOADED', isEnabled: true });
    expect(features.data!.serverInfo.features).toContainEqual({ name: 'PROJECT_ARTIFACT_COLLECTION_MEMBERSHIP', isEnabled: true });
  });

  it('the capability probe lists createRunFiles and features by introspection', async () => {
    const { data } = await client.gql(op('probe_capabilities'));
    const names = (t: string) => data![t].fields.map((f: any) => f.name);
    expect(names('QueryType')).toContain('project');
    expect(names('MutationType')).toEqual(expect.arrayContaining(['createRunFiles', 'upsertBucket', 'deleteRun']));
    expect(names('ServerInfoType')).toContain('features');
  });

  it('UpsertBucket creates a run once, then reports it as existing', async () => {
    const first = await client.gql(op('run_create'), { project: 'brand-new-project', entity: ENTITY, name: 'newrun01', state: 'pending' });
    expect(first.data!.upsertBucket).toEqual({
      bucket: { project: { name: 'brand-new-project', entity: { name: ENTITY } }, id: storageId(ENTITY, 'brand-new-project', 'newrun01'), name: 'newrun01' },
      inserted: true,
    });
    const again = await client.gql(op('run_create'), { project: 'brand-new-project', entity: ENTITY, name: 'newrun01' });
    expect(again.data!.upsertBucket.inserted).toBe(false);
    const state = await client.gql(op('run_state'), { project: 'brand-new-project', entity: ENTITY, name: 'newrun01' });
    expect(state.data!.project.run.state).toBe('pending');
  });

  it('an upsert with null fields leaves them as they were (wandb-core sends one per config change); "" and [] clear', async () => {
    const upsert = `mutation U($name: String!, $displayName: String, $notes: String, $groupName: String, $jobType: String, $tags: [String!], $host: String, $config: JSONString) {
      upsertBucket(input: {entityName: "${ENTITY}", modelName: "${PROJECT}", name: $name, displayName: $displayName, notes: $notes, groupName: $groupName, jobType: $jobType, tags: $tags, host: $host, config: $config}) {
        bucket { displayName notes group jobType tags host config } } }`;
    const all = { displayName: 'kept-name', notes: 'kept notes', groupName: 'grp', jobType: 'train', tags: ['t1'], host: 'vm' };
    await client.gql(upsert, { name: 'nullkeeps', ...all, config: '{"lr": {"value": 1}}' });
    const nulls = Object.fromEntries(Object.keys(all).map((k) => [k, null]));
    const again = await client.gql(upsert, { name: 'nullkeeps', ...nulls, config: '{"lr": {"value": 2}}' });
    expect(again.data!.upsertBucket.bucket).toEqual({ displayName: 'kept-name', notes: 'kept notes', group: 'grp', jobType: 'train', tags: ['t1'], host: 'vm', config: '{"lr": {"value": 2}}' });
    const cleared = await client.gql(upsert, { name: 'nullkeeps', notes: '', groupName: '', tags: [] });
    expect(cleared.data!.upsertBucket.bucket).toMatchObject({ displayName: 'kept-name', notes: '', group: '', jobType: 'train', tags: [] });
  });

  it('a stop asked for with stopRun is what the client polls (RunStoppedStatus), until the client completes the run, which stays killed', async () => {
    // As the client's internal API (0.16.4 to 0.24.2, internal_api.py) sends them.
    const polled = `query RunStoppedStatus($projectName: String, $entityName: String, $runId: String!) {
      project(name:$projectName, entityName:$entityName) { run(name:$runId) { stopped } } }`;
    const stop = `mutation stopRun($id: ID!) { stopRun(input: { id: $id }) { clientMutationId success } }`;
    const stopped = async () => (await client.gql(polled, { projectName: PROJECT, entityName: ENTITY, runId: 'stopme01' })).data!.project.run.stopped;
    await client.gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: 'stopme01' });
    expect(await stopped()).toBe(false);
    const res = await client.gql(stop, { id: storageId(ENTITY, PROJECT, 'stopme01') });
    expect(res.data!.stopRun).toEqual({ clientMutationId: null, success: true });
    expect(await stopped()).toBe(true);
    // The client, seeing the stop, ends the run: it stays killed, and the stop is done.
    const done = await client.filestream(`${ENTITY}/${PROJECT}/stopme01`, { complete: true, exitcode: 255 });
    expect(done.status).toBe(200);
    expect(await stopped()).toBe(false);
    const state = await client.gql(op('run_state'), { project: PROJECT, entity: ENTITY, name: 'stopme01' });
    expect(state.data!.project.run.state).toBe('killed');
  });

  it('run load returns the full fragment with JSON strings and wrapped config', async () => {
    await client.gql(op('run_update'), {
      id: storageId(ENTITY, PROJECT, RUN),
      description: 'desc',
      display_name: 'brave-otter-7',
      notes: 'some notes',
      tags: ['baseline', 'ops'],
      config: JSON.stringify({ lr: { value: 0.001, desc: null }, optimizer: { value: 'adam', desc: 'the optimizer' } }),
      groupName: 'grp',
      jobType: 'train',
    });
    const { data } = await client.gql(op('run_load'), { project: PROJECT, entity: ENTITY, name: RUN });
    const run = data!.project.run;
    expect(run).toMatchObject({
      id: storageId(ENTITY, PROJECT, RUN),
      name: RUN,
      displayName: 'brave-otter-7',
      tags: ['baseline', 'ops'],
      state: 'running',
      group: 'grp',
      jobType: 'train',
      notes: 'some notes',
      description: 'desc',
      readOnly: false,
      historyLineCount: STEPS,
      user: { name: 'Demo User', username: 'demo' },
    });
    expect(run.projectId).toMatch(/^\d+$/);
    expect(JSON.parse(run.config)).toEqual({ lr: { value: 0.001, desc: null }, optimizer: { value: 'adam', desc: 'the optimizer' } });
    expect(JSON.parse(run.summaryMetrics)).toEqual({ loss: 0.01, acc: 0.9, _step: 99 });
    expect(JSON.parse(run.systemMetrics)).toEqual({ 'system.cpu': 14 });
    expect(run.historyKeys.lastStep).toBe(STEPS - 1);
    expect(run.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('run update returns the updated fragment, and a summary update replaces the summary', async () => {
    const id = storageId(ENTITY, 'brand-new-project', 'newrun01');
    const updated = await client.gql(op('run_update'), { id, config: JSON.stringify({ epochs: { value: 3, desc: null } }), tags: ['x'], jobType: 'eval' });
    expect(updated.data!.upsertBucket.bucket).toMatchObject({ tags: ['x'], jobType: 'eval', name: 'newrun01' });
    expect(JSON.parse(updated.data!.upsertBucket.bucket.config)).toEqual({ epochs: { value: 3, desc: null } });
    const summary = await client.gql(op('summary_update'), { id, summaryMetrics: JSON.stringify({ f1: 0.5 }) });
    expect(summary.data!.upsertBucket.bucket.id).toBe(id);
    const loaded = await client.gql(op('run_load'), { project: 'brand-new-project', entity: ENTITY, name: 'newrun01' });
    expect(JSON.parse(loaded.data!.project.run.summaryMetrics)).toEqual({ f1: 0.5 });
  });

  it.each(['runs_full', 'runs_lazy', 'runs_2024'])('%s pages through every run once with runCount', async (name) => {
    const filters = JSON.stringify({ tags: { $in: ['baseline'] } });
    const all = await client.gql(op(name), { project: 'image-classification', entity: 'acme-ml', perPage: 1000, order: '+created_at', filters });
    const expected = all.data!.project.runs.edges.map((e: any) => e.node.name);
    expect(all.data!.project.runCount).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(3);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (;;) {
      const page: any = await client.gql(op(name), { project: 'image-classification', entity: 'acme-ml', perPage: 3, cursor, order: '+created_at', filters });
      expect(page.errors).toBeUndefined();
      const edges = page.data.project.runs.edges;
      seen.push(...edges.map((e: any) => e.node.name));
      if (!page.data.project.runs.pageInfo.hasNextPage) break;
      cursor = edges[edges.length - 1].cursor;
    }
    expect(seen).toEqual(expected);
    const node = all.data!.project.runs.edges[0].node;
    expect(node.tags).toContain('baseline');
    if (name === 'runs_lazy') expect(node.config).toBeUndefined();
    else expect(typeof node.config).toBe('string');
  });

  it('history keys report lastStep and types', async () => {
    const { data } = await client.gql(op('history_keys'), { project: PROJECT, entity: ENTITY, name: RUN });
    expect(data!.project.run.historyKeys.lastStep).toBe(STEPS - 1);
    expect(data!.project.run.historyKeys.keys.loss.typeCounts).toEqual([{ type: 'number', count: STEPS }]);
    expect(data!.project.run.historyKeys.keys.acc.typeCounts).toEqual([{ type: 'number', count: 10 }]);
  });

  it('HistoryPage returns exactly the rows in [minStep, maxStep) as JSON strings', async () => {
    const { data } = await client.gql(op('history_page'), { entity: ENTITY, project: PROJECT, run: RUN, minStep: 10, maxStep: 20, pageSize: 1000 });
    const rows = data!.project.run.history.map((r: string) => JSON.parse(r));
    expect(rows.map((r: any) => r._step)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    expect(rows[0]).toEqual({ _step: 10, _runtime: 5, _timestamp: 1_790_000_010, loss: 1 / 11, acc: 0.1 });
  });

  it('full history samples evenly and deterministically, keeping the first and last row', async () => {
    const vars = { project: PROJECT, entity: ENTITY, name: RUN, samples: 10 };
    const a = await client.gql(op('full_history'), vars);
    const b = await client.gql(op('full_history'), vars);
    const steps = a.data!.project.run.history.map((r: string) => JSON.parse(r)._step);
    expect(steps).toHaveLength(10);
    expect(steps[0]).toBe(0);
    expect(steps[9]).toBe(99);
    expect(b.data!.project.run.history).toEqual(a.data!.project.run.history);
    const all = await client.gql(op('full_history'), { ...vars, samples: 500 });
    expect(all.data!.project.run.history).toHaveLength(STEPS);
  });

  it('full events returns system-metric rows', async () => {
    const { data } = await client.gql(op('full_events'), { project: PROJECT, entity: ENTITY, name: RUN, samples: 500 });
    const rows = data!.project.run.events.map((r: string) => JSON.parse(r));
    expect(rows.map((r: any) => r['system.cpu'])).toEqual([10, 11, 12, 13, 14]);
  });

  it('sampledHistory returns only rows holding every key, projected to them', async () => {
    const specs = [JSON.stringify({ keys: ['_step', 'acc'], samples: 500 }), JSON.stringify({ keys: ['loss'], samples: 3 })];
    const { data } = await client.gql(op('sampled_history'), { project: PROJECT, entity: ENTITY, name: RUN, specs });
    const [acc, loss] = data!.project.run.sampledHistory;
    expect(acc).toEqual(Array.from({ length: 10 }, (_, i) => ({ _step: i * 10, acc: i / 10 })));
    expect(loss).toEqual([{ loss: 1 }, { loss: 1 / 51 }, { loss: 1 / 100 }]);
  });

  it('SampledHistoryPage treats the spec maxStep as inclusive', async () => {
    const spec = JSON.stringify({ keys: ['acc'], minStep: 0, maxStep: 50, samples: 1000 });
    const { data } = await client.gql(op('sampled_history_page'), { entity: ENTITY, project: PROJECT, run: RUN, spec });
    expect(data!.project.run.sampledHistory[0]).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5].map((acc) => ({ acc })));
  });

  it('parquetHistory has no parquet files and every row live', async () => {
    const { data } = await client.gql(op('parquet_history'), { entity: ENTITY, project: PROJECT, runName: RUN, liveKeys: ['_step'] });
    expect(data!.project.run.parquetHistory.parquetUrls).toEqual([]);
    expect(data!.project.run.parquetHistory.liveData).toEqual(Array.from({ length: STEPS }, (_, i) => ({ _step: i })));
  });

  it('console tail returns the last lines with levels', async () => {
    const { data } = await client.gql(op('console_tail'), { entity: ENTITY, project: PROJECT, runName: RUN, last: 2 });
    expect(data!.project.run.logLineCount).toBe(3);
    expect(data!.project.run.logLines.edges.map((e: any) => [e.node.number, e.node.level, e.node.line])).toEqual([
      [1, 'error', 'something went wrong'],
      [2, 'info', 'epoch 2 done'],
    ]);
  });

  it('CreateRunFiles returns absolute upload URLs that accept a PUT, then RunFiles serves the bytes', async () => {
    const created = await client.gql(op('create_run_files'), { entity: ENTITY, project: PROJECT, run: RUN, files: ['metrics.json', 'dir/notes.txt'] });
    expect(created.data!.createRunFiles.runID).toBe(storageId(ENTITY, PROJECT, RUN));
    for (const file of created.data!.createRunFiles.files) {
      expect(file.uploadUrl.startsWith(emulator.url)).toBe(true);
      const put = await fetch(file.uploadUrl, { method: 'PUT', body: `content of ${file.name}` });
      expect(put.status).toBe(200);
    }
    const marked = await client.gql(op('mark_uploaded'), { entity: ENTITY, project: PROJECT, run: RUN, files: ['metrics.json'] });
    expect(marked.data!.markRunFilesUploaded.success).toBe(true);

    for (const name of ['files', 'files_2024']) {
      const { data } = await client.gql(op(name), { project: PROJECT, entity: ENTITY, name: RUN, fileLimit: 50 });
      expect(data!.project.run.fileCount).toBe(2);
      const nodes = data!.project.run.files.edges.map((e: any) => e.node);
      expect(nodes.map((n: any) => n.name)).toEqual(['dir/notes.txt', 'metrics.json']);
      expect(nodes[1]).toMatchObject({ sizeBytes: 'content of metrics.json'.length, mimetype: 'application/json' });
      expect(nodes[1].md5).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      const body = await (await fetch(nodes[1].url)).text();
      expect(body).toBe('content of metrics.json');
      expect(nodes[1].directUrl.startsWith('http://')).toBe(true);
    }
    const byPattern = await client.gql(op('files'), { project: PROJECT, entity: ENTITY, name: RUN, pattern: '%.json' });
    expect(byPattern.data!.project.run.files.edges.map((e: any) => e.node.name)).toEqual(['metrics.json']);
    const page1 = await client.gql(op('files'), { project: PROJECT, entity: ENTITY, name: RUN, fileLimit: 1 });
    const after = page1.data!.project.run.files.edges[0].cursor;
    const page2 = await client.gql(op('files'), { project: PROJECT, entity: ENTITY, name: RUN, fileLimit: 1, fileCursor: after });
    expect(page2.data!.project.run.files.edges.map((e: any) => e.node.name)).toEqual(['metrics.json']);
    expect(page2.data!.project.run.files.pageInfo.hasNextPage).toBe(false);
    const single = await client.gql(op('files'), { project: PROJECT, entity: ENTITY, name: RUN, fileNames: ['absent.txt'] });
    expect(single.data!.project.run.files.edges).toEqual([]);
  });

  it('the legacy RunUploadUrls path hands out upload URLs for new names', async () => {
    const { data } = await client.gql(op('legacy_upload_urls'), { name: PROJECT, entity: ENTITY, run: RUN, files: ['legacy.txt'] });
    const node = data!.model.bucket.files.edges[0].node;
    expect(node.name).toBe('legacy.txt');
    expect((await fetch(node.url, { method: 'PUT', body: 'old way' })).status).toBe(200);
  });

  it('deleteFiles removes files by id', async () => {
    const list = await client.gql(op('files'), { project: PROJECT, entity: ENTITY, name: RUN, fileNames: ['legacy.txt'] });
    const id = list.data!.project.run.files.edges[0].node.id;
    const res = await client.gql(op('delete_files'), { files: [id] });
    expect(res.data!.deleteFiles.success).toBe(true);
    const after = await client.gql(op('files'), { project: PROJECT, entity: ENTITY, name: RUN, fileNames: ['legacy.txt'] });
    expect(after.data!.project.run.files.edges).toEqual([]);
  });

  it('createArtifact makes versions, deduplicates digests, and logged/used artifacts list them', async () => {
    const base = { artifactTypeName: 'model', artifactCollectionNames: ['my-model'], entityName: ENTITY, projectName: PROJECT, runName: RUN, historyStep: 5 };
    const v0 = await client.gql(op('create_artifact'), { ...base, digest: 'a'.repeat(32), aliases: [{ alias: 'best', artifactCollectionName: 'my-model' }] });
    expect(v0.errors).toBeUndefined();
    expect(v0.data!.createArtifact.artifact).toMatchObject({ state: 'COMMITTED', artifactSequence: { latestArtifact: { versionIndex: 0 } } });
    const dup = await client.gql(op('create_artifact_2024'), { ...base, digest: 'a'.repeat(32) });
    expect(dup.data!.createArtifact.artifact.id).toBe(v0.data!.createArtifact.artifact.id);
    const v1 = await client.gql(op('create_artifact_2024'), { ...base, digest: 'b'.repeat(32) });
    expect(v1.data!.createArtifact.artifact.artifactSequence.latestArtifact.versionIndex).toBe(1);

    // A second run uses v0.
    await client.gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: 'evalrun1' });
    const used = await client.gql(op('use_artifact'), { entityName: ENTITY, projectName: PROJECT, runName: 'evalrun1', artifactID: v0.data!.createArtifact.artifact.id, usedAs: 'checkpoint' });
    expect(used.data!.useArtifact.artifact).toMatchObject({ id: v0.data!.createArtifact.artifact.id, digest: 'a'.repeat(32), state: 'COMMITTED' });
    const used2024 = await client.gql(op('use_artifact_2024'), { entityName: ENTITY, projectName: PROJECT, runName: 'evalrun1', artifactID: v1.data!.createArtifact.artifact.id });
    expect(used2024.errors).toBeUndefined();

    const out = await client.gql(op('run_output_artifacts'), { entity: ENTITY, project: PROJECT, run: RUN, perPage: 10 });
    const conn = out.data!.project.run.artifacts;
    expect(conn.totalCount).toBe(2);
    const first = conn.edges[0].node;
    expect(first).toMatchObject({ versionIndex: 0, artifactType: { name: 'model' }, digest: 'a'.repeat(32), historyStep: 5, ttlIsInherited: true });
    expect(first.artifactSequence).toMatchObject({ name: 'my-model', project: { name: PROJECT, entity: { name: ENTITY } } });
    expect(first.aliases.map((a: any) => a.alias).sort()).toEqual(['best', 'v0']);
    expect(conn.edges[1].node.aliases.map((a: any) => a.alias).sort()).toEqual(['latest', 'v1']);
    const out2024 = await client.gql(op('run_output_artifacts_2024'), { entity: ENTITY, project: PROJECT, runName: RUN, perPage: 1 });
    expect(out2024.data!.project.run.outputArtifacts.pageInfo.hasNextPage).toBe(true);
    const cursor = out2024.data!.project.run.outputArtifacts.edges[0].cursor;
    const next = await client.gql(op('run_output_artifacts_2024'), { entity: ENTITY, project: PROJECT, runName: RUN, perPage: 1, cursor });
    expect(next.data!.project.run.outputArtifacts.edges[0].node.versionIndex).toBe(1);

    const inputs = await client.gql(op('run_input_artifacts'), { entity: ENTITY, project: PROJECT, run: 'evalrun1', perPage: 10 });
    expect(inputs.data!.project.run.artifacts.edges.map((e: any) => e.node.versionIndex)).toEqual([0, 1]);
    const inputs2024 = await client.gql(op('run_input_artifacts_2024'), { entity: ENTITY, project: PROJECT, runName: 'evalrun1', perPage: 10 });
    expect(inputs2024.data!.project.run.inputArtifacts.totalCount).toBe(2);
  });

  it('sweep documents return the sweep', async () => {
    const now = await client.gql(op('sweep'), { name: 'swp12345', project: PROJECT, entity: ENTITY });
    expect(now.data!.project.sweep).toMatchObject({ __typename: 'Sweep', name: 'swp12345', displayName: 'lr search', method: 'bayes', state: 'FINISHED', bestLoss: 0.01, runCountExpected: 20, runCount: 0 });
    const old = await client.gql(op('sweep_2024'), { name: 'swp12345', project: PROJECT, entity: ENTITY });
    expect(old.data!.project.sweep.config).toContain('method: bayes');
  });

  it('UpdateRunState follows W&B transitions and StopRun stops a running run', async () => {
    await client.gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: 'staterun' });
    const id = storageId(ENTITY, PROJECT, 'staterun');
    const ok = await client.gql(op('run_update_state'), { input: { id, state: 'pending' } });
    expect(ok.data!.updateRunState.success).toBe(true);
    const bad = await client.gql(op('run_update_state'), { input: { id, state: 'finished' } });
    expect(bad.errors![0].message).toMatch(/cannot change run state from pending to finished/);
    await client.gql(op('run_update_state'), { input: { id, state: 'failed' } });
    await client.gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: 'stoprun1' });
    const stop = await client.gql(op('stop_run'), { id: storageId(ENTITY, PROJECT, 'stoprun1') });
    expect(stop.data!.stopRun.success).toBe(true);
    const state = await client.gql(op('run_state'), { project: PROJECT, entity: ENTITY, name: 'stoprun1' });
    expect(state.data!.project.run.state).toBe('killed');
  });

  it('DeleteRun keeps logged artifacts unless deleteArtifacts, and ignores undeclared variables', async () => {
    await client.gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: 'delrun01' });
    await client.gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: 'delrun02' });
    const art = (run: string, digest: string) =>
      client.gql(op('create_artifact_2024'), { artifactTypeName: 'dataset', artifactCollectionNames: [`ds-${run}`], entityName: ENTITY, projectName: PROJECT, runName: run, digest });
    const a1 = (await art('delrun01', 'c'.repeat(32))).data!.createArtifact.artifact.id;
    const a2 = (await art('delrun02', 'd'.repeat(32))).data!.createArtifact.artifact.id;
    // run_delete.graphql declares $deleteArtifacts; the 2024 client also sends it undeclared elsewhere.
    const kept = await client.gql(op('run_delete'), { id: storageId(ENTITY, PROJECT, 'delrun01'), deleteArtifacts: false, extra: 'ignored' });
    expect(kept.errors).toBeUndefined();
    const dropped = await client.gql(op('run_delete'), { id: storageId(ENTITY, PROJECT, 'delrun02'), deleteArtifacts: true });
    expect(dropped.errors).toBeUndefined();
    for (const name of ['delrun01', 'delrun02']) {
      const gone = await client.gql(op('run_state'), { project: PROJECT, entity: ENTITY, name });
      expect(gone.data!.project.run).toBeNull();
    }
    const q = 'query A($id: ID!) { artifact(id: $id) { id } }';
    expect((await client.gql(q, { id: a1 })).data!.artifact).toEqual({ id: a1 });
    expect((await client.gql(q, { id: a2 })).data!.artifact).toBeNull();
  });

  describe('identity', () => {
    const keyNodes = (viewer: any) => viewer.apiKeys.edges.map((e: any) => e.node);

    it('Viewer (public Api) answers admin, the caller\'s keys by label, and teams, never a key', async () => {
      const res = await client.gql(op('viewer_public'));
      expect(res.errors).toBeUndefined();
      const viewer = res.data!.viewer;
      expect(viewer).toMatchObject({ username: 'demo', entity: 'demo', email: 'demo@example.com', admin: false });
      expect(JSON.parse(viewer.flags)).toEqual({});
      expect(keyNodes(viewer)).toEqual([{ id: expect.any(String), name: 'demo-key', description: expect.stringContaining('Demo') }]);
      expect(viewer.teams.edges.map((e: any) => e.node.name)).toEqual(['acme-ml']);
      expect(JSON.stringify(res)).not.toContain(DEMO_API_KEY);
      const other = await wandbClient(emulator, OTHER_API_KEY).gql(op('viewer_public'));
      expect(keyNodes(other.data!.viewer).map((k: any) => k.name)).toEqual(['other-key']);
      expect(JSON.stringify(other)).not.toContain(OTHER_API_KEY);
      expect(other.data!.viewer.teams.edges).toEqual([]);
    });

    it('GetViewer adds name and deletedAt; GetDefaultEntity and { viewer { id } } agree on the id', async () => {
      const full = await client.gql(op('get_viewer'));
      expect(full.errors).toBeUndefined();
      expect(full.data!.viewer).toMatchObject({ name: 'Demo User', username: 'demo', admin: false, deletedAt: null, entity: 'demo' });
      expect(keyNodes(full.data!.viewer).map((k: any) => k.name)).toEqual(['demo-key']);
      const entity = await client.gql(op('get_default_entity'));
      expect(entity.data!.viewer).toEqual({ id: full.data!.viewer.id, entity: 'demo' });
      const id = await client.gql(op('viewer_id'));
      expect(id.data!.viewer).toEqual({ id: full.data!.viewer.id });
      const otherId = await wandbClient(emulator, OTHER_API_KEY).gql(op('viewer_id'));
      expect(otherId.data!.viewer.id).not.toBe(full.data!.viewer.id);
    });

    it('a user reached through a run shows no API keys unless it is the caller', async () => {
      // "other" joins the demo entity for this test and creates a run there.
      const otherId = emulator.db.prepare(`SELECT id FROM users WHERE username = 'other'`).pluck().get() as number;
      const demoEntity = emulator.db.prepare(`SELECT id FROM entities WHERE name = ?`).pluck().get(ENTITY) as number;
      addMember(emulator.db, otherId, demoEntity);
      const made = await wandbClient(emulator, OTHER_API_KEY).gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: 'otherrun' });
      expect(made.errors).toBeUndefined();
      const q = (run: string) => `query { project(entityName: "${ENTITY}", name: "${PROJECT}") { run(name: "${run}") { user { username apiKeys { edges { node { name } } } } } } }`;
      const own = await client.gql(q(RUN));
      expect(own.data!.project.run.user).toEqual({ username: 'demo', apiKeys: { edges: [{ node: { name: 'demo-key' } }] } });
      const theirs = await client.gql(q('otherrun'));
      expect(theirs.data!.project.run.user).toEqual({ username: 'other', apiKeys: null });
    });
  });

  describe('introspection probes', () => {
    const probeNames = ['probe_run_input', 'probe_project_input', 'probe_server_artifact', 'probe_create_artifact_input', 'probe_use_artifact_input'];

    it('each probe lists the fields the client looks for', async () => {
      const [run, project, artifact, create, use] = await Promise.all(probeNames.map((n) => client.gql(op(n))));
      const names = (list: any[]) => list.map((f) => f.name);
      expect(names(run.data!.RunType.fields)).toEqual(expect.arrayContaining(['sampledHistory', 'historyKeys', 'projectId', 'inputArtifacts']));
      expect(names(project.data!.ProjectType.fields)).toEqual(expect.arrayContaining(['artifact', 'artifactCollectionMembership', 'internalId']));
      expect(names(artifact.data!.ArtifactInfoType.fields)).toEqual(expect.arrayContaining(['currentManifest', 'tags', 'historyStep', 'ttlIsInherited']));
      expect(names(create.data!.CreateArtifactInputInfoType.inputFields)).toEqual(expect.arrayContaining(['enableDigestDeduplication', 'tags', 'storageRegion']));
      expect(use.data!.UseArtifactInputInfoType.name).toBe('UseArtifactInput');
      expect(names(use.data!.UseArtifactInputInfoType.inputFields)).toEqual(expect.arrayContaining(['artifactEntityName', 'artifactProjectName']));
    });

    it('a burst of probes, as 0.24 sends per Run object, is answered quickly', async () => {
      const started = performance.now();
      for (let i = 0; i < 81; i++) expect((await client.gql(op('probe_run_input'))).errors).toBeUndefined();
      // 81 round trips over loopback; introspection of one type is parsed and validated once.
      expect(performance.now() - started).toBeLessThan(5_000);
    });
  });

  describe('artifacts by name', () => {
    const E = 'acme-ml';
    const P = 'image-classification';
    const aliasesOf = (a: any) => a.aliases.map((l: any) => l.alias).sort();

    it('ArtifactByName (0.16.4) resolves collection:alias, collection:vN and a bare collection, with the version alias listed', async () => {
      const get = async (name: string) => (await client.gql(op('artifact_by_name'), { entityName: E, projectName: P, name })).data!.project.artifact;
      const latest = await get('imagenet-subset:latest');
      expect(latest).toMatchObject({ versionIndex: 1, artifactType: { name: 'dataset' }, state: 'COMMITTED', fileCount: 2, ttlIsInherited: true });
      expect(latest.artifactSequence).toEqual({ project: { entityName: E, name: P }, name: 'imagenet-subset' });
      expect(aliasesOf(latest)).toEqual(['latest', 'stable', 'v1']);
      expect(latest.aliases[0].artifactCollection).toEqual({ project: { entityName: E, name: P }, name: 'imagenet-subset' });
      expect(await get('imagenet-subset')).toEqual(latest);
      expect(await get('imagenet-subset:stable')).toEqual(latest);
      const v0 = await get('imagenet-subset:v0');
      expect(v0.versionIndex).toBe(0);
      expect(aliasesOf(v0)).toEqual(['v0']);
      // What 0.16.4 asserts: exactly one version alias, naming the version's own index.
      for (const a of [latest, v0]) expect(a.aliases.filter((l: any) => /^v\d+$/.test(l.alias)).map((l: any) => l.alias)).toEqual([`v${a.versionIndex}`]);
      expect(await get('imagenet-subset:v7')).toBeNull();
      expect(await get('imagenet-subset:no-such-alias')).toBeNull();
      expect(await get('no-such-collection:latest')).toBeNull();
      const other = await wandbClient(emulator, OTHER_API_KEY).gql(op('artifact_by_name'), { entityName: E, projectName: P, name: 'imagenet-subset:latest' });
      expect(other.data!.project).toBeNull();
      const tooLong = await client.gql(op('artifact_by_name'), { entityName: E, projectName: P, name: 'x'.repeat(600) });
      expect(tooLong.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    });

    it('ArtifactByName (0.24) answers tags, historyStep, size and digest, and honours $includeAliases', async () => {
      const vars = { entity: E, project: P, name: 'imagenet-subset:v1', enableTracking: true };
      const res = await client.gql(op('artifact_by_name_v0_24'), vars);
      expect(res.errors).toBeUndefined();
      const a = res.data!.project.artifact;
      expect(a).toMatchObject({ __typename: 'Artifact', versionIndex: 1, tags: [], historyStep: null, state: 'COMMITTED' });
      expect(a.digest).toMatch(/^[0-9a-f]{32}$/);
      expect(a.size).toBeGreaterThan(1_000_000_000);
      expect(a.artifactSequence).toEqual({ __typename: 'ArtifactSequence', name: 'imagenet-subset', project: { name: P, entity: { name: E } } });
      expect(aliasesOf(a)).toEqual(['latest', 'stable', 'v1']);
      expect(a.aliases[0]).toMatchObject({ __typename: 'ArtifactAlias', id: expect.any(String), artifactCollection: { __typename: 'ArtifactSequence', name: 'imagenet-subset' } });
      const bare = await client.gql(op('artifact_by_name_v0_24'), { ...vars, includeAliases: false });
      expect(bare.data!.project.artifact.aliases).toBeUndefined();
      expect(bare.data!.project.artifact.digest).toBe(a.digest);
      // A model logged at the end of training carries its history step.
      const models = await client.gql(op('run_output_artifacts_v0_24'), { entity: E, project: P, run: await modelRun(), perPage: 10 });
      const model = models.data!.project.run.artifacts.edges.map((e: any) => e.node).find((n: any) => n.artifactType.name === 'model');
      const byName = await client.gql(op('artifact_by_name_v0_24'), { entity: E, project: P, name: `${model.artifactSequence.name}:v0` });
      expect(byName.data!.project.artifact.historyStep).toEqual(expect.any(Number));
      expect(byName.data!.project.artifact.id).toBe(model.id);
    });

    it('ArtifactMembershipByName resolves the same names to the collection membership', async () => {
      const byName = (await client.gql(op('artifact_by_name_v0_24'), { entity: E, project: P, name: 'imagenet-subset:stable' })).data!.project.artifact;
      const res = await client.gql(op('artifact_membership_by_name'), { entity: E, project: P, name: 'imagenet-subset:stable' });
      expect(res.errors).toBeUndefined();
      const m = res.data!.project.artifactCollectionMembership;
      expect(m).toMatchObject({ __typename: 'ArtifactCollectionMembership', versionIndex: 1 });
      expect(aliasesOf(m)).toEqual(['latest', 'stable', 'v1']);
      expect(m.artifactCollection).toMatchObject({ __typename: 'ArtifactSequence', name: 'imagenet-subset', project: { name: P, entity: { name: E } } });
      expect(m.artifactCollection.project.id).toEqual(expect.any(String));
      expect(m.artifactCollection.project.internalId).toEqual(expect.any(String));
      expect(m.artifact.id).toBe(byName.id);
      expect(m.artifact.digest).toBe(byName.digest);
      expect(m.artifact.aliases).toBeUndefined();
      const v0 = await client.gql(op('artifact_membership_by_name'), { entity: E, project: P, name: 'imagenet-subset:v0', includeAliases: true });
      expect(v0.data!.project.artifactCollectionMembership.versionIndex).toBe(0);
      expect(aliasesOf(v0.data!.project.artifactCollectionMembership.artifact)).toEqual(['v0']);
      const none = await client.gql(op('artifact_membership_by_name'), { entity: E, project: P, name: 'imagenet-subset:v9' });
      expect(none.data!.project.artifactCollectionMembership).toBeNull();
    });

    it('ArtifactManifest serves a v1 manifest whose client-computed digest is the version digest; logging it again finds that version', async () => {
      const res = await client.gql(op('artifact_manifest'), { entityName: E, projectName: P, name: 'imagenet-subset:v0' });
      expect(res.errors).toBeUndefined();
      const url: string = res.data!.project.artifact.currentManifest.file.directUrl;
      expect(url.startsWith(emulator.url)).toBe(true);
      const download = await fetch(url); // signed: no API key, as from a bucket
      expect(download.status).toBe(200);
      const manifest = (await download.json()) as any;
      expect(manifest).toMatchObject({ version: 1, storagePolicy: 'wandb-storage-policy-v1' });
      const entries = Object.entries(manifest.contents as Record<string, { digest: string; size: number }>);
      expect(entries.map(([path]) => path)).toEqual(['train.tar', 'val.tar']);
      for (const [, e] of entries) expect(e.digest).toMatch(/^[A-Za-z0-9+/]{22}==$/);
      // The Python client's ArtifactManifestV1.digest().
      const hash = createHash('md5').update('wandb-artifact-manifest-v1\n');
      for (const [path, e] of [...entries].sort(([a], [b]) => (a < b ? -1 : 1))) hash.update(`${path}:${e.digest}\n`);
      const digest = hash.digest('hex');
      const artifact = (await client.gql(op('artifact_by_name_v0_24'), { entity: E, project: P, name: 'imagenet-subset:v0' })).data!.project.artifact;
      expect(artifact.digest).toBe(digest);
      expect(artifact.size).toBe(entries.reduce((n, [, e]) => n + e.size, 0));
      expect(artifact.fileCount).toBe(entries.length);
      expect((await fetch(url.replace(/sig=[0-9a-f]+/, `sig=${'0'.repeat(40)}`))).status).toBe(403);

      // Run.log_artifact of a fetched artifact (0.16.4): createArtifact with the manifest digest returns the version.
      await client.gql(op('run_create'), { project: P, entity: E, name: 'relogger1' });
      const logged = await client.gql(op('create_artifact'), {
        artifactTypeName: 'dataset', artifactCollectionNames: ['imagenet-subset'], entityName: E, projectName: P, runName: 'relogger1', digest, historyStep: 0,
      });
      expect(logged.errors).toBeUndefined();
      expect(logged.data!.createArtifact.artifact.id).toBe(artifact.id);
      expect(logged.data!.createArtifact.artifact.artifactSequence.latestArtifact.versionIndex).toBe(1);
      const out = await client.gql(op('run_output_artifacts_v0_24'), { entity: E, project: P, run: 'relogger1' });
      expect(out.data!.project.run.artifacts.edges.map((e: any) => e.node.id)).toEqual([artifact.id]);
    });

    it('the seeded manifests and digests are the same on every seeding', async () => {
      const again = await startTestEmulator();
      try {
        const other = wandbClient(again, DEMO_API_KEY);
        for (const name of ['imagenet-subset:v0', 'imagenet-subset:v1']) {
          const a = await client.gql(op('artifact_by_name_v0_24'), { entity: E, project: P, name });
          const b = await other.gql(op('artifact_by_name_v0_24'), { entity: E, project: P, name });
          expect(b.data!.project.artifact.digest).toBe(a.data!.project.artifact.digest);
        }
        const count = (db: Emulator['db']) => db.prepare('SELECT count(*) FROM artifacts a JOIN artifact_manifests m ON m.artifact_id = a.id AND m.digest = a.digest').pluck().get();
        expect(count(again.db)).toBe(again.db.prepare('SELECT count(*) FROM artifacts').pluck().get());
      } finally {
        await again.close();
      }
    });

    /** A finished run of the seed that logged a model. */
    async function modelRun(): Promise<string> {
      return (emulator.db
        .prepare(`SELECT r.name FROM runs r JOIN artifacts a ON a.created_by_run_id = r.id JOIN artifact_collections c ON c.id = a.collection_id
                  JOIN artifact_types t ON t.id = c.type_id JOIN projects p ON p.id = r.project_id WHERE t.name = 'model' AND p.name = ? ORDER BY r.id LIMIT 1`)
        .pluck()
        .get(P) as string);
    }
  });

  it('the 0.24 variants: CreateArtifact without historyStep, DeleteRun, and artifact lists with named fragments', async () => {
    await client.gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: 'v24run01' });
    await client.gql(op('run_create'), { project: PROJECT, entity: ENTITY, name: 'v24run02' });
    const base = { artifactTypeName: 'dataset', artifactCollectionNames: ['v24-data'], entityName: ENTITY, projectName: PROJECT, runName: 'v24run01' };
    const v0 = await client.gql(op('create_artifact_v0_24'), { ...base, digest: 'e'.repeat(32), aliases: [{ artifactCollectionName: 'v24-data', alias: 'raw' }], tags: [{ tagName: 'tabular' }] });
    expect(v0.errors).toBeUndefined();
    expect(v0.data!.createArtifact.artifact.artifactSequence.latestArtifact.versionIndex).toBe(0);
    const again = await client.gql(op('create_artifact_v0_24'), { ...base, digest: 'e'.repeat(32) });
    expect(again.data!.createArtifact.artifact.id).toBe(v0.data!.createArtifact.artifact.id);
    const v1 = await client.gql(op('create_artifact_v0_24'), { ...base, digest: 'f'.repeat(32), aliases: [{ artifactCollectionName: 'v24-data', alias: 'v0' }] });
    expect(v1.data!.createArtifact.artifact.artifactSequence.latestArtifact).toEqual({ id: v1.data!.createArtifact.artifact.id, versionIndex: 1 });
    await client.gql(op('use_artifact'), { entityName: ENTITY, projectName: PROJECT, runName: 'v24run02', artifactID: v0.data!.createArtifact.artifact.id });

    const out = await client.gql(op('run_output_artifacts_v0_24'), { entity: ENTITY, project: PROJECT, run: 'v24run01', perPage: 1 });
    expect(out.errors).toBeUndefined();
    const conn = out.data!.project.run.artifacts;
    expect(conn.totalCount).toBe(2);
    expect(conn.pageInfo).toEqual({ __typename: 'PageInfo', endCursor: expect.any(String), hasNextPage: true });
    const first = conn.edges[0].node;
    expect(first).toMatchObject({ __typename: 'Artifact', versionIndex: 0, digest: 'e'.repeat(32), tags: [{ __typename: 'Tag', id: expect.any(String), name: 'tabular' }] });
    // "v0" asked as a user alias stays with version 0.
    expect(first.aliases.map((a: any) => a.alias).sort()).toEqual(['raw', 'v0']);
    const next = await client.gql(op('run_output_artifacts_v0_24'), { entity: ENTITY, project: PROJECT, run: 'v24run01', perPage: 1, cursor: conn.pageInfo.endCursor, includeAliases: false });
    expect(next.data!.project.run.artifacts.edges[0].node).toMatchObject({ versionIndex: 1, historyStep: null });
    expect(next.data!.project.run.artifacts.edges[0].node.aliases).toBeUndefined();
    const inputs = await client.gql(op('run_input_artifacts_v0_24'), { entity: ENTITY, project: PROJECT, run: 'v24run02' });
    expect(inputs.data!.project.run.artifacts.totalCount).toBe(1);
    expect(inputs.data!.project.run.artifacts.edges[0].node.id).toBe(v0.data!.createArtifact.artifact.id);

    const deleted = await client.gql(op('run_delete_v0_24'), { id: storageId(ENTITY, PROJECT, 'v24run01') });
    expect(deleted.errors).toBeUndefined();
    expect(deleted.data!.deleteRun).toEqual({ clientMutationId: null });
    expect((await client.gql(op('run_state'), { project: PROJECT, entity: ENTITY, name: 'v24run01' })).data!.project.run).toBeNull();
    // Without $deleteArtifacts the versions stay.
    const kept = await client.gql(op('artifact_by_name_v0_24'), { entity: ENTITY, project: PROJECT, name: 'v24-data:raw' });
    expect(kept.data!.project.artifact.id).toBe(v0.data!.createArtifact.artifact.id);
    const again2 = await client.gql(op('run_delete_v0_24'), { id: storageId(ENTITY, PROJECT, 'v24run01') });
    expect(again2.errors![0].extensions!.code).toBe('NOT_FOUND');
  });

  it('every document of the official client was exercised above', () => {
    const all = readdirSync(`${sharedDir}wandb/client-operations`).map((f) => f.replace(/\.graphql$/, ''));
    expect(all.filter((name) => !exercised.has(name))).toEqual([]);
  });
});
