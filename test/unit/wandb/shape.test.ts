/**
 * The compiled shape check against graphql-js execution, its reference:
 * the same documents (those the subgraph sends the emulator, recorded
 * through real HTTP, and hand-written ones for fragments, abstract types,
 * aliases and directives) and the same answers (the emulator's, then
 * mutated at random: wrong scalars, out-of-range Ints, nulls, lists for
 * objects, extra keys, missing keys) give identical data and errors.
 *
 * Two references: graphql-js as the subgraph used it (executeSync, fields
 * read by response key), and the same with every object type refusing a
 * value that is not a non-array object (isTypeOf), which is what the plan
 * does deliberately. The plan equals the second on every case, and the
 * first on every case where the two references agree.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { buildSchema, executeSync, isObjectType, parse, type GraphQLObjectType, type GraphQLSchema, type GraphQLTypeResolver } from 'graphql';
import { startEmulator, type Emulator } from '../../../emulator/src/server.js';
import { DEMO_API_KEY } from '../../../emulator/src/seed.js';
import { startSubgraph, type Subgraph } from '../../../src/http/server.js';
import { byResponseKey, checkShape, withWandbScalars } from '../../../src/wandb/shape.js';
import { compileShapePlan } from '../../../src/wandb/shapePlan.js';
import { startFaultProxy, type FaultProxy } from '../../reliability/faultProxy.js';

const sdl = readFileSync(new URL('../../../schema/upstream/wandb.graphql', import.meta.url), 'utf8');
const fragmentsText = readFileSync(new URL('../../../schema/upstream/operations/fragments.graphql', import.meta.url), 'utf8');
const schema = buildSchema(sdl);
/** W&B's schema whose object types take only non-array objects. */
const strictSchema = buildSchema(sdl);
for (const type of Object.values(strictSchema.getTypeMap())) {
  if (isObjectType(type) && !type.name.startsWith('__')) {
    (type as { isTypeOf?: GraphQLObjectType['isTypeOf'] }).isTypeOf = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
  }
}

// W&B's rules beyond its SDL, as graphql-js applies them in the check's own fallback: its own scalars
// hold only their values, a field asked for must be in the answer, and a count is a whole number from 0 up.
withWandbScalars(schema);
withWandbScalars(strictSchema);
const byTypename: GraphQLTypeResolver<unknown, unknown> = (value, _ctx, info, abstractType) => {
  const named = (value as { __typename?: unknown } | null)?.__typename;
  return typeof named === 'string' ? named : info.schema.getPossibleTypes(abstractType)[0]?.name;
};

/** graphql-js's answer, in checkShape's terms. */
function reference(against: GraphQLSchema, query: string, variables: Record<string, unknown>, data: unknown) {
  const result = executeSync({ schema: against, document: parse(query), rootValue: data, variableValues: variables, fieldResolver: byResponseKey, typeResolver: byTypename });
  return {
    data: result.data ?? null,
    errors: (result.errors ?? []).map((e) => ({
      message: `W&B sent an answer of the wrong shape at ${(e.path ?? []).join('.')}`,
      ...(e.path ? { path: e.path } : {}),
      extensions: { code: 'UPSTREAM_UNAVAILABLE' },
    })),
  };
}

/** Data and errors as text: key order, values and error paths all count. */
const text = (result: unknown) => JSON.stringify(result);

/** Checks one case both ways; true when the plan is stricter than plain graphql-js on it. */
function compare(query: string, variables: Record<string, unknown>, data: Record<string, unknown>): boolean {
  const plan = compileShapePlan(schema, parse(query));
  expect(plan).not.toBeNull();
  const compiled = plan!.check(variables, data);
  expect(compiled).toBeDefined();
  const strict = reference(strictSchema, query, variables, data);
  const plain = reference(schema, query, variables, data);
  if (text(compiled) !== text(strict)) {
    // A readable failure: the case and both answers.
    expect({ query, variables, data, compiled }).toEqual({ query, variables, data, compiled: strict });
  }
  // The public entry point (cached plans, per-outcome plans) answers the same.
  expect(text(checkShape(query, variables, data))).toBe(text(compiled));
  const stricter = text(strict) !== text(plain);
  if (!stricter) expect(text(compiled)).toBe(text(plain));
  return stricter;
}

