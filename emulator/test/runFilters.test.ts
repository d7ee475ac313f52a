import { describe, it, expect, beforeAll } from '@jest/globals';
import Database from 'better-sqlite3';
import {
  compileRunFilter,
  canonicalRunKey,
  QueryInputError,
  registerRegexp,
  runKeyExpression,
} from '../src/runFilters.js';

type Db = Database.Database;

interface RunSeed {
  name: string;
  display: string | null;
  state: string;
  user: number | null;
  project: number;
  config: Record<string, unknown>;
  summary: Record<string, unknown>;
  tags: string[];
  group?: string | null;
  job?: string | null;
  created: string;
  heartbeat?: string | null;
  extra?: { host?: string; commit?: string; notes?: string; description?: string; sweep?: string };
}

const RUNS: RunSeed[] = [
  {
    name: 'r01', display: 'alpha', state: 'finished', user: 1, project: 1,
    config: { lr: 0.01, batch: 32, opt: 'adam', model: { layers: 4, act: 'relu' }, flag: true },
    summary: { loss: 0.5, acc: 0.8 }, tags: ['baseline', 'gpu'], group: 'g1', job: 'train',
    created: '2024-01-01T00:00:00Z', heartbeat: '2024-01-01T01:00:00Z',
    extra: { host: 'node-a', commit: 'abc123', notes: 'hello', description: 'first run', sweep: 'sw1' },
  },
  {
    name: 'r02', display: 'beta', state: 'running', user: 2, project: 1,
    config: { lr: 0.1, batch: 64, opt: 'sgd', model: { layers: 8, act: 'gelu' }, flag: false },
    summary: { loss: 0.3, acc: 0.9 }, tags: ['gpu'], group: 'g1', job: 'eval',
    created: '2024-01-02T00:00:00Z', heartbeat: '2024-01-02T00:10:00Z',
  },
  {
    name: 'r03', display: 'Gamma', state: 'crashed', user: 1, project: 1,
    config: { lr: 0.001, opt: 'Adam' }, summary: { loss: null }, tags: [], group: 'g2', job: 'train',
    created: '2024-01-03T12:00:00Z',
  },
  {
    name: 'r04', display: null, state: 'failed', user: null, project: 1,
    config: {}, summary: {}, tags: ['exp-1', 'baseline'], created: '2024-01-04T00:00:00Z',
  },
  {
    name: 'r05', display: 'epsilon', state: 'finished', user: 2, project: 2,
    config: { lr: 0.01, batch: '32', seed: null }, summary: { loss: 1.5, acc: 0.5, nested: { val: 2 } },
    tags: ['cpu'], group: 'g2', job: 'train', created: '2024-02-01T00:00:00Z', heartbeat: '2024-02-01T00:00:30Z',
  },
  {
    name: 'r06', display: 'zeta', state: 'killed', user: 1, project: 1,
    config: { flag: 1, lr: '0.01' }, summary: { acc: true, loss: 0.05 }, tags: ['gpu', 'exp-2'],
    created: '2024-02-15T08:30:00Z', heartbeat: '2024-02-15T09:30:00Z',
  },
  {
    name: 'r07', display: 'eta', state: 'preempted', user: 2, project: 1,
    config: { batch: 128, model: { layers: 4, act: null } }, summary: { loss: 0.3 }, tags: ['GPU'],
    group: 'g3', job: 'sweep', created: '2024-03-01T00:00:00Z',
  },
  {
    name: 'r08', display: 'theta', state: 'pending', user: null, project: 1,
    config: { opt: 'Adagrad', layers: [1, 2] }, summary: { loss: 'nan' }, tags: ['exp-10'],
    created: '2024-03-02T00:00:00Z',
  },
  {
    name: 'r09', display: "it's", state: 'finished', user: 1, project: 1,
    config: { note: "a'b; --", "it's; --": 'x' }, summary: { loss: 0.8, 'we\\ird': 1 }, tags: ["quote'tag"],
    created: '2024-03-03T00:00:00Z', heartbeat: '2024-03-03T00:05:00Z',
  },
  {
    name: 'r10', display: 'kappa', state: 'running', user: 2, project: 1,
    config: { lr: 0.5, flag: true }, summary: { loss: 2, acc: 0.1 }, tags: ['baseline'],
    created: '2024-03-04T00:00:00Z', heartbeat: '2024-03-04T02:00:00Z',
  },
];

