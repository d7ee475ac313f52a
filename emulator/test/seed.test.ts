import { describe, expect, it, beforeAll } from '@jest/globals';
import { createHash } from 'node:crypto';
import { openDb, type Db } from '../src/store/db.js';
import { DEMO_API_KEY, OTHER_API_KEY, isEmpty, seedDemo, type SeedResult } from '../src/seed.js';
import { memberEntity, userByApiKey } from '../src/store/accounts.js';
import { findSweep, sweepRunCount } from '../src/store/sweeps.js';
import type { RunRow } from '../src/store/types.js';

const scale = 0.01;

/** A digest of every seeded table but meta (whose signing secret is random). */
function digestOf(db: Db): Record<string, string> {
  const tables: Record<string, string> = {
    users: 'SELECT * FROM users ORDER BY id',
    api_keys: 'SELECT * FROM api_keys ORDER BY key_digest',
    entities: 'SELECT * FROM entities ORDER BY id',
    memberships: 'SELECT * FROM memberships ORDER BY user_id, entity_id',
    projects: 'SELECT * FROM projects ORDER BY id',
    runs: 'SELECT * FROM runs ORDER BY id',
    history: 'SELECT run_id, step, keyset_id, row FROM history ORDER BY run_id, step',
    history_keysets: 'SELECT * FROM history_keysets ORDER BY id',
    history_key_types: 'SELECT * FROM history_key_types ORDER BY run_id, key, type',
    events: 'SELECT * FROM events ORDER BY run_id, seq',
    files: 'SELECT id, run_id, name, size_bytes, mimetype, md5, hex(content) AS content, uploaded, updated_at FROM files ORDER BY id',
    sweeps: 'SELECT * FROM sweeps ORDER BY id',
    artifacts: 'SELECT * FROM artifacts ORDER BY id',
    artifact_aliases: 'SELECT * FROM artifact_aliases ORDER BY id',
    artifact_usages: 'SELECT * FROM artifact_usages ORDER BY seq',
  };
  const out: Record<string, string> = {};
  for (const [name, sql] of Object.entries(tables)) {
    const hash = createHash('sha256');
    for (const row of db.prepare(sql).iterate()) hash.update(JSON.stringify(row)).update('\n');
    out[name] = hash.digest('hex');
  }
  return out;
}

function count(db: Db, sql: string, ...params: unknown[]): number {
  return (db.prepare(sql).get(...params) as { n: number }).n;
}

function projectRuns(db: Db, entity: string, project: string): RunRow[] {
  return db
    .prepare(
      `SELECT r.* FROM runs r JOIN projects p ON p.id = r.project_id JOIN entities e ON e.id = p.entity_id
       WHERE e.name = ? AND p.name = ? ORDER BY r.id`,
    )
    .all(entity, project) as RunRow[];
}

