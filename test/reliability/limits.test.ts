/**
 * Query depth and cost limits (src/graphql/limits.ts, depth.ts, cost.ts): legitimate heavy queries and
 * the typed client's operations pass under the defaults; oversized ones are
 * refused during validation, with a message naming the limit and what the
 * query reached, before any resolver (and so any upstream call) runs.
 */
import { describe, expect, it } from '@jest/globals';
import { ApolloServer } from '@apollo/server';
import { getIntrospectionQuery, parse, specifiedRules, validate, type DocumentNode, type OperationDefinitionNode } from 'graphql';
import { createSubgraphSchema } from '../../src/graphql/schema.js';
import { defaultMaxCost, defaultMaxDepth, queryLimitRules, queryLimitsFromEnv, queryLimitsPlugin } from '../../src/graphql/limits.js';
import { defaultEntitiesSize, queryCost } from '../../src/graphql/cost.js';
import { queryDepth } from '../../src/graphql/depth.js';
import { CreateRun, HistoryScan, RunPage, RunsTable, UpdateRunNotes } from '../../examples/typed-client/operations.js';

const schema = createSubgraphSchema();

/** Messages of the limit rules alone (other validation errors are not theirs). */
function limitErrors(query: string | DocumentNode, options: { maxDepth?: number; maxCost?: number } = {}): string[] {
  const document = typeof query === 'string' ? parse(query) : query;
  return validate(schema, document, queryLimitRules(options)).map((e) => e.message);
}

/** Every validation error, the specified rules included, as Apollo Server would run them. */
function allErrors(query: string | DocumentNode): string[] {
  const document = typeof query === 'string' ? parse(query) : query;
  return validate(schema, document, [...specifiedRules, ...queryLimitRules()]).map((e) => e.message);
}

function cost(query: string, variables?: Record<string, unknown>): number {
  return queryCost(schema, parse(query), { variables });
}

function depth(query: string): number {
  const document = parse(query);
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === 'FragmentDefinition' ? [[d.name.value, d] as const] : [])));
  return queryDepth(document.definitions.find((d) => d.kind === 'OperationDefinition') as OperationDefinitionNode, (n) => fragments.get(n));
}

const HEAVY_RUNS = `{
  runs(entity: "acme-ml", project: "image-classification", first: 100) {
    nodes {
      config
      summary
      sampledHistory(keys: ["loss"])
      files(first: 3) { edges { node { name } } }
      loggedArtifacts(first: 3) { totalCount }
    }
  }
}`;

/** What a router sends for `models { trainedBy { history(first: 10) { … } } }`. */
const ROUTER_ENTITIES = `query Q($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on Run { __typename path history(first: 10) { edges { node { step } } } }
  }
}`;

const OVERSIZED = `{
  runs(entity: "acme-ml", project: "image-classification", first: 1000) {
    nodes { history(first: 10000) { edges { node { values } } } }
  }
}`;

describe('defaults and configuration', () => {
  it('exports the defaults: depth 12, cost 20000', () => {
    expect(defaultMaxDepth).toBe(12);
    expect(defaultMaxCost).toBe(20000);
    expect(defaultEntitiesSize).toBe(100);
  });

  it('reads MAX_QUERY_DEPTH and MAX_QUERY_COST, defaults when unset or empty', () => {
    expect(queryLimitsFromEnv({})).toEqual({ maxDepth: 12, maxCost: 20000 });
    expect(queryLimitsFromEnv({ MAX_QUERY_DEPTH: '', MAX_QUERY_COST: ' ' })).toEqual({ maxDepth: 12, maxCost: 20000 });
    expect(queryLimitsFromEnv({ MAX_QUERY_DEPTH: '8', MAX_QUERY_COST: '5000' })).toEqual({ maxDepth: 8, maxCost: 5000 });
  });

  it.each([['MAX_QUERY_DEPTH', 'abc'], ['MAX_QUERY_DEPTH', '0'], ['MAX_QUERY_COST', '-5'], ['MAX_QUERY_COST', '1.5'], ['MAX_QUERY_COST', '1e400']])(
    'refuses %s=%s, naming the variable',
    (name, value) => {
      expect(() => queryLimitsFromEnv({ [name]: value })).toThrow(new RegExp(`^${name} must be a positive integer`));
    },
  );

  it('refuses nonsensical options', () => {
    expect(() => queryLimitRules({ maxDepth: 0 })).toThrow(/maxDepth/);
    expect(() => queryLimitRules({ maxCost: Number.NaN })).toThrow(/maxCost/);
  });
});