const ALL = RUNS.map((r) => r.name);
const except = (...names: string[]): string[] => ALL.filter((n) => !names.includes(n));

function makeDb(): Db {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE entities (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE projects (id INTEGER PRIMARY KEY, entity_id INTEGER NOT NULL, name TEXT NOT NULL);
    CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL);
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, name TEXT NOT NULL, display_name TEXT,
      state TEXT NOT NULL, user_id INTEGER, config TEXT NOT NULL, summary TEXT NOT NULL,
      system_metrics TEXT NOT NULL DEFAULT '{}', tags TEXT NOT NULL, group_name TEXT, job_type TEXT,
      commit_hash TEXT, notes TEXT, description TEXT, host TEXT, sweep_name TEXT,
      created_at TEXT NOT NULL, heartbeat_at TEXT, updated_at TEXT);
    INSERT INTO entities VALUES (1, 'acme'), (2, 'other');
    INSERT INTO projects VALUES (1, 1, 'proj'), (2, 2, 'proj2');
    INSERT INTO users VALUES (1, 'alice'), (2, 'bob');
  `);
  const insert = db.prepare(`INSERT INTO runs (project_id, name, display_name, state, user_id, config, summary, tags,
    group_name, job_type, commit_hash, notes, description, host, sweep_name, created_at, heartbeat_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  for (const r of RUNS) {
    // W&B wraps every config value as {value, desc}.
    const config = Object.fromEntries(Object.entries(r.config).map(([k, v]) => [k, { value: v, desc: null }]));
    const x = r.extra ?? {};
    insert.run(
      r.project, r.name, r.display, r.state, r.user, JSON.stringify(config), JSON.stringify(r.summary),
      JSON.stringify(r.tags), r.group ?? null, r.job ?? null, x.commit ?? null, x.notes ?? null,
      x.description ?? null, x.host ?? null, x.sweep ?? null, r.created, r.heartbeat ?? null,
    );
  }
  registerRegexp(db);
  return db;
}

let db: Db;
beforeAll(() => {
  db = makeDb();
});

function names(filters: unknown): string[] {
  const { sql, params } = compileRunFilter(filters);
  const rows = db.prepare(`SELECT name FROM runs r WHERE ${sql} ORDER BY name`).all(...params) as { name: string }[];
  return rows.map((r) => r.name);
}

