/**
 * Every document the official W&B Python client sends for Run/Runs, sent as
 * is over HTTP to a seeded emulator, with data written for the test through
 * the W&B protocol (upsertBucket, filestream, createRunFiles + PUT).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Emulator } from '../src/server.js';
import { createSweep } from '../src/store/sweeps.js';
import { DEMO_API_KEY } from '../src/seed.js';
import { readdirSync } from 'node:fs';
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
    expect(first.aliases.map((a: any) => a.alias).sort()).toEqual(['best']);
    expect(conn.edges[1].node.aliases.map((a: any) => a.alias)).toEqual(['latest']);
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

  it('every document of the official client was exercised above', () => {
    const all = readdirSync(`${sharedDir}wandb/client-operations`).map((f) => f.replace(/\.graphql$/, ''));
    expect(all.filter((name) => !exercised.has(name))).toEqual([]);
  });
});