describe('legitimate queries pass under the defaults', () => {
  it('a heavy runs page: 100 runs with config, summary, sampled history, 3 files and artifact counts (cost 1602)', () => {
    // runs 1 + nodes (1 + 100 × (config 1 + summary 1 + sampledHistory 5 + 1 key + files (2 + edges (1 + 3 × node 1)) + loggedArtifacts 2))
    expect(cost(HEAVY_RUNS)).toBe(1602);
    expect(allErrors(HEAVY_RUNS)).toEqual([]);
  });

  it('a router\'s _entities fetch of runs with a history page (cost 1601 for the assumed 100 representations)', () => {
    expect(cost(ROUTER_ENTITIES)).toBe(1 + defaultEntitiesSize * (5 + 1 + 10 * 1));
    expect(allErrors(ROUTER_ENTITIES)).toEqual([]);
  });

  it('1000 runs with every per-run JSON field (cost 7003)', () => {
    const q = `{ runs(entity: "e", project: "p", first: 1000) { totalCount pageInfo { endCursor } edges { cursor node {
      id path state config summary systemMetrics lastStep historyKeys { key types } sweep { name } } } } }`;
    // runs 1 + pageInfo 1 + edges (1 + 1000 × (node 1 + config, summary, systemMetrics, lastStep, historyKeys, sweep 1 each))
    expect(cost(q)).toBe(7003);
    expect(allErrors(q)).toEqual([]);
  });

  it.each([
    ['RunsTable', 153, RunsTable],
    ['RunPage', 57, RunPage],
    ['HistoryScan', 1008, HistoryScan],
    ['UpdateRunNotes', 2, UpdateRunNotes],
    ['CreateRun', 2, CreateRun],
  ] as [string, number, DocumentNode][])('the typed client\'s %s (cost %d)', (_, expected, document) => {
    expect(queryCost(schema, document)).toBe(expected);
    expect(allErrors(document)).toEqual([]);
  });

  it('HistoryScan with the largest page the field allows (first: 10000) is still under the limit', () => {
    expect(queryCost(schema, HistoryScan, { variables: { path: 'e/p/r', first: 10000 } })).toBe(10008);
  });

  it('the standard introspection query passes whatever the depth limit, and costs 1000 (its answer is the whole schema)', () => {
    expect(limitErrors(getIntrospectionQuery(), { maxDepth: 1 })).toEqual([]);
    expect(cost(getIntrospectionQuery())).toBe(1000);
    expect(limitErrors('{ __type(name: "Run") { fields { type { ofType { ofType { ofType { name } } } } } } }', { maxDepth: 1 })).toEqual([]);
  });

  it('the subgraph\'s _service query passes', () => {
    expect(allErrors('{ _service { sdl } }')).toEqual([]);
  });
});