/** Asserts compileRunFilter throws a QueryInputError whose message matches. */
function rejects(filters: unknown, message: RegExp | string): void {
  let caught: unknown;
  try {
    compileRunFilter(filters);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(QueryInputError);
  const err = caught as QueryInputError;
  expect(err.name).toBe('QueryInputError');
  if (typeof message === 'string') expect(err.message).toContain(message);
  else expect(err.message).toMatch(message);
}

describe('compileRunFilter: empty input', () => {
  it.each([null, undefined, '', '  ', '{}', 'null', {}])('%p matches every run', (input) => {
    expect(compileRunFilter(input)).toEqual({ sql: '1', params: [] });
    expect(names(input)).toEqual(ALL);
  });
});

describe('compileRunFilter: columns and operators', () => {
  it.each<[string, unknown, string[]]>([
    ['plain value is $eq', { state: 'finished' }, ['r01', 'r05', 'r09']],
    ['JSON text input', '{"state": {"$eq": "finished"}}', ['r01', 'r05', 'r09']],
    ['$in', { state: { $in: ['running', 'crashed'] } }, ['r02', 'r03', 'r10']],
    ['empty $in matches nothing', { state: { $in: [] } }, []],
    ['empty $nin matches everything', { state: { $nin: [] } }, ALL],
    ['$ne on a nullable column includes NULLs', { group: { $ne: 'g1' } }, except('r01', 'r02')],
    ['$nin', { state: { $nin: ['finished', 'running'] } }, ['r03', 'r04', 'r06', 'r07', 'r08']],
    ['$eq null is missing', { display_name: null }, ['r04']],
    ['displayName alias', { displayName: 'beta' }, ['r02']],
    ['jobType / job_type', { jobType: 'train', job_type: { $exists: true } }, ['r01', 'r03', 'r05']],
    ['$exists false on a column', { job_type: { $exists: false } }, ['r04', 'r06', 'r08', 'r09', 'r10']],
    ['string comparison on a column', { name: { $gt: 'r08' } }, ['r09', 'r10']],
    ['several operators are ANDed', { name: { $gte: 'r03', $lt: 'r05' } }, ['r03', 'r04']],
    ['several keys are ANDed', { state: 'finished', group: 'g2' }, ['r05']],
    ['number never equals a text column', { name: 1 }, []],
    ['host / commit / notes / description / sweep', { host: 'node-a', commit: 'abc123', notes: 'hello', description: 'first run', sweep: 'sw1' }, ['r01']],
    ['sweepName alias', { sweepName: { $in: ['sw1', 'nope'] } }, ['r01']],
    ['username', { username: 'alice' }, ['r01', 'r03', 'r06', 'r09']],
    ['username $ne includes runs without a user', { username: { $ne: 'alice' } }, ['r02', 'r04', 'r05', 'r07', 'r08', 'r10']],
    ['entity', { entity: 'other' }, ['r05']],
    ['duration >= 1h', { duration: { $gte: 3600 } }, ['r01', 'r06', 'r10']],
    ['duration 0 without heartbeat', { duration: 0 }, ['r03', 'r04', 'r07', 'r08']],
    ['duration range', { duration: { $gt: 0, $lt: 3600 } }, ['r02', 'r05', 'r09']],
  ])('%s', (_label, filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });
});

describe('compileRunFilter: config and summary', () => {
  it.each<[string, unknown, string[]]>([
    ['config.x', { 'config.lr': 0.01 }, ['r01', 'r05']],
    ['config.x.value', { 'config.lr.value': 0.01 }, ['r01', 'r05']],
    ['nested config', { 'config.model.layers': 4 }, ['r01', 'r07']],
    ['nested config with .value', { 'config.model.value.layers': 4 }, ['r01', 'r07']],
    ['nested config JSON null', { 'config.model.act': null }, except('r01', 'r02')],
    ['string vs number are distinct', { 'config.batch': '32' }, ['r05']],
    ['number vs string are distinct', { 'config.batch': 32 }, ['r01']],
    ['bool true', { 'config.flag': true }, ['r01', 'r10']],
    ['bool false', { 'config.flag.value': { $eq: false } }, ['r02']],
    ['number 1 is not true', { 'config.flag': 1 }, ['r06']],
    ['bool $ne', { 'config.flag': { $ne: true } }, except('r01', 'r10')],
    ['bool $in', { 'config.flag': { $in: [true] } }, ['r01', 'r10']],
    ['$in mixed types with null', { 'config.batch': { $in: [32, '32', null] } }, except('r02', 'r07')],
    ['$gt string only matches strings', { 'config.lr': { $gt: '0' } }, ['r06']],
    ['$ne matches missing', { 'config.opt': { $ne: 'adam' } }, except('r01')],
    ['$nin matches missing', { 'config.opt': { $nin: ['adam', 'sgd'] } }, except('r01', 'r02')],
    ['$exists on JSON null counts as present', { 'config.seed': { $exists: true } }, ['r05']],
    ['$exists false', { 'config.seed.value': { $exists: false } }, except('r05')],
    ['summary $lt', { 'summary_metrics.loss': { $lt: 0.5 } }, ['r02', 'r06', 'r07']],
    ['summary range', { 'summary_metrics.loss': { $gte: 0.5, $lte: 1.5 } }, ['r01', 'r05', 'r09']],
    ['summaryMetrics alias; true is not a number', { 'summaryMetrics.acc': { $gt: 0.5 } }, ['r01', 'r02']],
    ['summary bool equality', { 'summary_metrics.acc': true }, ['r06']],
    ['summary null or missing', { 'summary_metrics.loss': null }, ['r03', 'r04']],
    ['summary $exists includes JSON null', { 'summary_metrics.loss': { $exists: true } }, except('r04')],
    ['nested summary', { 'summary_metrics.nested.val': 2 }, ['r05']],
    ['summary string', { 'summary_metrics.loss': 'nan' }, ['r08']],
    ['integer equals real', { 'summary_metrics.loss': 2.0 }, ['r10']],
    ['key with backslash', { 'summary_metrics.we\\ird': 1 }, ['r09']],
    ["key with quote and --", { "config.it's; --": 'x' }, ['r09']],
    ['value with quote and --', { 'config.note': "a'b; --" }, ['r09']],
  ])('%s', (_label, filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });

  it('is self-contained when spliced next to other conditions', () => {
    const { sql, params } = compileRunFilter({ $or: [{ state: 'finished' }, { state: 'running' }] });
    const rows = db.prepare(`SELECT name FROM runs r WHERE r.project_id = ? AND ${sql} ORDER BY name`).all(2, ...params);
    expect(rows).toEqual([{ name: 'r05' }]);
  });

  it('binds JSON paths as parameters', () => {
    const { sql, params } = compileRunFilter({ 'config.lr': 0.01 });
    expect(sql).not.toContain('lr');
    expect(params).toContain('$."lr"."value"');
    expect(params).toContain(0.01);
  });

  it('binds booleans as 1/0', () => {
    const { params } = compileRunFilter({ 'config.flag': true, 'summary_metrics.acc': { $in: [false] } });
    expect(params.some((p) => typeof p === 'boolean')).toBe(false);
    expect(params).toContain(1);
    expect(params).toContain(0);
  });
});

describe('compileRunFilter: logic', () => {
  it.each<[string, unknown, string[]]>([
    ['field $not', { 'summary_metrics.loss': { $not: { $gt: 0.4 } } }, ['r02', 'r03', 'r04', 'r06', 'r07', 'r08']],
    ['top-level $not', { $not: { state: 'finished' } }, except('r01', 'r05', 'r09')],
    ['$not of $exists', { 'config.seed': { $not: { $exists: true } } }, except('r05')],
    ['$nor', { $nor: [{ state: 'finished' }, { 'config.lr': 0.1 }] }, ['r03', 'r04', 'r06', 'r07', 'r08', 'r10']],
    ['$nor matches missing fields', { $nor: [{ 'config.opt': 'adam' }] }, except('r01')],
    ['$or with nested $and', { $or: [{ state: 'crashed' }, { $and: [{ group: 'g1' }, { jobType: 'eval' }] }] }, ['r02', 'r03']],
    ['$and', { $and: [{ state: 'finished' }, { 'summary_metrics.loss': { $lt: 1 } }] }, ['r01', 'r09']],
    ['double negation', { $not: { $not: { state: 'killed' } } }, ['r06']],
  ])('%s', (_label, filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });
});

describe('compileRunFilter: tags', () => {
  it.each<[string, unknown, string[]]>([
    ['plain tag', { tags: 'gpu' }, ['r01', 'r02', 'r06']],
    ['$eq', { tags: { $eq: 'gpu' } }, ['r01', 'r02', 'r06']],
    ['$ne', { tags: { $ne: 'gpu' } }, except('r01', 'r02', 'r06')],
    ['$in', { tags: { $in: ['cpu', 'exp-1'] } }, ['r04', 'r05']],
    ['empty $in', { tags: { $in: [] } }, []],
    ['$nin', { tags: { $nin: ['baseline', 'gpu'] } }, ['r03', 'r05', 'r07', 'r08', 'r09']],
    ['$all', { tags: { $all: ['baseline', 'gpu'] } }, ['r01']],
    ['$regex', { tags: { $regex: '^exp-\\d+$' } }, ['r04', 'r06', 'r08']],
    ['$regex with $options', { tags: { $regex: '^gpu$', $options: 'i' } }, ['r01', 'r02', 'r06', 'r07']],
    ['$exists true', { tags: { $exists: true } }, ALL],
    ['$exists false', { tags: { $exists: false } }, []],
    ['$not $in', { tags: { $not: { $in: ['gpu'] } } }, except('r01', 'r02', 'r06')],
    ['tag with quote', { tags: "quote'tag" }, ['r09']],
  ])('%s', (_label, filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });
});

describe('compileRunFilter: $regex', () => {
  it.each([
    ['^(a+)+$', 0],
    ['(a|a)*$', 1],
    ['(a|ab)*c', 0],
    ['.*.*.*.*x', 0],
  ])('matches %s in linear time, as W&B\'s RE2 does (a backtracking engine would take seconds)', (pattern, expected) => {
    expect(compileRunFilter({ display_name: { $regex: pattern } }).params).toContain(pattern);
    const db = new Database(':memory:');
    registerRegexp(db);
    const started = performance.now();
    const { m } = db.prepare('SELECT regexp(?, ?) AS m').get(pattern, `${'a'.repeat(40)}!`) as { m: number };
    expect(performance.now() - started).toBeLessThan(500);
    expect(m).toBe(expected);
  });

  it.each<[string, unknown, string[]]>([
    ['case-sensitive by default', { display_name: { $regex: '^gam' } }, []],
    ['$options i', { display_name: { $regex: '^gam', $options: 'i' } }, ['r03']],
    ['on config values', { 'config.opt': { $regex: '^ada', $options: 'i' } }, ['r01', 'r03', 'r08']],
    ['RE2 inline flags', { 'config.opt': { $regex: '(?i)^ADAM$' } }, ['r01', 'r03']],
    ['does not see JSON objects as text', { 'config.model': { $regex: 'layers' } }, []],
    ['RE2 \\A and \\z', { display_name: { $regex: '\\Aeta\\z' } }, ['r07']],
    ['POSIX class', { name: { $regex: '^r0[[:digit:]]$' } }, except('r10')],
    ['RE2 named group', { name: { $regex: '^r(?P<n>1)0$' } }, ['r10']],
    ['$options s', { notes: { $regex: '^h.llo$', $options: 's' } }, ['r01']],
    ['$not $regex', { state: { $not: { $regex: 'ing$' } } }, except('r02', 'r08', 'r10')],
  ])('%s', (_label, filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });

  it('regexp() is usable directly and treats NULL as no match', () => {
    const row = db.prepare(`SELECT regexp('^a', 'abc') AS a, regexp('^a', NULL) AS b, regexp('^A', 'abc', 'i') AS c, 'xyz' REGEXP 'y' AS d`).get();
    expect(row).toEqual({ a: 1, b: 0, c: 1, d: 1 });
  });
});

describe('compileRunFilter: timestamps', () => {
  it.each<[string, unknown, string[]]>([
    ['range with naive upper bound', { createdAt: { $gte: '2024-01-02T00:00:00Z', $lt: '2024-02-15T08:30:00' } }, ['r02', 'r03', 'r04', 'r05']],
    ['offset', { createdAt: { $gt: '2024-02-15T09:30:00+01:00' } }, ['r07', 'r08', 'r09', 'r10']],
    ['date only', { created_at: { $lte: '2024-01-03' } }, ['r01', 'r02']],
    ['equality with milliseconds', { createdAt: '2024-01-04T00:00:00.000Z' }, ['r04']],
    ['$in', { createdAt: { $in: ['2024-01-01T00:00:00Z', '2024-03-04T00:00:00+00:00'] } }, ['r01', 'r10']],
    ['heartbeatAt', { heartbeatAt: { $gt: '2024-03-01' } }, ['r09', 'r10']],
    ['heartbeat missing', { heartbeat_at: null }, ['r03', 'r04', 'r07', 'r08']],
    ['heartbeat $exists false', { heartbeatAt: { $exists: false } }, ['r03', 'r04', 'r07', 'r08']],
  ])('%s', (_label, filter, expected) => {
    expect(names(filter)).toEqual(expected);
  });
});

describe('compileRunFilter: errors', () => {
  it.each<[string, unknown, RegExp | string]>([
    ['unknown field operator', { state: { $foo: 1 } }, 'unknown filter operator "$foo"'],
    ['unknown top-level operator', { $where: 'x' }, 'unknown filter operator "$where"'],
    ['field operator at top level', { $gt: 1 }, '"$gt" must be applied to a field'],
    ['unknown key', { bogus: 1 }, 'unknown filter key "bogus"; expected one of:'],
    ['prototype key', { constructor: 1 }, 'unknown filter key "constructor"'],
    ['malformed JSON', '{"state": ', 'filters is not valid JSON: '],
    ['top level array', '[]', 'filters must be a JSON object, got array'],
    ['top level string', '"x"', 'filters must be a JSON object, got string'],
    ['bare tags list', { tags: ['a'] }, '{"tags": {"$in": [...]}}'],
    ['bare list', { state: ['a'] }, /"state" got an array/],
    ['object without operators', { state: { a: 1 } }, /"state" got an object without operators/],
    ['empty operator object', { state: {} }, /"state" got an object without operators/],
    ['bad regex', { name: { $regex: '(' } }, /"name": invalid \$regex "\("/],
    ['backreference', { name: { $regex: '(a)\\1' } }, /"name".*backreferences/],
    ['lookahead', { name: { $regex: 'a(?=b)' } }, /"name".*lookaround/],
    ['regex too long', { name: { $regex: 'a'.repeat(257) } }, /"name".*too long/],
    ['regex not a string', { name: { $regex: 1 } }, /"name".*\$regex expects a string/],
    ['bad $options', { name: { $regex: 'a', $options: 'x' } }, /"name".*\$options flag "x"/],
    ['$options without $regex', { name: { $options: 'i' } }, /"name".*\$options is only allowed/],
    ['$in not an array', { state: { $in: 'a' } }, /"state".*\$in expects an array, got string/],
    ['$nin element not scalar', { state: { $nin: [['a']] } }, /"state".*\$nin expects an array of scalars/],
    ['$exists not boolean', { state: { $exists: 1 } }, /"state".*\$exists expects true or false, got number/],
    ['$gt null', { 'summary_metrics.loss': { $gt: null } }, /"summary_metrics.loss".*\$gt expects .* got null/],
    ['$gt object', { 'summary_metrics.loss': { $gt: {} } }, /\$gt expects .* got object/],
    ['$eq array', { state: { $eq: ['a'] } }, /"state".*\$eq expects .* got array/],
    ['$not scalar', { state: { $not: 'a' } }, /"state".*\$not expects an operator object/],
    ['$all off tags', { state: { $all: ['a'] } }, /"state".*\$all is only supported for "tags"/],
    ['tags $gt', { tags: { $gt: 'a' } }, /"tags".*"\$gt" is not supported/],
    ['tags non-string', { tags: 1 }, /"tags".*tag name string, got number/],
    ['createdAt number', { createdAt: { $gt: 5 } }, 'createdAt expects an ISO-8601 string, got number'],
    ['createdAt garbage', { createdAt: 'yesterday' }, /createdAt \$eq expects an ISO-8601 string.*"yesterday"/],
    ['createdAt impossible date', { createdAt: { $lt: '2024-02-30' } }, /createdAt \$lt expects an ISO-8601/],
    ['empty $and', { $and: [] }, /\$and expects a non-empty array/],
    ['$or not an array', { $or: { state: 'x' } }, /\$or expects a non-empty array .* got object/],
    ['$and element not an object', { $and: [1] }, /\$and\[0\] must be a JSON object, got number/],
    ['empty path segment', { 'config.a..b': 1 }, /"config.a..b".*empty path segment/],
    ['trailing dot', { 'config.': 1 }, /empty path segment/],
    ['quote in path', { 'config.a"b': 1 }, /quotes or control characters/],
    ['control char in path', { 'summary_metrics.a\u0001': 1 }, /quotes or control characters/],
  ])('%s', (_label, filter, message) => {
    rejects(filter, message);
  });

  it('limits nesting depth', () => {
    let filter: Record<string, unknown> = { state: 'finished' };
    for (let i = 0; i < 40; i++) filter = { $and: [filter] };
    rejects(filter, /nested too deeply/);
    let shallow: Record<string, unknown> = { state: 'finished' };
    for (let i = 0; i < 30; i++) shallow = { $and: [shallow] };
    expect(names(shallow)).toEqual(['r01', 'r05', 'r09']);
  });

  it('limits the number of conditions', () => {
    rejects({ $or: Array.from({ length: 1001 }, (_, i) => ({ name: `x${i}` })) }, /too many conditions/);
    rejects({ name: { $in: Array.from({ length: 1001 }, (_, i) => `x${i}`) } }, /too many conditions/);
    expect(names({ name: { $in: Array.from({ length: 999 }, (_, i) => `r${String(i).padStart(2, '0')}`) } })).toEqual(ALL);
  });
});

describe('compileRunFilter: hostile input', () => {
  const hostileStrings = [
    "') OR 1=1 --",
    "'; DROP TABLE runs; --",
    '" OR ""="',
    '$.a',
    '$[0]',
    '*',
    '\\',
    '\u0000',
    'a\' UNION SELECT name FROM sqlite_master --',
    '/* */',
  ];

  it('never produces an SQLite error and never puts input into SQL text', () => {
    const filters: unknown[] = [];
    for (const s of hostileStrings) {
      filters.push(
        { name: s },
        { [s]: 1 },
        { [`config.${s}`]: s },
        { [`summary_metrics.${s}.x`]: { $gt: s } },
        { [`config.${s}`]: { $in: [s, 1, true] } },
        { tags: { $in: [s] } },
        { tags: { $all: [s, 'gpu'] } },
        { display_name: { $ne: s } },
        { name: { $regex: s } },
        { [`$${s}`]: 1 },
        { state: { [`$${s}`]: 1 } },
        { createdAt: s },
        JSON.stringify({ display_name: { $ne: s } }).replace('$ne', s),
      );
    }
    let compiled = 0;
    for (const f of filters) {
      let fragment;
      try {
        fragment = compileRunFilter(f);
      } catch (err) {
        expect(err).toBeInstanceOf(QueryInputError);
        continue;
      }
      compiled++;
      for (const s of hostileStrings) {
        if (s.length > 2) expect(fragment.sql).not.toContain(s);
      }
      const rows = db.prepare(`SELECT name FROM runs r WHERE ${fragment.sql}`).all(...fragment.params) as { name: string }[];
      // `$ne` of a hostile value legitimately matches everything; every other form matches nothing.
      const expected = typeof f === 'object' && f !== null && 'display_name' in f ? RUNS.length : 0;
      expect({ filter: f, matched: rows.length }).toEqual({ filter: f, matched: expected });
    }
    expect(compiled).toBeGreaterThan(30);
    const count = db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number };
    expect(count.n).toBe(RUNS.length);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
    expect(tables).toEqual([{ name: 'entities' }, { name: 'projects' }, { name: 'runs' }, { name: 'users' }]);
  });
});