describe('seedDemo', () => {
  let db: Db;
  let result: SeedResult;

  beforeAll(() => {
    db = openDb(null);
    expect(isEmpty(db)).toBe(true);
    result = seedDemo(db, { historyScale: scale });
  });

  it('is deterministic: two fresh databases get identical rows', () => {
    const again = openDb(null);
    const second = seedDemo(again, { historyScale: scale });
    expect(second).toEqual(result);
    expect(digestOf(again)).toEqual(digestOf(db));
  });

  it('keeps run metadata independent of the history scale', () => {
    const other = openDb(null);
    seedDemo(other, { historyScale: 0.002 });
    const meta = 'SELECT name, display_name, state, config, tags, group_name, job_type, created_at, heartbeat_at, sweep_name FROM runs ORDER BY id';
    expect(other.prepare(meta).all()).toEqual(db.prepare(meta).all());
  });

  it('refuses a database that already has users, and is no longer empty', () => {
    expect(isEmpty(db)).toBe(false);
    expect(() => seedDemo(db)).toThrow(/users/);
  });

  it('rejects a non-positive scale', () => {
    expect(() => seedDemo(openDb(null), { historyScale: 0 })).toThrow(RangeError);
  });

  it('returns counts in the expected ranges', () => {
    expect(result.demoKey).toBe(DEMO_API_KEY);
    expect(result.otherKey).toBe(OTHER_API_KEY);
    expect(DEMO_API_KEY).toMatch(/^[0-9a-z]{40}$/);
    expect(OTHER_API_KEY).toMatch(/^[0-9a-z]{40}$/);
    expect(result.entity).toBe('acme-ml');
    expect(result.projects).toEqual(['image-classification', 'llm-finetune']);
    expect(result.runs).toBe(count(db, 'SELECT count(*) AS n FROM runs'));
    expect(result.historyRows).toBe(count(db, 'SELECT count(*) AS n FROM history'));
    const image = projectRuns(db, 'acme-ml', 'image-classification');
    const llm = projectRuns(db, 'acme-ml', 'llm-finetune');
    expect(image.length).toBeGreaterThanOrEqual(90);
    expect(image.length).toBeLessThanOrEqual(110);
    expect(llm.length).toBeGreaterThanOrEqual(40);
    expect(llm.length).toBeLessThanOrEqual(50);
    expect(image.length + llm.length).toBeGreaterThanOrEqual(140);
    expect(image.length + llm.length).toBeLessThanOrEqual(160);
    expect(projectRuns(db, 'demo', 'scratch').length).toBeGreaterThanOrEqual(1);
    expect(projectRuns(db, 'other', 'private-experiments')).toHaveLength(3);
    // One run of 200,000 steps, two of ~20,000, scaled by 0.01.
    const lengths = image.map((r) => r.history_line_count).sort((a, b) => b - a);
    expect(lengths[0]).toBe(2000);
    expect(lengths[1]).toBeGreaterThanOrEqual(150);
    expect(lengths[2]).toBeGreaterThanOrEqual(150);
    expect(lengths[3]).toBeLessThanOrEqual(30);
    for (const r of [...image, ...llm]) {
      expect(r.history_line_count).toBeGreaterThanOrEqual(1);
      expect(r.last_step).toBe(r.history_line_count - 1);
    }
  });

  it('isolates the two users', () => {
    const demo = userByApiKey(db, DEMO_API_KEY);
    const other = userByApiKey(db, OTHER_API_KEY);
    expect(demo?.username).toBe('demo');
    expect(demo?.name).toBe('Demo User');
    expect(demo?.email).toBe('demo@example.com');
    expect(other?.username).toBe('other');
    expect(memberEntity(db, demo!.id, 'acme-ml')?.is_team).toBe(1);
    expect(memberEntity(db, demo!.id, 'demo')).not.toBeNull();
    expect(memberEntity(db, demo!.id, 'other')).toBeNull();
    expect(memberEntity(db, other!.id, 'acme-ml')).toBeNull();
    expect(memberEntity(db, other!.id, 'other')).not.toBeNull();
  });

  it('stores runs the W&B way', () => {
    const runs = db.prepare('SELECT * FROM runs').all() as RunRow[];
    const states = new Set(runs.map((r) => r.state));
    for (const s of ['finished', 'running', 'crashed', 'failed', 'killed', 'preempted']) expect(states).toContain(s);
    expect(runs.filter((r) => r.state === 'preempted').length).toBeLessThanOrEqual(2);
    expect(runs.filter((r) => r.state === 'finished').length).toBeGreaterThan(runs.length / 2);
    for (const r of runs) {
      expect(r.name).toMatch(/^[0-9a-z]{8}$/);
      expect(r.display_name).toMatch(/^[a-z]+-[a-z]+-\d+$/);
      expect(r.created_at).toMatch(/^2026-10-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(r.heartbeat_at! > r.created_at).toBe(true);
      expect(r.commit_hash).toMatch(/^[0-9a-f]{40}$/);
      const config = JSON.parse(r.config) as Record<string, { value: unknown; desc: null }>;
      expect(config._wandb).toEqual({ value: expect.objectContaining({ cli_version: '0.28.3' }), desc: null });
      for (const entry of Object.values(config)) expect(Object.keys(entry).sort()).toEqual(['desc', 'value']);
      const summary = JSON.parse(r.summary) as Record<string, number>;
      expect(summary._step).toBe(r.last_step);
      const last = JSON.parse((db.prepare('SELECT row FROM history WHERE run_id = ? AND step = ?').get(r.id, r.last_step) as { row: string }).row) as Record<string, number>;
      for (const key of ['_runtime', '_timestamp', 'train/loss', 'train/acc', 'lr']) expect(summary[key]).toBe(last[key]);
      expect(typeof summary.best_val_acc).toBe('number');
      expect(r.event_count).toBeGreaterThanOrEqual(1);
      expect(r.event_count).toBeLessThanOrEqual(200);
    }
    const train = runs.find((r) => r.job_type === 'train' && JSON.parse(r.config).scheduler)!;
    expect(JSON.parse(train.config).scheduler.value).toEqual(expect.objectContaining({ name: expect.any(String), warmup: expect.any(Number) }));
    expect(runs.some((r) => r.job_type === 'eval')).toBe(true);
    expect(runs.some((r) => r.notes)).toBe(true);
    expect(runs.some((r) => r.group_name === 'resnet-ablation')).toBe(true);
  });

  it('logs the sparse validation keys every 50 steps', () => {
    const long = db.prepare('SELECT id FROM runs ORDER BY history_line_count DESC LIMIT 1').get() as { id: number };
    const rows = (db.prepare('SELECT step, row FROM history WHERE run_id = ? ORDER BY step').all(long.id) as { step: number; row: string }[]).map((r) => ({
      step: r.step,
      value: JSON.parse(r.row) as Record<string, number>,
    }));
    expect(rows).toHaveLength(2000);
    let previous = -Infinity;
    for (const { step, value } of rows) {
      expect(value._step).toBe(step);
      expect('val/loss' in value).toBe(step % 50 === 0);
      expect('val/acc' in value).toBe(step % 50 === 0);
      expect(value._runtime).toBeGreaterThan(previous);
      previous = value._runtime;
    }
    const types = db.prepare('SELECT key, count FROM history_key_types WHERE run_id = ? ORDER BY key').all(long.id);
    expect(types).toEqual(expect.arrayContaining([{ key: 'val/acc', count: 40 }, { key: 'train/loss', count: 2000 }]));
  });

  it('gives llm runs tokens_per_sec', () => {
    const run = projectRuns(db, 'acme-ml', 'llm-finetune')[0];
    const row = JSON.parse((db.prepare('SELECT row FROM history WHERE run_id = ? LIMIT 1').get(run.id) as { row: string }).row);
    expect(typeof row.tokens_per_sec).toBe('number');
  });

  it('stores system metrics', () => {
    const row = JSON.parse((db.prepare('SELECT row FROM events LIMIT 1').get() as { row: string }).row);
    expect(row).toEqual(expect.objectContaining({ _wandb: true, 'system.cpu': expect.any(Number), 'system.memory': expect.any(Number), 'system.gpu.0.gpu': expect.any(Number) }));
    expect(JSON.parse((db.prepare('SELECT system_metrics FROM runs LIMIT 1').get() as { system_metrics: string }).system_metrics)).toHaveProperty(['system.cpu']);
  });

  it('uploads files for every run', () => {
    const runs = count(db, 'SELECT count(*) AS n FROM runs');
    for (const name of ['config.yaml', 'wandb-metadata.json', 'output.log', 'requirements.txt']) {
      expect(count(db, 'SELECT count(*) AS n FROM files WHERE name = ? AND uploaded = 1 AND size_bytes > 0', name)).toBe(runs);
    }
    expect(count(db, "SELECT count(*) AS n FROM files WHERE name = 'model.pt'")).toBeGreaterThan(0);
    const yaml = (db.prepare("SELECT content FROM files WHERE name = 'config.yaml' LIMIT 1").get() as { content: Buffer }).content.toString();
    expect(yaml).toMatch(/^wandb_version: 1\n/);
    const meta = JSON.parse((db.prepare("SELECT content FROM files WHERE name = 'wandb-metadata.json' LIMIT 1").get() as { content: Buffer }).content.toString());
    expect(meta.program).toMatch(/\.py$/);
  });

  it('has a sweep with runs', () => {
    const project = db.prepare("SELECT p.id FROM projects p WHERE p.name = 'image-classification'").get() as { id: number };
    const sweepName = (db.prepare('SELECT name FROM sweeps WHERE project_id = ?').get(project.id) as { name: string }).name;
    expect(sweepName).toMatch(/^[0-9a-z]{8}$/);
    const sweep = findSweep(db, project.id, sweepName)!;
    expect(sweep.method).toBe('bayes');
    expect(sweep.state).toBe('FINISHED');
    expect(typeof sweep.best_loss).toBe('number');
    expect(sweepRunCount(db, sweep)).toBeGreaterThanOrEqual(15);
  });

  it('has artifacts with lineage', () => {
    expect(count(db, 'SELECT count(*) AS n FROM artifacts WHERE created_by_run_id IS NOT NULL')).toBeGreaterThan(0);
    expect(count(db, 'SELECT count(*) AS n FROM artifact_usages')).toBeGreaterThan(0);
    const dataset = db
      .prepare(
        `SELECT a.version_index, a.digest FROM artifacts a JOIN artifact_collections c ON c.id = a.collection_id
         JOIN artifact_types t ON t.id = c.type_id WHERE c.name = 'imagenet-subset' AND t.name = 'dataset' ORDER BY a.version_index`,
      )
      .all() as { version_index: number; digest: string }[];
    expect(dataset.map((a) => a.version_index)).toEqual([0, 1]);
    for (const a of dataset) expect(a.digest).toMatch(/^[0-9a-f]{32}$/);
    // Eval runs use a model that a training run logged.
    expect(
      count(
        db,
        `SELECT count(*) AS n FROM artifact_usages u JOIN runs r ON r.id = u.run_id JOIN artifacts a ON a.id = u.artifact_id
         JOIN artifact_collections c ON c.id = a.collection_id JOIN artifact_types t ON t.id = c.type_id
         WHERE r.job_type = 'eval' AND t.name = 'model' AND a.created_by_run_id IS NOT NULL`,
      ),
    ).toBeGreaterThan(0);
    expect(
      count(
        db,
        `SELECT count(*) AS n FROM artifact_aliases l JOIN artifact_collections c ON c.id = l.collection_id
         WHERE l.alias = 'best' AND c.name LIKE 'resnet50-%'`,
      ),
    ).toBe(1);
  });
});