describe('cost', () => {
  it('refuses 1000 runs × 10000 history rows, saying what the limit is and what the query reached', () => {
    expect(cost(OVERSIZED)).toBe(10_006_002);
    expect(limitErrors(OVERSIZED)).toEqual([expect.stringMatching(/^query cost 10006002 exceeds the limit of 20000\b/)]);
  });

  it('carries BAD_USER_INPUT and the numbers in extensions', () => {
    const [error] = validate(schema, parse(OVERSIZED), queryLimitRules());
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', queryLimit: { kind: 'cost', value: 10_006_002, limit: 20000 } });
  });

  it('honours a configured limit', () => {
    expect(limitErrors(HEAVY_RUNS, { maxCost: 1601 })).toEqual([expect.stringMatching(/^query cost 1602 exceeds the limit of 1601/)]);
    expect(limitErrors(HEAVY_RUNS, { maxCost: 1602 })).toEqual([]);
  });

  it('sizes a connection\'s edges and nodes by `first`, and each size only its own connection', () => {
    expect(cost('{ runs(entity: "e", project: "p", first: 7) { nodes { sweep { name } } } }')).toBe(1 + 1 + 7 * 1);
    expect(cost('{ runs(entity: "e", project: "p", first: 7) { edges { node { sweep { name } } } } }')).toBe(1 + 1 + 7 * (1 + 1));
    // files(first: 2) inside runs(first: 7): edges of files are sized 2, not 7.
    expect(cost('{ runs(entity: "e", project: "p", first: 7) { nodes { files(first: 2) { edges { node { name } } } } } }')).toBe(1 + 1 + 7 * (2 + 1 + 2 * 1));
  });

  it('uses the schema\'s default page size when `first` is absent (runs 50, history 1000)', () => {
    const q = '{ runs(entity: "e", project: "p") { nodes { history { edges { node { step } } } } } }';
    expect(cost(q)).toBe(1 + 1 + 50 * (5 + 1 + 1000 * 1));
    expect(limitErrors(q)).toEqual([expect.stringMatching(/^query cost 50302 exceeds the limit of 20000/)]);
  });

  it('a variable `first` counts as the operation\'s default, else the schema\'s; its value when known', () => {
    const q = 'query Q($n: Int = 1000) { runs(entity: "e", project: "p", first: $n) { nodes { sweep { name } } } }';
    expect(cost(q)).toBe(1002);
    expect(cost('query Q($n: Int) { runs(entity: "e", project: "p", first: $n) { nodes { sweep { name } } } }')).toBe(52);
    expect(cost(q, { n: 3 })).toBe(5);
  });

  it('sizes _entities by a literal list or the known variable, else 100', () => {
    const literal = '{ _entities(representations: [{__typename: "Run", path: "a/b/c"}, {__typename: "Run", path: "a/b/d"}]) { ... on Run { sweep { name } } } }';
    expect(cost(literal)).toBe(1 + 2 * 1);
    expect(cost(ROUTER_ENTITIES, { representations: new Array(3).fill({ __typename: 'Run', path: 'a/b/c' }) })).toBe(1 + 3 * 16);
  });

  it('adds up aliases: 30 aliased pages of 1000 runs are refused', () => {
    const q = `{ ${Array.from({ length: 30 }, (_, i) => `r${i}: runs(entity: "e", project: "p", first: 1000) { nodes { config } }`).join(' ')} }`;
    expect(cost(q)).toBe(30 * (1 + 1 + 1000));
    expect(limitErrors(q)).toEqual([expect.stringMatching(/^query cost 30060 exceeds the limit of 20000/)]);
  });

  it('counts through named and inline fragments, and mutations', () => {
    const viaFragments = `query { runs(entity: "e", project: "p", first: 1000) { ...Page } }
      fragment Page on RunConnection { nodes { ... on Run { ...Hist } } }
      fragment Hist on Run { history(first: 10000) { edges { node { values } } } }`;
    expect(cost(viaFragments)).toBe(cost(OVERSIZED));
    expect(limitErrors(viaFragments)).toHaveLength(1);
    expect(cost('mutation { updateRun(input: { path: "e/p/r" }) { run { history(first: 10) { edges { node { step } } } } } }')).toBe(1 + 1 + 5 + 1 + 10);
  });

  it('stays fast and bounded on exponential fragment fan-out', () => {
    const fragments = ['fragment F0 on Run { sweep { name } }', ...Array.from({ length: 60 }, (_, i) => `fragment F${i + 1} on Run { ...F${i} ...F${i} }`)];
    const q = `{ run(path: "e/p/r") { ...F60 } } ${fragments.join(' ')}`;
    const started = Date.now();
    const errors = limitErrors(q);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(errors).toEqual([expect.stringMatching(/^query cost \d+ exceeds the limit of 20000/)]);
  });
});

describe('depth', () => {
  it('counts nested field levels; the deepest query the schema allows (7) is under the default', () => {
    const q = '{ runs(entity: "e", project: "p") { edges { node { files { edges { node { name } } } } } } }';
    expect(depth(q)).toBe(7);
    expect(limitErrors(q)).toEqual([]);
  });

  it('refuses a query deeper than the limit, saying what the limit is and what the query reached', () => {
    const q = '{ runs(entity: "e", project: "p") { edges { node { files { edges { node { name } } } } } } }';
    expect(limitErrors(q, { maxDepth: 6 })).toEqual([expect.stringMatching(/^query depth 7 exceeds the limit of 6\b/)]);
    const [error] = validate(schema, parse(q), queryLimitRules({ maxDepth: 6 }));
    expect(error.extensions).toEqual({ code: 'BAD_USER_INPUT', queryLimit: { kind: 'depth', value: 7, limit: 6 } });
  });

  it('refuses garbage nested 14 deep with the default limit of 12, next to the schema errors', () => {
    const q = `{ ${'a { '.repeat(13)}b${' }'.repeat(13)} }`;
    expect(allErrors(q)).toContainEqual(expect.stringMatching(/^query depth 14 exceeds the limit of 12\b/));
  });

  it('counts through named and inline fragments', () => {
    const q = `{ run(path: "e/p/r") { ...R } }
      fragment R on Run { ... on Run { files { ...F } } }
      fragment F on RunFileConnection { edges { node { name } } }`;
    expect(depth(q)).toBe(5);
    expect(limitErrors(q, { maxDepth: 4 })).toEqual([expect.stringMatching(/^query depth 5 exceeds the limit of 4/)]);
  });

  it('does not count __typename', () => {
    expect(depth('{ run(path: "e/p/r") { sweep { __typename } } }')).toBe(2);
    expect(limitErrors('{ run(path: "e/p/r") { sweep { __typename } } }', { maxDepth: 2 })).toEqual([]);
  });

  it('checks every operation of a document', () => {
    const q = 'query A { run(path: "e/p/r") { path } } query B { run(path: "e/p/r") { sweep { name } } }';
    expect(limitErrors(q, { maxDepth: 2 })).toEqual([expect.stringMatching(/^query depth 3 exceeds the limit of 2/)]);
  });
});