/** A small deterministic PRNG (mulberry32), so failures replay. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const oddValues: unknown[] = [
  null,
  0,
  -0,
  1,
  -1,
  2147483647,
  2147483648,
  -2147483648,
  -2147483649,
  1.5,
  1e300,
  '',
  'abc',
  '42',
  '1.5',
  'COMMITTED',
  'ArtifactSequence',
  true,
  false,
  {},
  [],
  [null],
  ['x', 1],
  [{}],
  { __typename: 'ArtifactSequence', name: 'seq' },
  { __typename: 'Nope' },
  { __typename: 'Run' },
  { name: 'n', id: 7 },
];

/** Replaces, deletes or adds one value somewhere in `data` (a deep copy is mutated). */
function mutate(data: unknown, next: () => number): unknown {
  const copy = structuredClone(data);
  const holders: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (value: unknown) => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        holders.push({ holder: value, key: i });
        walk(item);
      });
    }
    else if (value !== null && typeof value === 'object') {
      for (const key of Object.keys(value)) {
        holders.push({ holder: value as Record<string, unknown>, key });
        walk((value as Record<string, unknown>)[key]);
      }
    }
  };
  walk(copy);
  if (holders.length === 0) return copy;
  const { holder, key } = holders[Math.floor(next() * holders.length)];
  const choice = next();
  if (choice < 0.08 && !Array.isArray(holder)) delete holder[key as string];
  else if (choice < 0.14 && !Array.isArray(holder)) holder[`extra${Math.floor(next() * 3)}`] = oddValues[Math.floor(next() * oddValues.length)];
  else (holder as Record<string | number, unknown>)[key] = oddValues[Math.floor(next() * oddValues.length)];
  return copy;
}

/** `count` mutated answers of each case; returns how many were cases where the plan is stricter. */
function fuzz(cases: { query: string; variables: Record<string, unknown>; data: Record<string, unknown> }[], count: number, seed: number): { checked: number; stricter: number } {
  const next = random(seed);
  let stricter = 0;
  let checked = 0;
  for (const c of cases) {
    for (let i = 0; i < count; i++) {
      let data = c.data;
      const times = 1 + Math.floor(next() * 3);
      for (let t = 0; t < times; t++) data = mutate(data, next) as Record<string, unknown>;
      if (compare(c.query, c.variables, data)) stricter++;
      checked++;
    }
  }
  return { checked, stricter };
}

const runFields = `
  query RunByName($entity: String!, $project: String!, $name: String!, $withConfig: Boolean!, $configKeys: [String!], $withSummary: Boolean!,
      $summaryKeys: [String!], $withSystemMetrics: Boolean!, $withHistoryKeys: Boolean!) {
    project(name: $project, entityName: $entity) { run(name: $name) { ...RunFields } }
  }
  ${fragmentsText}`;

const flags = (on: boolean) => ({ withConfig: on, configKeys: null, withSummary: !on, summaryKeys: ['a'], withSystemMetrics: on, withHistoryKeys: !on });

/** A hand-written answer with an interface, aliases and lists of objects. */
const membership = {
  project: {
    __typename: 'Project',
    m: {
      id: 'QXJ0aWZhY3Q6MQ==',
      versionIndex: 3,
      createdAt: '2026-10-01T06:24:57Z',
      aliases: [{ alias: 'latest', artifactCollection: { __typename: 'ArtifactSequence', id: 'U2VxOjE=', name: 'seq', project: { name: 'p', entityName: 'e' } } }, { alias: 'v3', artifactCollection: null }],
      artifactCollection: { __typename: 'ArtifactSequence', id: 'U2VxOjE=', name: 'seq', latestArtifact: { id: 'a1', state: 'COMMITTED', size: '123', fileCount: 2, ttlIsInherited: true }, project: { name: 'p', entityName: 'e' } },
      artifact: { id: 'a1', digest: 'd', state: 'PENDING', tags: [{ id: 't', name: 'n' }], metadata: '{"k":1}' },
    },
    sweep: { id: 's1', name: 'sw', state: 'RUNNING', bestLoss: 0.25, runCount: 4, runCountExpected: null, config: 'x: 1', createdAt: '2026-10-01T06:24:57Z', method: 'grid' },
  },
};

