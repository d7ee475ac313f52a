/**
 * Bad input, property-based (fast-check, fixed seed), through real HTTP
 * against the subgraph in front of the emulator: filters, orders, cursors,
 * run paths and ids, page sizes, samples, history keys and steps, and the
 * mutations' inputs. Every answer is a 200 (or a 400 for a request GraphQL
 * itself refuses) with data, or errors with a client-side code; never a 5xx
 * nor INTERNAL_SERVER_ERROR. A mutation that answers with an error changes
 * nothing in the emulator's database. The emulator, asked directly with
 * hostile filters and orders, keeps its SQL parameterised: no internal
 * error, and the database (rows and schema) is intact afterwards. The
 * process stays healthy throughout.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startStack, type Stack } from '../helpers/stack.js';
import { wandbClient } from '../../emulator/test/helpers/emulator.js';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';

fc.configureGlobal({ seed: 42, numRuns: 150 });

const TEAM = 'acme-ml';
const PROJECT = 'image-classification';
const TARGET_RUN = 'fuzztarget1';
const AUTH = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;

/** Codes a client may see for bad input. */
const CLIENT_CODES = new Set(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN']);
/** Codes of a request GraphQL itself refuses (variable coercion, validation), answered with HTTP 400. */
const REQUEST_CODES = new Set(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']);

interface Answer {
  status: number;
  body: { data?: any; errors?: { message: string; extensions?: { code?: string } }[] };
}

let stack: Stack;
const logs: string[] = [];
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);
/** A seeded run with history, files and artifacts (read-only here). */
let seeded: { path: string; id: string };
/** A run created for the mutation properties. */
let target: { path: string; id: string };

/** POSTs a request body (text, so deeply nested JSON need not be stringified here) to the subgraph. */
async function post(body: string): Promise<Answer> {
  const res = await fetch(stack.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: AUTH }, body });
  const text = await res.text();
  let parsed: Answer['body'];
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    throw new Error(`HTTP ${res.status} with a body that is not JSON: ${text.slice(0, 300)}`);
  }
  return { status: res.status, body: parsed };
}

function gql(query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  return post(JSON.stringify({ query, variables }));
}

/** `{"query": …, "variables": {<name>: <json text>}}` with the variable's JSON given as text. */
function bodyWithRawVariable(query: string, name: string, json: string): string {
  return `{"query":${JSON.stringify(query)},"variables":{${JSON.stringify(name)}:${json}}}`;
}

/**
 * Throws (so fast-check reports the input) unless the answer is a 200 with
 * data or client-coded errors, or a 400 GraphQL refused. Returns whether
 * the answer carries errors.
 */
function expectSafe(answer: Answer, extraCodes: readonly string[] = []): boolean {
  const problems: string[] = [];
  const errors = answer.body.errors ?? [];
  const codes = errors.map((e) => e.extensions?.code ?? '(none)');
  if (answer.status >= 500) problems.push(`HTTP ${answer.status}`);
  else if (answer.status === 400) {
    if (errors.length === 0 || !codes.every((c) => REQUEST_CODES.has(c) || extraCodes.includes(c))) problems.push(`HTTP 400 with codes ${codes.join(',')}`);
  } else if (answer.status !== 200) problems.push(`HTTP ${answer.status}`);
  if (answer.body.data === undefined && errors.length === 0) problems.push('neither data nor errors');
  for (const code of codes) if (!CLIENT_CODES.has(code) && !extraCodes.includes(code)) problems.push(`error code ${code}`);
  if (problems.length > 0) {
    const recent = logs.slice(-3).join(' | ');
    throw new Error(`${problems.join('; ')}\nresponse: ${JSON.stringify(answer.body).slice(0, 600)}${recent ? `\nsubgraph log: ${recent.slice(0, 600)}` : ''}`);
  }
  return errors.length > 0;
}

/** A digest of what mutations could change: every run row, and the projects, files and entities counts. */
function dbDigest(): string {
  const db = stack.emulator.db;
  const rows = db.prepare('SELECT * FROM runs ORDER BY id').all();
  const counts = db.prepare('SELECT (SELECT count(*) FROM projects) AS projects, (SELECT count(*) FROM files) AS files, (SELECT count(*) FROM entities) AS entities').get();
  return createHash('sha256').update(JSON.stringify([rows, counts])).digest('hex');
}

function sqliteMaster(): unknown[] {
  return stack.emulator.db.prepare('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name').all();
}

