import { describe, it, expect, beforeAll } from '@jest/globals';
import Database from 'better-sqlite3';
import { QueryInputError } from '../src/runFilters.js';
import { parseRunOrder } from '../src/runOrder.js';

type Db = Database.Database;

interface RunSeed {
  name: string;
  display: string | null;
  state: string;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  group: string | null;
  created: string;
  heartbeat: string | null;
}

const RUNS: RunSeed[] = [
  { name: 'r01', display: 'alpha', state: 'finished', config: { lr: 0.01 }, summary: { loss: 0.5 }, group: 'g1', created: '2024-01-01T00:00:00Z', heartbeat: '2024-01-01T01:00:00Z' },
  { name: 'r02', display: 'beta', state: 'running', config: { lr: 0.1 }, summary: { loss: 0.3 }, group: 'g1', created: '2024-01-02T00:00:00Z', heartbeat: '2024-01-05T00:00:00Z' },
  { name: 'r03', display: 'Gamma', state: 'crashed', config: { lr: 0.001 }, summary: { loss: null }, group: 'g2', created: '2024-01-03T12:00:00Z', heartbeat: null },
  { name: 'r04', display: null, state: 'failed', config: {}, summary: {}, group: null, created: '2024-01-04T00:00:00Z', heartbeat: null },
  { name: 'r05', display: 'epsilon', state: 'finished', config: { lr: 0.01, model: { depth: 3 } }, summary: { loss: 1.5 }, group: 'g2', created: '2024-02-01T00:00:00Z', heartbeat: '2024-02-01T00:00:30Z' },
  { name: 'r06', display: 'zeta', state: 'killed', config: { lr: '0.01', model: { depth: 12 } }, summary: { loss: 0.05 }, group: null, created: '2024-02-15T08:30:00Z', heartbeat: '2024-02-15T09:30:00Z' },
  { name: 'r07', display: 'eta', state: 'preempted', config: { lr: 0.5 }, summary: { loss: 0.3 }, group: 'g3', created: '2024-03-01T00:00:00Z', heartbeat: null },
  { name: 'r08', display: 'theta', state: 'pending', config: {}, summary: { loss: 'nan' }, group: null, created: '2024-03-02T00:00:00Z', heartbeat: null },
];

let db: Db;

