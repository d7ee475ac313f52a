/**
 * The official W&B Python client (`wandb`, 0.30) against the emulator over
 * real HTTP: its public API (wandb.Api) runs emulator/test/fixtures/python/
 * wandb_client_flows.py, and each step's answer is checked against what the
 * emulator holds. Skipped, with the reason printed, when `python3 -c 'import
 * wandb'` fails; WANDB_PYTHON names another interpreter.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Emulator } from '../src/server.js';
import { DEMO_API_KEY } from '../src/seed.js';
import { startTestEmulator } from './helpers/emulator.js';
import { manifestDigest } from '../src/store/manifests.js';

const python = process.env.WANDB_PYTHON ?? 'python3';
const probe = spawnSync(python, ['-c', 'import wandb, sys; sys.stdout.write(wandb.__version__)'], { encoding: 'utf8', timeout: 60_000 });
const wandbVersion = probe.status === 0 ? probe.stdout.trim() : null;
const d = wandbVersion ? describe : describe.skip;
if (!wandbVersion) {
  console.warn(
    `SKIPPED: the official W&B client is not importable (${python} -c 'import wandb' failed: ${(probe.stderr || String(probe.error ?? '')).trim().split('\n').pop()}); ` +
      `install it with: python3 -m pip install 'wandb==0.30.0'`,
  );
}

const script = fileURLToPath(new URL('./fixtures/python/wandb_client_flows.py', import.meta.url));
const E = 'acme-ml';
const P = 'image-classification';

type Step = { ok: true; value: any } | { ok: false; error: string; trace: string };

d(`the official Python client (wandb ${wandbVersion}) against the emulator`, () => {
  let emulator: Emulator;
  let steps: Record<string, Step>;
  let home: string;

  beforeAll(async () => {
    emulator = await startTestEmulator();
    home = mkdtempSync(join(tmpdir(), 'wandb-client-'));
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, WANDB_DIR: home, WANDB_CACHE_DIR: home, WANDB_CONFIG_DIR: home, WANDB_DATA_DIR: home, WANDB_SILENT: 'true' };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(python, [script, emulator.url, DEMO_API_KEY, `${E}/${P}`], { env, timeout: 150_000, maxBuffer: 16 * 1024 * 1024 }, (error, out, err) =>
        error ? reject(new Error(`${error.message}\n${err.slice(-2000)}`)) : resolve(out),
      );
    });
    steps = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, Step>;
  }, 180_000);
  afterAll(async () => {
    await emulator?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** A step's value; a failed step fails the test with the client's own error. */
  function value(name: string): any {
    const step = steps[name];
    expect(step).toBeDefined();
    if (!step.ok) throw new Error(`${name} failed in the client: ${step.error}\n${step.trace}`);
    return step.value;
  }

  const db = () => emulator.db;
  const projectId = () => db().prepare('SELECT p.id FROM projects p JOIN entities e ON e.id = p.entity_id WHERE e.name = ? AND p.name = ?').pluck().get(E, P) as number;
  const runRow = (name: string) => db().prepare('SELECT * FROM runs WHERE project_id = ? AND name = ?').get(projectId(), name) as Record<string, any>;
  const target = () => runRow(value('target'));
  /** A run's stored history rows, parsed, in step order. */
  const storedRows = (runId: number) =>
    (db().prepare('SELECT step, row FROM history WHERE run_id = ? ORDER BY step').all(runId) as { step: number; row: string }[]).map((r) => ({ step: r.step, row: JSON.parse(r.row) as Record<string, unknown> }));

  it('Api.viewer and default_entity: the caller, not an admin, keys by label only', () => {
    expect(value('viewer')).toEqual({ username: 'demo', entity: 'demo', admin: false, api_keys: ['demo-key'] });
    expect(value('default_entity')).toBe('demo');
    expect(JSON.stringify(steps)).not.toContain(DEMO_API_KEY);
  });

  it('api.run(path) loads the run the filtered, ordered api.runs found first', () => {
    const run = target();
    expect(run.state).toBe('finished');
    const older = db().prepare(`SELECT count(*) FROM runs WHERE project_id = ? AND state = 'finished' AND created_at < ?`).pluck().get(projectId(), run.created_at);
    expect(older).toBe(0);
    const loaded = value('api.run');
    expect(loaded).toMatchObject({ id: run.name, name: run.display_name, state: 'finished', tags: JSON.parse(run.tags) });
    const config = JSON.parse(run.config) as Record<string, { value: unknown }>;
    expect(loaded.config.model).toEqual(config.model.value ?? config.model);
    expect(loaded.summary_step).toBe(run.last_step);
  });

  it('api.runs iterates every run of the project once, and len agrees', () => {
    const { len, ids } = value('api.runs');
    // pyflows1, pyinit01, pynan001 and pypend01 are created by later steps.
    const expected = db().prepare(`SELECT name FROM runs WHERE project_id = ? AND name NOT IN ('pyflows1', 'pyinit01', 'pynan001', 'pypend01')`).pluck().all(projectId()) as string[];
    expect(len).toBe(expected.length);
    expect(ids).toHaveLength(expected.length);
    expect([...ids].sort()).toEqual([...expected].sort());
  });

  it('run.history and run.scan_history (all keys, and keyed with small pages) return every step once', () => {
    const run = target();
    const rows = storedRows(run.id);
    const stored = rows.map((r) => r.step);
    expect(stored.length).toBeGreaterThan(7); // more than one page of 7
    expect(value('run.history')).toEqual(stored);
    expect(value('run.scan_history')).toEqual(stored);
    const withLoss = rows.map((r) => [r.step, r.row['train/loss']]).filter(([, loss]) => loss !== undefined);
    expect(value('run.scan_history(keys)')).toEqual(withLoss);
  });

  it('run.files lists the run files with their sizes', () => {
    const files = db().prepare('SELECT name, size_bytes FROM files WHERE run_id = ? ORDER BY name').raw().all(target().id);
    expect(files.length).toBeGreaterThan(0);
    expect(value('run.files')).toEqual(files);
  });

  it('api.artifact by name: :latest, :v0 and a bare collection, with the manifest the client downloads and hashes', () => {
    const latest = value('api.artifact(latest)');
    expect(latest).toMatchObject({ name: 'imagenet-subset:latest', version: 'v1', type: 'dataset', file_count: 2 });
    expect([...latest.aliases].sort()).toEqual(['latest', 'stable']);
    const stored = db()
      .prepare(`SELECT a.* FROM artifacts a JOIN artifact_collections c ON c.id = a.collection_id WHERE c.project_id = ? AND c.name = 'imagenet-subset' ORDER BY a.version_index`)
      .all(projectId()) as Record<string, any>[];
    expect(latest.digest).toBe(stored[1].digest);
    expect(latest.manifest_digest).toBe(latest.digest);
    expect(latest.size).toBe(stored[1].size);
    const entries = Object.entries(latest.manifest as Record<string, [string, number]>).map(([path, [digest, size]]) => ({ path, digest, size }));
    expect(manifestDigest(entries)).toBe(latest.digest);
    expect(entries.reduce((n, e) => n + e.size, 0)).toBe(latest.size);
    expect(JSON.parse(stored[1].metadata)).toEqual(latest.metadata);

    const v0 = value('api.artifact(v0)');
    expect(v0).toMatchObject({ name: 'imagenet-subset:v0', version: 'v0', digest: stored[0].digest });
    expect(v0.manifest_digest).toBe(v0.digest);
    const bare = value('api.artifact(bare)');
    expect(bare).toMatchObject({ name: 'imagenet-subset:v1', version: 'v1', digest: latest.digest });
  });

  it('run.logged_artifacts and run.used_artifacts list what the run logged and used', () => {
    const run = target();
    const names = (sql: string) =>
      (db()
        .prepare(`SELECT c.name || ':v' || a.version_index FROM ${sql} JOIN artifacts a ON a.id = x.artifact_id JOIN artifact_collections c ON c.id = a.collection_id WHERE x.run_id = ? ORDER BY x.seq`)
        .pluck()
        .all(run.id) as string[]);
    const logged = value('run.logged_artifacts');
    expect(logged.run).toBe(run.name);
    expect(logged.artifacts.map(([name]: [string]) => name)).toEqual(names('artifact_outputs x'));
    expect(value('run.used_artifacts')).toEqual({ run: run.name, artifacts: names('artifact_usages x') });
  });

  it('use_artifact and log_artifact(aliases) on a run made with Run.create: recorded, alias attached, no new version', () => {
    expect(value('use_artifact/log_artifact')).toEqual({ used: ['imagenet-subset:v0'], logged: ['imagenet-subset:v0'], aliases: ['reviewed'] });
    const versions = db()
      .prepare(`SELECT count(*) FROM artifacts a JOIN artifact_collections c ON c.id = a.collection_id WHERE c.project_id = ? AND c.name = 'imagenet-subset'`)
      .pluck()
      .get(projectId());
    expect(versions).toBe(2);
    const alias = db()
      .prepare(`SELECT a.version_index FROM artifact_aliases l JOIN artifacts a ON a.id = l.artifact_id JOIN artifact_collections c ON c.id = l.collection_id WHERE c.project_id = ? AND c.name = 'imagenet-subset' AND l.alias = 'reviewed'`)
      .pluck()
      .get(projectId());
    expect(alias).toBe(0);
  });

  it('api.projects pages through an entity\'s projects; none of an entity the caller is not in', () => {
    const stored = db().prepare('SELECT e.name, p.name FROM projects p JOIN entities e ON e.id = p.entity_id WHERE e.name = ? ORDER BY p.id').raw().all(E);
    const flow = value('api.projects');
    expect(flow.entity).toEqual(stored);
    expect(flow.own.length).toBeGreaterThan(0);
    expect(new Set(flow.own)).toEqual(new Set(['demo']));
    expect(flow.other).toEqual([]);
  });

  it('wandb.init, log and finish (wandb-core): the run keeps its name, group, job type, notes and tags through the later config upsert', () => {
    const run = runRow('pyinit01');
    expect(run).toMatchObject({ display_name: 'py-init', group_name: 'py-group', job_type: 'train', state: 'finished' });
    const stored = storedRows(run.id).filter((r) => r.step < 5);
    expect(stored.map((r) => [r.step, r.row.loss])).toEqual([0, 1, 2, 3, 4].map((i) => [i, 1 / (i + 1)]));
    const flow = value('wandb.init/log/finish');
    expect(flow).toMatchObject({ state: 'finished', name: 'py-init', group: 'py-group', job_type: 'train', notes: 'from wandb.init', tags: ['t1', 't2'], config: { lr: 0.1, nested: { a: 1 } } });
    expect(flow.summary).toEqual({ loss: 0.2, best: 0.99, _step: 4 });
    expect(flow.history).toEqual(stored.map((r) => [r.step, r.row.loss]));
    expect(flow.files).toEqual(expect.arrayContaining(['config.yaml', 'wandb-summary.json']));
  });

  it('wandb.init without a name, logging NaN and infinities: the run is named, finished, and reads them back', () => {
    const flow = value('wandb.init with NaN and infinities');
    expect(flow.state).toBe('finished');
    expect(flow.name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    // wandb-core writes 1.0 as 1; whole rows keep the tokens, keyed rows (sampledHistory, JSON) have null for them.
    expect(flow.history).toEqual([[0, '1'], [1, 'nan'], [2, 'inf'], [3, '0.5']]);
    expect(flow.keyed).toEqual([[0, '1'], [1, 'None'], [2, 'None'], [3, '0.5']]);
    expect(flow.worst).toBe('-inf');
  });

  it('wandb.init(resume="must") continues the finished run: steps after the last one, name, tags and config kept', () => {
    const run = runRow('pyinit01');
    const stored = storedRows(run.id);
    expect(stored.map((r) => r.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(stored.slice(5).map((r) => r.row.loss)).toEqual([0.1, 0.05, 0.1 / 3]);
    const flow = value('wandb.init(resume)');
    expect(flow).toMatchObject({ state: 'finished', name: 'py-init', tags: ['t1', 't2'], config: { lr: 0.1, nested: { a: 1 } } });
    expect(flow.history).toEqual(stored.map((r) => [r.step, r.row.loss]));
  });

  it('Run.create(state: pending), then wandb.init(resume="allow") starts that run', () => {
    expect(value('Run.create(pending) then wandb.init')).toEqual({ before: 'pending', after: 'finished', history: [[0, 0.5]] });
    expect(runRow('pypend01').state).toBe('finished');
  });

  it('Run.update and summary.update on a loaded run: config, tags and notes replaced, other fields and summary keys kept', () => {
    expect(value('run.update')).toEqual({ config: { lr: 0.1, nested: { a: 1 }, epochs: 3 }, tags: ['t3'], notes: 'edited', name: 'py-init', group: 'py-group', extra: 1, best: 0.99 });
    const run = runRow('pyinit01');
    expect(JSON.parse(run.tags)).toEqual(['t3']);
    expect(JSON.parse(run.summary)).toMatchObject({ extra: 1, best: 0.99 });
  });

  it('upload_file, to_html and delete: the file is stored with its size, the frame links the run, the run is gone', () => {
    const flow = value('upload_file/to_html/delete');
    expect(flow.uploaded).toBe('notes.txt');
    expect(flow.files).toEqual([['notes.txt', 'hello from the client\n'.length]]);
    expect(flow.html).toContain(`/${E}/${P}/runs/pyupload1?jupyter=true`);
    expect(runRow('pyupload1')).toBeUndefined();
  });

  it('lazy Runs upgraded to full, and Runs.histories: each run its own sampled rows', () => {
    const flow = value('runs lazy/histories');
    expect(flow.id).toBe(value('target'));
    expect(flow.config_keys).toEqual(Object.keys(JSON.parse(target().config)).filter((k) => k !== '_wandb').sort());
    const rows = flow.histories as [string, number, number][];
    const runs = [...new Set(rows.map(([id]) => id))];
    expect(runs[0]).toBe(value('target'));
    for (const id of runs) {
      const stored = new Map(storedRows(runRow(id).id).map((r) => [r.step, r.row['train/loss']]));
      const mine = rows.filter(([r]) => r === id);
      expect(mine.length).toBeGreaterThan(0);
      expect(mine.length).toBeLessThanOrEqual(5);
      for (const [, step, loss] of mine) expect(stored.get(step)).toBe(loss);
    }
  });

  it('wait_until_finished returns for a finished run', () => {
    expect(value('wait_until_finished')).toBe('finished');
  });
});