function runCount(): number {
  return (stack.emulator.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

// Arbitraries:

/** Strings that have broken SQL, JSON paths, parsers, regexes and prototypes elsewhere. */
const hostileAtoms = [
  "'", '"', '`', '--', ';', "') OR 1=1 --", "' OR '1'='1", '" OR ""="', "'; DROP TABLE runs; --", '1; SELECT * FROM users',
  "json_extract(r.config, '$')", '$."x"', '$.config', '$[0]', '$', '$$', '\\', '\\"', '\\u0000', '\u0000', '\u001f', '\n', '\r\n', '\t',
  '%', '_', '*', '/*', '*/', '(', ')', '[', ']', '{', '}', '{}', '[]', '.', '..', '../..', '/', '//', ':', '#', '?', '&', '=', '+', '-', ' ', '',
  '\u202e', '\u200b', '\ufeff', 'é', '😀', '\ud800', '\udfff', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  'null', 'undefined', 'NaN', 'Infinity', '-0', '1e309', 'true', '$where', '$regex', '$eq', '(a+)+$', '.*', '[', 'a'.repeat(129), 'v1:runs:', 'Run:v1:',
];
const hostileAtom = fc.constantFrom(...hostileAtoms);

const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 5, arbitrary: hostileAtom },
  { weight: 4, arbitrary: fc.array(hostileAtom, { minLength: 2, maxLength: 5 }).map((a) => a.join('')) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc.tuple(hostileAtom, fc.integer({ min: 200, max: 100_000 })).map(([s, n]) => (s.length > 0 ? s.repeat(Math.ceil(n / s.length)).slice(0, n) : 'x'.repeat(n))),
  },
);

const anyInt = fc.oneof(
  fc.integer(),
  fc.constantFrom(0, -1, 1, 2 ** 31 - 1, -(2 ** 31), 1000, 1001, 10_000, 10_001),
  fc.integer({ min: -5, max: 20 }),
);
/** Numbers GraphQL's Int refuses (HTTP 400) mixed with ones it takes. */
const anyNumber = fc.oneof(anyInt, fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 1e15, 1.5, -0.5), fc.double({ noNaN: true, noDefaultInfinity: true }));

/** Keys the subgraph accepts in filters; config.<k> and summary_metrics.<k> take any <k>. */
const acceptedKeys = ['state', 'displayName', 'display_name', 'name', 'tags', 'group', 'jobType', 'username', 'createdAt', 'sweep', 'config.lr', 'config.optimizer', 'config.model.value', 'summary_metrics.val/acc', 'summary_metrics.train/loss'];
/** Keys W&B or the emulator know but the subgraph's contract does not, and near misses. */
const otherKeys = ['heartbeatAt', 'host', 'notes', 'config', 'summary_metrics', 'config.', 'summary_metrics.', 'entity', 'id', 'State', 'created_at'];
const acceptedKey = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...acceptedKeys) },
  { weight: 2, arbitrary: hostileString.map((h) => `config.${h}`) },
  { weight: 2, arbitrary: hostileString.map((h) => `summary_metrics.${h}`) },
);
const fieldKey = fc.oneof({ weight: 4, arbitrary: acceptedKey }, { weight: 1, arbitrary: fc.constantFrom(...otherKeys) }, { weight: 1, arbitrary: hostileString });
const operators = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$options', '$not', '$all', '$size', '$where', '$expr', '$elemMatch', '$and', '$or'];
const scalar = fc.oneof(
  hostileString,
  fc.constantFrom('finished', 'running', 'crashed', '2026-10-01T00:00:00Z', '2026-10-01', '2026-13-45T99:99:99Z', 'adam', 0.001),
  anyInt,
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);