beforeAll(() => {
  db = new Database(':memory:');
  db.exec(`CREATE TABLE runs (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, name TEXT NOT NULL, display_name TEXT,
    state TEXT NOT NULL, config TEXT NOT NULL, summary TEXT NOT NULL, tags TEXT NOT NULL DEFAULT '[]',
    group_name TEXT, job_type TEXT, created_at TEXT NOT NULL, heartbeat_at TEXT)`);
  const insert = db.prepare(`INSERT INTO runs (project_id, name, display_name, state, config, summary, group_name, created_at, heartbeat_at)
    VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const r of RUNS) {
    const config = Object.fromEntries(Object.entries(r.config).map(([k, v]) => [k, { value: v, desc: null }]));
    insert.run(r.name, r.display, r.state, JSON.stringify(config), JSON.stringify(r.summary), r.group, r.created, r.heartbeat);
  }
});

/** Run names in the order the parsed order gives, ties broken by name ascending. */
function ordered(order: string | null | undefined): string[] {
  const o = parseRunOrder(order);
  const dir = o.desc ? 'DESC' : 'ASC';
  const rows = db.prepare(`SELECT name FROM runs r ORDER BY ${o.expr.sql} ${dir}, r.name ASC`).all(...o.expr.params) as { name: string }[];
  return rows.map((r) => r.name);
}

describe('parseRunOrder: parsing', () => {
  it.each([null, undefined, '', '   '])('%p defaults to -created_at', (input) => {
    expect(parseRunOrder(input)).toEqual({ key: 'created_at', desc: true, expr: { sql: 'r.created_at', params: [] } });
  });

  it.each<[string, string, boolean, string, unknown[]]>([
    ['+created_at', 'created_at', false, 'r.created_at', []],
    ['-created_at', 'created_at', true, 'r.created_at', []],
    ['created_at', 'created_at', true, 'r.created_at', []],
    ['+createdAt', 'created_at', false, 'r.created_at', []],
    ['-heartbeatAt', 'heartbeat_at', true, 'r.heartbeat_at', []],
    ['+heartbeat_at', 'heartbeat_at', false, 'r.heartbeat_at', []],
    ['+displayName', 'display_name', false, 'r.display_name', []],
    ['display_name', 'display_name', true, 'r.display_name', []],
    ['+name', 'name', false, 'r.name', []],
    ['-state', 'state', true, 'r.state', []],
    ['+group', 'group', false, 'r.group_name', []],
    ['jobType', 'job_type', true, 'r.job_type', []],
    ['+job_type', 'job_type', false, 'r.job_type', []],
    ['+config.lr', 'config.lr.value', false, 'json_extract(r.config, ?)', ['$."lr"."value"']],
    ['config.lr.value', 'config.lr.value', true, 'json_extract(r.config, ?)', ['$."lr"."value"']],
    ['-config.model.depth', 'config.model.value.depth', true, 'json_extract(r.config, ?)', ['$."model"."value"."depth"']],
    ['-summary_metrics.loss', 'summary_metrics.loss', true, 'json_extract(r.summary, ?)', ['$."loss"']],
    ['+summaryMetrics.loss', 'summary_metrics.loss', false, 'json_extract(r.summary, ?)', ['$."loss"']],
  ])('%s', (input, key, desc, sql, params) => {
    expect(parseRunOrder(input)).toEqual({ key, desc, expr: { sql, params } });
  });

  it.each<[string, RegExp]>([
    ['bogus', /unknown order key "bogus"; expected one of:/],
    ['+username', /unknown order key "username"/],
    ['-duration', /unknown order key "duration"/],
    ['updated_at', /unknown order key "updated_at"/],
    ['--created_at', /unknown order key "-created_at"/],
    ['+', /unknown order key ""/],
    ['+created_at,-name', /"\+created_at,-name" names several keys/],
    ['config.a..b', /"config.a..b".*empty path segment/],
    ['config.a"b', /quotes or control characters/],
    ["-created_at'; DROP TABLE runs; --", /unknown order key "created_at'; DROP TABLE runs; --"/],
  ])('rejects %s', (input, message) => {
    let caught: unknown;
    try {
      parseRunOrder(input);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(QueryInputError);
    expect((caught as Error).message).toMatch(message);
  });
});

describe('parseRunOrder: ORDER BY over the table', () => {
  it.each<[string | null, string[]]>([
    [null, ['r08', 'r07', 'r06', 'r05', 'r04', 'r03', 'r02', 'r01']],
    ['+created_at', ['r01', 'r02', 'r03', 'r04', 'r05', 'r06', 'r07', 'r08']],
    // NULLs sort first ascending...
    ['+heartbeat_at', ['r03', 'r04', 'r07', 'r08', 'r01', 'r02', 'r05', 'r06']],
    // ...and last descending.
    ['-heartbeatAt', ['r06', 'r05', 'r02', 'r01', 'r03', 'r04', 'r07', 'r08']],
    ['+display_name', ['r04', 'r03', 'r01', 'r02', 'r05', 'r07', 'r08', 'r06']],
    ['+group', ['r04', 'r06', 'r08', 'r01', 'r02', 'r03', 'r05', 'r07']],
    // SQLite order: NULL < numbers < text, so the string 'nan' sorts after every number.
    ['+summary_metrics.loss', ['r03', 'r04', 'r06', 'r02', 'r07', 'r01', 'r05', 'r08']],
    ['-summary_metrics.loss', ['r08', 'r05', 'r01', 'r02', 'r07', 'r06', 'r03', 'r04']],
    ['config.lr', ['r06', 'r07', 'r02', 'r01', 'r05', 'r03', 'r04', 'r08']],
    ['+config.lr.value', ['r04', 'r08', 'r03', 'r01', 'r05', 'r02', 'r07', 'r06']],
    ['-config.model.depth', ['r06', 'r05', 'r01', 'r02', 'r03', 'r04', 'r07', 'r08']],
  ])('%s', (order, expected) => {
    expect(ordered(order)).toEqual(expected);
  });
});