const membershipQuery = `query Membership($name: String!, $withSweep: Boolean = true, $skipId: Boolean) {
  __typename
  project(name: "p", entityName: "e") {
    __typename
    m: artifactCollectionMembership(name: $name) {
      id versionIndex createdAt
      aliases { alias artifactCollection { __typename name ...Seq } }
      artifactCollection { ...Collection ... on ArtifactSequence { latestArtifact { id state } } }
      artifact { id digest state tags { id name } metadata }
      ... on ArtifactCollectionMembership { artifactCollection { project { name } } }
    }
    sweep(sweepName: "sw") @include(if: $withSweep) { id @skip(if: $skipId) name state bestLoss runCount runCountExpected config createdAt method unknownField }
  }
}
fragment Collection on ArtifactCollection { __typename name project { entityName } ... on ArtifactSequence { id latestArtifact { size fileCount ttlIsInherited } } }
fragment Seq on ArtifactSequence { id project { name entityName } }`;

let emulator: Emulator;
let proxy: FaultProxy;
let subgraph: Subgraph;
/** The documents the subgraph sent W&B, with the emulator's answers. */
const recorded: { query: string; variables: Record<string, unknown>; data: Record<string, unknown> }[] = [];

beforeAll(async () => {
  emulator = await startEmulator({ seed: { historyScale: 0.01 } });
  proxy = await startFaultProxy(emulator.url);
  subgraph = await startSubgraph({ wandbBaseUrl: proxy.url, appUrl: 'https://wandb.example.com', serviceKey: DEMO_API_KEY, log: () => {} });
  const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;
  const runs = (first: number, fields: string) => `{ runs(entity: "acme-ml", project: "image-classification", first: ${first}) { nodes { ${fields} } } }`;
  for (const query of [
    runs(50, 'id runId displayName state createdAt heartbeatAt notes tags group jobType username config summary'),
    runs(4, 'path config(keys: ["lr"]) summary(keys: ["train/loss"]) systemMetrics historyKeys { key types } sweep { id name state }'),
    runs(3, 'path sampledHistory(keys: ["train/loss"]) files(first: 2) { edges { node { name } } } loggedArtifacts(first: 2) { totalCount edges { node { id name digest versionIndex } } }'),
  ]) {
    const res = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query }) });
    const body = (await res.json()) as { errors?: unknown };
    expect(body.errors).toBeUndefined();
  }
  for (const { body } of proxy.log) {
    const res = await fetch(`${emulator.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body });
    const answer = (await res.json()) as { data?: Record<string, unknown> };
    const { query, variables } = JSON.parse(body) as { query: string; variables?: Record<string, unknown> };
    if (answer.data) recorded.push({ query, variables: variables ?? {}, data: answer.data });
  }
}, 60_000);

afterAll(async () => {
  await subgraph?.close();
  await proxy?.close();
  await emulator?.close();
});

describe('the compiled shape check answers as graphql-js execution does', () => {
  it('on the documents the subgraph sends and the emulator\'s answers to them, as they are', () => {
    expect(recorded.length).toBeGreaterThanOrEqual(3);
    for (const c of recorded) expect(compare(c.query, c.variables, c.data)).toBe(false);
    const page = recorded.find((c) => c.query.includes('summaryMetrics') && (c.data as any).project?.runs?.edges?.length >= 50);
    expect(page).toBeDefined();
    // The answer is valid: nothing is nulled and the checked data is the answer.
    expect(checkShape(page!.query, page!.variables, page!.data)).toEqual({ data: page!.data, errors: [] });
  });

  it('on those answers mutated at random (wrong scalars, nulls, lists for objects, extra and missing keys)', () => {
    const { checked, stricter } = fuzz(recorded, 150, 1);
    expect(checked).toBeGreaterThanOrEqual(450);
    // Most mutations are judged exactly as graphql-js judges them.
    expect(stricter).toBeLessThan(checked / 4);
  });

  it('with fragments whose fields are included or skipped by variables', () => {
    const run = { name: 'r', id: 'UnVu', displayName: null, state: 'running', createdAt: '2026-01-01T00:00:00', heartbeatAt: null, notes: '', tags: ['a'], group: null, jobType: null, commit: 'c', sweepName: null, user: { username: 'u' }, config: '{}', summaryMetrics: '{}', systemMetrics: '{}', historyKeys: { keys: {} }, extra: 1 };
    const data = { project: { run } };
    const base = { entity: 'e', project: 'p', name: 'r' };
    for (const on of [true, false]) {
      const variables = { ...base, ...flags(on) };
      expect(compare(runFields, variables, data)).toBe(false);
      fuzz([{ query: runFields, variables, data }], 150, on ? 2 : 3);
    }
    const checked = checkShape(runFields, { ...base, ...flags(true) }, data).data as any;
    expect(Object.keys(checked.project.run)).toEqual(expect.arrayContaining(['config', 'systemMetrics']));
    expect(checked.project.run).not.toHaveProperty('summaryMetrics');
    expect(checked.project.run).not.toHaveProperty('extra');
  });

  it('with interfaces, inline and named fragments, aliases, __typename, default and nullable directive variables', () => {
    const cases = [
      { name: 'x' },
      { name: 'x', withSweep: false },
      { name: 'x', skipId: true },
      { name: 'x', skipId: null },
      { name: 'x', withSweep: null },
      { name: 'x', withSweep: 'no' },
      {},
    ];
    for (const variables of cases) {
      expect(compare(membershipQuery, variables, membership)).toBe(false);
      fuzz([{ query: membershipQuery, variables, data: membership }], 120, 4);
    }
    const checked = checkShape(membershipQuery, { name: 'x', skipId: false }, membership);
    expect(checked.errors).toEqual([]);
    expect((checked.data as any).__typename).toBe('Query');
    expect((checked.data as any).project.sweep).not.toHaveProperty('unknownField');
  });

  it.each([
    ['an Int beyond 32 bits', { project: { runCount: 2 ** 31 } }, '{ project { runCount } }', ['project.runCount']],
    ['a float for an Int', { project: { runCount: 1.5 } }, '{ project { runCount } }', ['project.runCount']],
    ['an object for a String', { project: { name: { a: 1 } } }, '{ project { name } }', ['project.name']],
    ['null in a non-null list item, nested', { project: { runs: { edges: [{ node: { name: 'a', tags: ['x', null] } }] } } }, '{ project { runs { edges { node { name tags } } } } }', ['project.runs.edges.0.node.tags.1']],
    ['null for a non-null object in a list', { project: { runs: { edges: [{ node: null }, { node: { name: 'b' } }] } } }, '{ project { runs { edges { node { name } } } } }', ['project.runs.edges.0.node']],
    ['a string where an object is due', { project: 'p' }, '{ project { name } }', ['project']],
    ['an object where a list is due', { project: { runs: { edges: {} } } }, '{ project { runs { edges { cursor } } } }', ['project.runs.edges']],
    ['an unknown enum value', { artifact: { state: 'GONE' } }, '{ artifact(id: "a") { state } }', ['artifact.state']],
    ['an unknown __typename', { project: { artifactCollectionMembership: { artifactCollection: { __typename: 'Run', name: 'x' } } } }, '{ project { artifactCollectionMembership(name: "m") { artifactCollection { name } } } }', ['project.artifactCollectionMembership.artifactCollection']],
    ['a missing required argument', { project: { run: { name: 'r' } } }, '{ project { run { name } } }', ['project.run']],
    ['an undefined variable in a required argument', { project: { run: { name: 'r' } } }, 'query($n: String) { project { run(name: $n) { name } } }', ['project.run']],
  ])('%s is an error at its path, nulled up to its nullable parent', (_, data, query, paths) => {
    compare(query, {}, data);
    const checked = checkShape(query, {}, data);
    expect(checked.errors.map((e) => e.path?.join('.'))).toEqual(paths);
    expect(checked.errors.every((e) => e.extensions?.code === 'UPSTREAM_UNAVAILABLE' && e.message === `W&B sent an answer of the wrong shape at ${e.path!.join('.')}`)).toBe(true);
  });

  it('variables graphql-js refuses, and arguments built of variables', () => {
    const deleteRun = 'mutation DeleteRun($id: ID!, $deleteArtifacts: Boolean) { deleteRun(input: { id: $id, deleteArtifacts: $deleteArtifacts }) { clientMutationId } }';
    for (const variables of [{ id: 'r' }, { id: 7 }, { id: 'r', deleteArtifacts: 'yes' }, {}, { id: null }, { id: ['r'] }]) {
      compare(deleteRun, variables, { deleteRun: { clientMutationId: 'c' } });
    }
    expect(checkShape(deleteRun, {}, { deleteRun: {} })).toEqual({ data: null, errors: [{ message: 'W&B sent an answer of the wrong shape at ', extensions: { code: 'UPSTREAM_UNAVAILABLE' } }] });
    const keys = 'query($k: [String!], $first: Int) { project { runs(first: $first) { edges { node { config(keys: $k) } } } } }';
    for (const variables of [{ k: 'one' }, { k: ['a', 'b'] }, { k: [null] }, { first: '2' }, { first: 2 ** 40 }]) compare(keys, variables, { project: { runs: { edges: [{ node: { config: '{}' } }] } } });
    // Arguments that are variables of their own type (as the subgraph's documents pass them), or not quite.
    const run = { project: { run: { name: 'r' } } };
    for (const [query, variables] of [
      ['query($n: String!) { project { run(name: $n) { name } } }', { n: 'r' }],
      ['query($n: String!) { project { run(name: $n) { name } } }', {}],
      ['query($n: String) { project { run(name: $n) { name } } }', { n: null }],
      ['query($n: String) { project { run(name: $n) { name } } }', { n: 'r' }],
      ['query($n: String, $m: String!) { project { run(name: $n) { name } } a: project { run(name: $m) { name } } }', { m: 'r' }],
      ['query($s: [JSONString!]!) { project { run(name: "r") { sampledHistory(specs: $s) } } }', { s: ['{}'] }],
      ['query($s: JSONString!) { project { run(name: "r") { sampledHistory(specs: [$s]) } } }', { s: '{}' }],
    ] as const) {
      compare(query, variables, { ...run, a: run.project, project: { run: { name: 'r', sampledHistory: [[]] } } });
    }
  });

  it('documents the plan does not cover are checked by graphql-js execution', () => {
    const introspection = '{ __schema { queryType { name } } }';
    expect(compileShapePlan(schema, parse(introspection))!.check({}, {})).toBeUndefined();
    expect(checkShape(introspection, {}, {})).toEqual(reference(schema, introspection, {}, {}));
    const two = 'query A { viewer { id } } query B { viewer { id } }';
    expect(compileShapePlan(schema, parse(two))).toBeNull();
    expect(checkShape(two, {}, { viewer: { id: 'x' } })).toEqual(reference(schema, two, {}, { viewer: { id: 'x' } }));
  });

  it('fragments spread into each other past the plan\'s budget fall back to graphql-js, with the same answer', () => {
    // Each level doubles what the answer (shared objects) unfolds to: 2^13 runs at the bottom.
    const levels = 13;
    const fragments = [`fragment L0 on Run { name state }`];
    for (let i = 1; i <= levels; i++) fragments.push(`fragment L${i} on Run { a: project { run(name: "a") { ...L${i - 1} } } b: project { run(name: "b") { ...L${i - 1} } } }`);
    const query = `{ project { run(name: "r") { ...L${levels} } } } ${fragments.join(' ')}`;
    let answer: Record<string, unknown> = { name: 'r', state: 'running' };
    for (let i = 1; i <= levels; i++) answer = { a: { run: answer }, b: { run: answer } };
    const data = { project: { run: answer } };
    expect(compileShapePlan(schema, parse(query))!.check({}, data)).toBeUndefined();
    expect(text(checkShape(query, {}, data))).toBe(text(reference(schema, query, {}, data)));
  });
});