/** Conditions of a shape the subgraph accepts, with hostile values, so they reach the emulator's SQL. */
const condition: fc.Arbitrary<unknown> = fc.oneof(
  scalar,
  fc.tuple(fc.constantFrom('$eq', '$ne', '$gt', '$gte', '$lt', '$lte'), scalar).map(([op, v]) => ({ [op]: v })),
  fc.tuple(fc.constantFrom('$in', '$nin'), fc.array(scalar, { maxLength: 6 })).map(([op, v]) => ({ [op]: v })),
  fc.boolean().map((b) => ({ $exists: b })),
  fc.tuple(hostileString, fc.option(fc.constantFrom('i', 'm', 's', 'x', '', 'g', 'imsx', "'"), { nil: undefined })).map(([re, options]) =>
    options === undefined ? { $regex: re } : { $regex: re, $options: options },
  ),
  fc.tuple(fc.constantFrom('$gt', '$lt', '$eq'), scalar).map(([op, v]) => ({ $not: { [op]: v } })),
);
const wellFormedFilter = fc.letrec<{ doc: Record<string, unknown> }>((tie) => ({
  doc: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    fc.dictionary(acceptedKey, condition, { minKeys: 1, maxKeys: 2 }),
    fc.tuple(fc.constantFrom('$and', '$or', '$nor'), fc.array(tie('doc'), { minLength: 1, maxLength: 3 })).map(([op, docs]) => ({ [op]: docs })),
    tie('doc').map((d) => ({ $not: d })),
  ),
})).doc;
/** Anything built from the operator and key vocabularies and hostile values. */
const looseValue = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    scalar,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...operators), fieldKey), tie('value'), { maxKeys: 4 }),
  ),
})).value;
const filterJson: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: wellFormedFilter.map((f) => JSON.stringify(f)) },
  { weight: 2, arbitrary: looseValue.map((f) => JSON.stringify(f) ?? 'null') },
  { weight: 1, arbitrary: hostileString.map((s) => JSON.stringify(s)) },
);

/** Filters nested far deeper than any real one, as JSON text, in each place a filter nests. */
const deepShapes = ['$and', '$and of lists', '$not', 'config $not', '$in array', '$eq object', '$eq array'] as const;
function deepFilter(shape: (typeof deepShapes)[number], depth: number): string {
  switch (shape) {
    case '$and':
      return `${'{"$and":['.repeat(depth)}{"state":"finished"}${']}'.repeat(depth)}`;
    case '$and of lists':
      return `{"$and":${'['.repeat(depth)}{"state":"finished"}${']'.repeat(depth)}}`;
    case '$not':
      return `${'{"$not":'.repeat(depth)}{"state":"finished"}${'}'.repeat(depth)}`;
    case 'config $not':
      return `{"config.lr":${'{"$not":'.repeat(depth)}{"$gt":0}${'}'.repeat(depth)}}`;
    case '$in array':
      return `{"state":{"$in":${'['.repeat(depth)}"finished"${']'.repeat(depth)}}}`;
    case '$eq object':
      return `{"config.lr":{"$eq":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`;
    case '$eq array':
      return `{"summary_metrics.x":{"$eq":${'['.repeat(depth)}1${']'.repeat(depth)}}}`;
  }
}

const orderString = fc.oneof(
  fc.tuple(fc.constantFrom('+', '-', '', ' ', '++'), fc.constantFrom('created_at', 'heartbeat_at', 'display_name', 'name', 'state', 'createdAt', 'config', 'summary_metrics')).map(([s, k]) => s + k),
  fc.tuple(fc.constantFrom('+', '-', ''), hostileString).map(([s, h]) => `${s}config.${h}.value`),
  fc.tuple(fc.constantFrom('+', '-', ''), hostileString).map(([s, h]) => `${s}summary_metrics.${h}`),
  fc.tuple(fc.constantFrom('+', '-'), hostileString, hostileString).map(([s, a, b]) => `${s}config.${a}.${b}`),
  fc.array(fc.constantFrom('+created_at', '-summary_metrics.loss', "'; DROP TABLE runs; --"), { minLength: 2, maxLength: 3 }).map((a) => a.join(',')),
  hostileString,
);

const cursorKinds = ['runs', 'files', 'artifacts', 'history', 'Run', 'v1', ''];
const cursorValue = fc.oneof(hostileString, anyInt.map(String), fc.constantFrom('-1', '1e21', 'NaN', '0x10', '9007199254740993', ' 5', '5 ', '', '1.5', '0'));
const cursor = fc.oneof(
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 48 }).map((bytes) => Buffer.from(bytes).toString('base64')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: hostileString },
  // The right version and a real kind, with a hostile value: these pass the subgraph's check and go upstream.
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom('runs', 'files', 'artifacts', 'history'), cursorValue).map(([kind, value]) => b64(`v1:${kind}:${value}`)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...cursorKinds), cursorValue).map(([kind, value]) => b64(`v1:${kind}:${value}`)) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('v0', 'v2', 'V1', ''), fc.constantFrom(...cursorKinds), anyInt).map(([v, kind, n]) => b64(`${v}:${kind}:${n}`)) },
);