describe('robustness of the rules on invalid documents', () => {
  it.each([
    ['a fragment cycle', '{ run(path: "e/p/r") { ...A } } fragment A on Run { sweep { name } ...B } fragment B on Run { ...A }'],
    ['an unknown fragment', '{ run(path: "e/p/r") { ...Nope } }'],
    ['a fragment on an unknown type', '{ run(path: "e/p/r") { ...X } } fragment X on Nope { a }'],
    ['an unknown field with a selection', '{ nope(first: 10) { a { b } } }'],
    ['a mistyped slicing argument', '{ runs(entity: "e", project: "p", first: "many") { nodes { config } } }'],
    ['an undefined variable', '{ runs(entity: "e", project: "p", first: $nope) { nodes { sweep { name } } } }'],
  ])('%s: no throw, the specified rules report it', (_, q) => {
    expect(() => validate(schema, parse(q), [...specifiedRules, ...queryLimitRules()])).not.toThrow();
    expect(allErrors(q).length).toBeGreaterThan(0);
  });

  it('a negative `first` costs nothing for its list (the resolver refuses it), and a subscription costs 0', () => {
    expect(cost('{ runs(entity: "e", project: "p", first: -5) { nodes { sweep { name } } } }')).toBe(2);
    expect(limitErrors('subscription { x }')).toEqual([]);
  });

  it('a huge literal `first` is refused by cost, not by overflow', () => {
    const q = '{ runs(entity: "e", project: "p", first: 2147483647) { nodes { history(first: 2147483647) { edges { node { step } } } } } }';
    expect(limitErrors(q)).toEqual([expect.stringMatching(/^query cost \d+ exceeds the limit of 20000/)]);
  });
});

describe('inside Apollo Server (no resolver runs)', () => {
  async function execute(query: string, variables: Record<string, unknown> = {}, withPlugin = false) {
    const server = new ApolloServer({ schema, validationRules: queryLimitRules(), plugins: withPlugin ? [queryLimitsPlugin()] : [] });
    await server.start();
    try {
      const response = await server.executeOperation({ query, variables });
      if (response.body.kind !== 'single') throw new Error('expected a single result');
      return { status: response.http.status, result: response.body.singleResult };
    } finally {
      await server.stop();
    }
  }

  it('a validation rule refusal is a 400 with GRAPHQL_VALIDATION_FAILED and the message', async () => {
    const { status, result } = await execute(OVERSIZED);
    expect(status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^query cost 10006002 exceeds the limit of 20000/),
        extensions: expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', queryLimit: { kind: 'cost', value: 10_006_002, limit: 20000 } }),
      }),
    ]);
  });

  it('the plugin refuses a cost only the variables reveal, as a 400 BAD_USER_INPUT before execution', async () => {
    const q = 'query Q($n: Int, $m: Int) { runs(entity: "e", project: "p", first: $n) { nodes { history(first: $m) { edges { node { step } } } } } }';
    // Statically: 50 runs × 1000 rows is already refused; 10 × 10 passes validation but the plugin sees 1000 × 10000.
    const { status, result } = await execute(q.replace('$n: Int, $m: Int', '$n: Int = 10, $m: Int = 10'), { n: 1000, m: 10000 }, true);
    expect(status).toBe(400);
    expect(result.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^query cost 10006002 exceeds the limit of 20000/),
        extensions: expect.objectContaining({ code: 'BAD_USER_INPUT', queryLimit: { kind: 'cost', value: 10_006_002, limit: 20000 } }),
      }),
    ]);
  });
});