describe('runKeyExpression', () => {
  it.each<[string, string, unknown[]]>([
    ['name', 'r.name', []],
    ['displayName', 'r.display_name', []],
    ['group', 'r.group_name', []],
    ['createdAt', 'r.created_at', []],
    ['config.lr', 'json_extract(r.config, ?)', ['$."lr"."value"']],
    ['config.lr.value', 'json_extract(r.config, ?)', ['$."lr"."value"']],
    ['config.a.value.b', 'json_extract(r.config, ?)', ['$."a"."value"."b"']],
    ['config.a.b', 'json_extract(r.config, ?)', ['$."a"."value"."b"']],
    ['summary_metrics.loss', 'json_extract(r.summary, ?)', ['$."loss"']],
    ['summaryMetrics.a.b', 'json_extract(r.summary, ?)', ['$."a"."b"']],
  ])('%s', (key, sql, params) => {
    expect(runKeyExpression(key)).toEqual({ sql, params });
  });

  it('rejects unknown keys', () => {
    expect(() => runKeyExpression('nope')).toThrow(QueryInputError);
    expect(() => runKeyExpression('nope')).toThrow('unknown filter key "nope"');
  });

  it('canonicalizes keys', () => {
    expect(canonicalRunKey('createdAt')).toBe('created_at');
    expect(canonicalRunKey('config.lr')).toBe('config.lr.value');
    expect(canonicalRunKey('config.a.b')).toBe('config.a.value.b');
    expect(canonicalRunKey('summaryMetrics.loss')).toBe('summary_metrics.loss');
  });
});