const segment = fc.oneof(fc.constantFrom(TEAM, PROJECT, 'other', 'demo', 'tanj6ed1'), hostileString);
const runPath = fc.oneof(
  hostileString,
  fc.tuple(segment, segment, segment).map((s) => s.join('/')),
  fc.tuple(segment, segment).map((s) => s.join('/')),
  fc.array(segment, { minLength: 4, maxLength: 6 }).map((s) => s.join('/')),
  hostileString.map((h) => `${TEAM}/${PROJECT}/${h}`),
);
/** W&B storage ids with random payloads, and things that are not ids at all. */
const runId = fc.oneof(
  fc.tuple(segment, segment, segment).map(([r, p, e]) => b64(`Run:v1:${r}:${p}:${e}`)),
  hostileString.map((h) => b64(`Run:v1:${h}`)),
  fc.uint8Array({ minLength: 1, maxLength: 60 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  hostileString,
  fc.tuple(fc.constantFrom('Artifact', 'Project', 'Run'), anyInt).map(([t, n]) => b64(`${t}:${n}`)),
);

// Properties:

describe('bad input never becomes a server error', () => {
  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    stack = await startStack({ subgraph: { log: (m: string) => logs.push(m) } });
    const page = await gql(`{ runs(entity: "${TEAM}", project: "${PROJECT}", first: 1, order: "+created_at") { nodes { id path } } }`);
    seeded = page.body.data.runs.nodes[0];
    const created = await gql('mutation($i: CreateRunInput!) { createRun(input: $i) { run { id path } } }', {
      i: { entity: TEAM, project: PROJECT, runId: TARGET_RUN, displayName: 'fuzz target' },
    });
    target = created.body.data.createRun.run;
  });

  afterAll(async () => {
    process.off('unhandledRejection', onUnhandled);
    await stack?.close();
  });

  describe('reads', () => {
    const RUNS = `query($f: JSON, $o: String, $a: String, $n: Int) {
      runs(entity: "${TEAM}", project: "${PROJECT}", filters: $f, order: $o, after: $a, first: $n) { totalCount nodes { path state } pageInfo { endCursor } }
    }`;

    it('filters built from the operator and key vocabularies with hostile values', async () => {
      await fc.assert(
        fc.asyncProperty(filterJson, async (json) => {
          expectSafe(await post(bodyWithRawVariable(RUNS, 'f', json)));
        }),
      );
    });

    it('filters nested far too deeply, in every place a filter nests', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...deepShapes), fc.integer({ min: 1, max: 60_000 }), async (shape, depth) => {
          expectSafe(await post(bodyWithRawVariable(RUNS, 'f', deepFilter(shape, depth))));
        }),
        { numRuns: 60 },
      );
    });

    it('filters written inline in the document, nested deeply (a parser refusal is a 400)', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom('{a: ', '{state: {in: [', '[', '{'), fc.integer({ min: 1, max: 20_000 }), async (open, depth) => {
          const close = open.replace(/[^[{]/g, '').split('').reverse().map((c) => (c === '[' ? ']' : '}')).join('');
          const literal = `${open.repeat(depth)}1${close.repeat(depth)}`;
          expectSafe(await gql(`{ runs(entity: "${TEAM}", project: "${PROJECT}", filters: ${literal}, first: 1) { nodes { path } } }`), ['GRAPHQL_PARSE_FAILED']);
        }),
        { numRuns: 30 },
      );
    });

    it('order strings', async () => {
      await fc.assert(
        fc.asyncProperty(orderString, async (order) => {
          expectSafe(await gql(RUNS, { o: order, n: 3 }));
        }),
      );
    });

    it('cursors of every connection: random base64, random strings, other kinds and versions', async () => {
      const connections = [
        `runs(entity: "${TEAM}", project: "${PROJECT}", after: $a, first: 2) { edges { cursor } }`,
        'run(path: $p) { files(after: $a, first: 2) { edges { cursor } } }',
        'run(path: $p) { loggedArtifacts(after: $a, first: 2) { edges { cursor } } }',
        'run(path: $p) { usedArtifacts(after: $a, first: 2) { edges { cursor } } }',
        'run(path: $p) { history(after: $a, first: 2) { edges { cursor node { step } } } }',
      ];
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: connections.length - 1 }), cursor, async (which, after) => {
          const variables = which === 0 ? { a: after } : { a: after, p: seeded.path };
          expectSafe(await gql(`query(${which === 0 ? '' : '$p: String!, '}$a: String) { ${connections[which]} }`, variables));
        }),
      );
    });

    it('run paths', async () => {
      await fc.assert(
        fc.asyncProperty(runPath, async (path) => {
          const answer = await gql('query($p: String!) { run(path: $p) { path displayName config(keys: ["lr"]) } }', { p: path });
          expectSafe(answer);
          if (answer.body.data?.run) expect(answer.body.data.run.path).toBe(path);
        }),
      );
    });

    it('run ids (W&B storage ids with random payloads) and paths in _entities representations', async () => {
      const representation = fc.oneof(
        runId.map((id) => ({ __typename: 'Run', id })),
        runPath.map((path) => ({ __typename: 'Run', path })),
        fc.constantFrom<Record<string, unknown>>({ __typename: 'Run' }, { __typename: 'Run', id: 5 }, { __typename: 'Run', id: null }, { __typename: 'Run', path: {} }, { __typename: 'Run', path: ['a/b/c'] }),
        fc.constant(null).map(() => ({ __typename: 'Run', id: seeded.id })),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(representation, { minLength: 1, maxLength: 8 }), async (reps) => {
          const answer = await gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Run { id path state } } }', { r: reps });
          expectSafe(answer);
          if (!answer.body.errors) expect(answer.body.data._entities).toHaveLength(reps.length);
        }),
      );
    });

    it('malformed _entities representations (no __typename, or one that is not an entity type)', async () => {
      const malformed = fc.oneof(
        fc.record({ id: runId }),
        fc.record({ __typename: hostileString.filter((t) => t !== 'Run' && t !== 'Artifact'), id: runId }),
        fc.record({ __typename: fc.constantFrom('Sweep', 'Query', 'Mutation', 'RunConnection', 'PageInfo', '_Service'), id: runId }),
        fc.record({ __typename: fc.oneof(anyInt, fc.boolean(), fc.constant(null)), id: runId }),
        hostileString,
      );
      await fc.assert(
        fc.asyncProperty(malformed, async (rep) => {
          expectSafe(await gql('query($r: [_Any!]!) { _entities(representations: $r) { ... on Run { path } } }', { r: [rep] }));
        }),
        { numRuns: 40 },
      );
    });

    it('page sizes, samples and heights: any integer, and numbers Int refuses', async () => {
      const fields = [
        (n: string) => `runs(entity: "${TEAM}", project: "${PROJECT}", first: ${n}) { nodes { path } }`,
        (n: string) => `runs(entity: "${TEAM}", project: "${PROJECT}", first: 2) { histories(keys: ["train/loss"], samples: ${n}) }`,
        (n: string) => `run(path: "SEEDED") { files(first: ${n}) { totalCount edges { node { name } } } }`,
        (n: string) => `run(path: "SEEDED") { loggedArtifacts(first: ${n}) { totalCount } }`,
        (n: string) => `run(path: "SEEDED") { usedArtifacts(first: ${n}) { totalCount } }`,
        (n: string) => `run(path: "SEEDED") { history(first: ${n}) { edges { node { step } } } }`,
        (n: string) => `run(path: "SEEDED") { sampledHistory(samples: ${n}) }`,
        (n: string) => `run(path: "SEEDED") { sampledHistory(keys: ["train/loss"], samples: ${n}, stream: SYSTEM) }`,
        (n: string) => `run(path: "SEEDED") { html(height: ${n}) }`,
      ];
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: fields.length - 1 }), anyNumber, fc.boolean(), async (which, n, inline) => {
          const field = fields[which];
          const document = inline ? `{ ${field(String(n))} }` : `query($n: Int) { ${field('$n')} }`;
          expectSafe(await gql(document.replace('SEEDED', seeded.path), inline ? {} : { n }));
        }),
      );
    });

    it('history keys, steps, samples, x axis and stream', async () => {
      const HISTORY = `query($p: String!, $k: [String!], $min: Int, $max: Int, $n: Int, $s: Int, $x: String, $stream: HistoryStream, $file: String!) {
        run(path: $p) {
          history(keys: $k, minStep: $min, maxStep: $max, first: $n) { edges { node { step timestamp values } } pageInfo { endCursor } }
          sampledHistory(keys: $k, samples: $s, xAxis: $x, stream: $stream)
          config(keys: $k)
          summary(keys: $k)
          file(name: $file) { name }
        }
      }`;
      const keys = fc.option(fc.array(fc.oneof(hostileString, fc.constantFrom('train/loss', 'val/acc', '_step', '_runtime', 'system.cpu')), { maxLength: 5 }), { nil: null });
      const stream = fc.oneof(fc.constantFrom('DEFAULT', 'SYSTEM', null), hostileString);
      await fc.assert(
        fc.asyncProperty(keys, fc.option(anyInt, { nil: null }), fc.option(anyInt, { nil: null }), fc.option(fc.integer({ min: -5, max: 10_001 }), { nil: null }), fc.option(anyInt, { nil: null }), fc.option(hostileString, { nil: null }), stream, hostileString, async (k, min, max, n, s, x, st, file) => {
          expectSafe(await gql(HISTORY, { p: seeded.path, k, min, max, n, s, x, stream: st, file }));
        }),
      );
    });
  });

  describe('mutations: an error changes nothing', () => {
    const json = fc.oneof(
      { weight: 6, arbitrary: fc.dictionary(hostileString, fc.oneof(fc.jsonValue({ maxDepth: 2 }), hostileString), { maxKeys: 4 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
      { weight: 1, arbitrary: hostileString },
    );
    const tag = fc.oneof({ weight: 8, arbitrary: hostileString.filter((t) => t.length > 0 && t.length <= 256) }, { weight: 1, arbitrary: hostileString });
    const text = fc.option(hostileString, { nil: null });
    const identity = fc.oneof(
      { weight: 6, arbitrary: fc.constant(null).map(() => ({ path: target.path })) },
      { weight: 2, arbitrary: fc.constant(null).map(() => ({ id: target.id })) },
      { weight: 1, arbitrary: fc.constant(null).map(() => ({ id: target.id, path: target.path })) },
      { weight: 1, arbitrary: fc.constant({}) },
      { weight: 2, arbitrary: runPath.map((path) => ({ path })) },
      { weight: 2, arbitrary: runId.map((id) => ({ id })) },
    );

    it('updateRun: hostile config, summary, tags, notes, names, and run ids and paths', async () => {
      const input = fc.record(
        {
          config: fc.option(json, { nil: null }),
          summary: fc.option(json, { nil: null }),
          tags: fc.option(fc.array(tag, { maxLength: 4 }), { nil: null }),
          notes: text,
          displayName: text,
          group: text,
          jobType: text,
        },
        { requiredKeys: [] },
      );
      await fc.assert(
        fc.asyncProperty(identity, input, async (who, fields) => {
          const before = dbDigest();
          const answer = await gql('mutation($i: UpdateRunInput!) { updateRun(input: $i) { run { path notes tags config summary displayName } } }', { i: { ...who, ...fields } });
          if (expectSafe(answer)) expect(dbDigest()).toBe(before);
        }),
      );
    });

    it('createRun: hostile run ids, entities, projects, names and states', async () => {
      const input = fc.record(
        {
          entity: fc.oneof(fc.constantFrom(TEAM, 'other', 'demo', 'nobody'), hostileString),
          project: fc.oneof(fc.constantFrom(PROJECT, 'fuzz-project'), hostileString),
          runId: fc.option(fc.oneof(hostileString, fc.constantFrom(TARGET_RUN, 'tanj6ed1'), fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/)), { nil: undefined }),
          displayName: text,
          state: fc.oneof({ weight: 5, arbitrary: fc.constantFrom('RUNNING', 'PENDING', 'FINISHED', 'CRASHED') }, { weight: 1, arbitrary: hostileString }),
        },
        { requiredKeys: ['entity', 'project'] },
      );
      await fc.assert(
        fc.asyncProperty(input, async (i) => {
          const before = dbDigest();
          const answer = await gql('mutation($i: CreateRunInput!) { createRun(input: $i) { run { path state displayName } } }', { i });
          if (expectSafe(answer)) expect(dbDigest()).toBe(before);
        }),
      );
    });

    it('createRunFileUpload: hostile file names and runs', async () => {
      const name = fc.oneof(
        hostileString,
        fc.array(fc.oneof(hostileString, fc.constantFrom('..', '.', '', 'dir', 'file.txt')), { minLength: 1, maxLength: 4 }).map((s) => s.join('/')),
        fc.constantFrom('/etc/passwd', '../x', 'a/../../b', 'a//b', './a', 'a\\b', 'C:\\x', 'ok.txt', 'media/images/a.png', 'a'.repeat(513)),
      );
      const run = fc.oneof(
        { weight: 5, arbitrary: fc.constant(null).map(() => ({ runPath: target.path })) },
        { weight: 1, arbitrary: fc.constant(null).map(() => ({ runId: target.id })) },
        { weight: 1, arbitrary: runPath.map((runPath) => ({ runPath })) },
        { weight: 1, arbitrary: runId.map((id) => ({ runId: id })) },
        { weight: 1, arbitrary: fc.constant({}) },
      );
      await fc.assert(
        fc.asyncProperty(run, name, async (r, n) => {
          const before = dbDigest();
          const answer = await gql('mutation($i: CreateRunFileUploadInput!) { createRunFileUpload(input: $i) { uploadUrl file { name } } }', { i: { ...r, name: n } });
          if (expectSafe(answer)) expect(dbDigest()).toBe(before);
        }),
      );
    });

    it('deleteRun: hostile run ids and paths', async () => {
      const who = fc.oneof(runPath.map((path) => ({ path })), runId.map((id) => ({ id })), fc.constant({}));
      await fc.assert(
        fc.asyncProperty(who, fc.option(fc.boolean(), { nil: undefined }), async (w, deleteArtifacts) => {
          const before = dbDigest();
          const answer = await gql('mutation($i: DeleteRunInput!) { deleteRun(input: $i) { id deletedArtifacts } }', { i: { ...w, deleteArtifacts } });
          if (expectSafe(answer)) expect(dbDigest()).toBe(before);
        }),
        { numRuns: 80 },
      );
    });
  });

  describe('the emulator, asked directly, keeps its SQL parameterised', () => {
    const RUNS = `query($f: JSONString, $o: String) {
      project(name: "${PROJECT}", entityName: "${TEAM}") {
        runCount(filters: $f)
        runs(filters: $f, order: $o, first: 3) { edges { node { name } } }
      }
    }`;

    it('hostile filters and orders: no internal error, the database intact', async () => {
      const client = wandbClient(stack.emulator, DEMO_API_KEY);
      const runsBefore = runCount();
      const digestBefore = dbDigest();
      const schemaBefore = sqliteMaster();
      const filters = fc.oneof(
        { weight: 5, arbitrary: filterJson },
        { weight: 2, arbitrary: looseValue.map((v) => JSON.stringify(v) ?? 'null') },
        { weight: 2, arbitrary: hostileString },
        { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...deepShapes), fc.integer({ min: 1, max: 20_000 })).map(([shape, depth]) => deepFilter(shape, depth)) },
      );
      await fc.assert(
        fc.asyncProperty(filters, fc.option(orderString, { nil: null }), async (f, o) => {
          const answer = await client.gql(RUNS, { f, o });
          const problems: string[] = [];
          if (answer.status !== 200) problems.push(`HTTP ${answer.status}`);
          for (const e of answer.errors ?? []) {
            if (/internal server error/i.test(e.message)) problems.push(`internal error: ${e.message}`);
            else if (e.extensions?.code !== 'BAD_USER_INPUT') problems.push(`error without BAD_USER_INPUT: ${e.message.slice(0, 200)}`);
          }
          if (answer.data === undefined && !answer.errors?.length) problems.push('neither data nor errors');
          if (problems.length > 0) throw new Error(`${problems.join('; ')}\nresponse: ${JSON.stringify(answer).slice(0, 600)}`);
        }),
        { numRuns: 300 },
      );
      expect(runCount()).toBe(runsBefore);
      expect(dbDigest()).toBe(digestBefore);
      expect(sqliteMaster()).toEqual(schemaBefore);
      expect((stack.emulator.db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check).toBe('ok');
    });
  });

  describe('afterwards', () => {
    it('the process is healthy: /health, a trivial query, and the fuzzed run still reads', async () => {
      const health = await fetch(stack.subgraph.url.replace(/\/graphql$/, '/health'));
      expect(health.status).toBe(200);
      expect(await gql('{ __typename }')).toEqual({ status: 200, body: { data: { __typename: 'Query' } } });
      const answer = await gql('query($p: String!) { run(path: $p) { path notes tags config summary displayName history(first: 5) { edges { node { step } } } } }', { p: target.path });
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.run.path).toBe(target.path);
      expect(unhandled).toEqual([]);
    });
  });
});
