/**
 * Compiled execution (src/graphql/executor.ts): a query the process has
 * seen before runs compiled, and answers exactly as graphql-js answered it
 * the first time: data, errors with their codes and paths, nulls, aliases,
 * fragments, directives, entities and variables refused as bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, type Stack } from '../helpers/stack.js';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';

let stack: Stack;
let query: ReturnType<typeof subgraphClient>;
const executions = async () => {
  const text = await (await fetch(stack.subgraph.url.replace(/\/graphql$/, '/metrics'))).text();
  const count = (executor: string) => Number(new RegExp(`graphql_executions_total\\{executor="${executor}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { compiled: count('compiled'), graphqlJs: count('graphql_js') };
};

beforeAll(async () => {
  stack = await startStack();
  query = subgraphClient(stack);
});
afterAll(() => stack.close());

/** The first answer (graphql-js) and the third (compiled) of the same request. */
async function bothWays(document: string, variables: Record<string, unknown> = {}) {
  const before = await executions();
  const first = await query(document, variables);
  await query(document, variables);
  const third = await query(document, variables);
  const after = await executions();
  return { first, third, compiled: after.compiled - before.compiled, graphqlJs: after.graphqlJs - before.graphqlJs };
}

describe('compiled execution', () => {
  it('answers a nested runs page as graphql-js did, compiled from the second time on', async () => {
    const { first, third, compiled, graphqlJs } = await bothWays(
      `query Page($n: Int!, $withConfig: Boolean!) {
        runs(entity: "acme-ml", project: "image-classification", first: $n) {
          totalCount
          pageInfo { hasNextPage endCursor }
          edges { cursor node { ...R config @include(if: $withConfig) summary @skip(if: $withConfig) } }
        }
      }
      fragment R on Run { __typename id path name: runId state createdAt tags files(first: 2) { totalCount edges { node { name } } } }`,
      { n: 5, withConfig: true },
    );
    expect(first.errors).toBeUndefined();
    expect(first.data.runs.edges).toHaveLength(5);
    expect(first.data.runs.edges[0].node.config).toBeDefined();
    expect(first.data.runs.edges[0].node.summary).toBeUndefined();
    expect(third).toEqual(first);
    expect(graphqlJs).toBe(1);
    expect(compiled).toBe(2);
  });

  it('keeps errors, codes, paths and nulls the same', async () => {
    const { first, third, compiled } = await bothWays(`{
      missing: run(path: "acme-ml/image-classification/nosuchrun") { path }
      badPath: run(path: "not a path") { path }
      ok: runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path } }
    }`);
    expect(first.data.missing).toBeNull();
    expect(first.data.ok.nodes).toHaveLength(1);
    expect(first.data.badPath).toBeNull();
    expect(first.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['badPath'], 'BAD_USER_INPUT']]);
    expect(third).toEqual(first);
    expect(compiled).toBe(2);
    // A non-null root field that fails nulls the whole data, compiled too.
    const nulled = await bothWays('{ runs(entity: "acme-ml", project: "image-classification", first: 1, order: "+no such order!") { nodes { path } } }');
    expect(nulled.first.data).toBeNull();
    expect(nulled.first.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(nulled.third).toEqual(nulled.first);
    expect(nulled.compiled).toBe(2);
  });

  it('answers _entities the same way', async () => {
    const page = await query('{ runs(entity: "acme-ml", project: "image-classification", first: 3) { nodes { path } } }');
    const representations = [...page.data.runs.nodes.map((n: { path: string }) => ({ __typename: 'Run', path: n.path })), { __typename: 'Run', path: 'acme-ml/image-classification/nosuchrun' }];
    const { first, third, compiled } = await bothWays('query E($r: [_Any!]!) { _entities(representations: $r) { ... on Run { path displayName state } } }', { r: representations });
    expect(first.data._entities).toHaveLength(4);
    expect(first.data._entities[3]).toBeNull();
    expect(third).toEqual(first);
    expect(compiled).toBe(2);
  });

  it('refuses bad variables with BAD_USER_INPUT, compiled or not', async () => {
    const { first, third } = await bothWays('query P($n: Int!) { runs(entity: "acme-ml", project: "image-classification", first: $n) { nodes { path } } }', { n: 2 ** 31 });
    expect(first.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(third).toEqual(first);
  });

  it('leaves documents of more than 200 fields to graphql-js (compiling them would cost more than it saves)', async () => {
    const fields = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: runs(entity: "acme-ml", project: "image-classification", first: 1) { totalCount }`).join(' ');
    // 100 aliased fields with one subfield each: 200 fields, compiled; one more, not.
    const small = await bothWays(`{ ${fields(100)} }`);
    expect(small.compiled).toBe(2);
    const large = await bothWays(`{ ${fields(100)} runs(entity: "acme-ml", project: "image-classification", first: 1) { totalCount } }`);
    expect(large.first.errors).toBeUndefined();
    expect(large.third).toEqual(large.first);
    expect(large.compiled).toBe(0);
    expect(large.graphqlJs).toBe(3);
  });

  it('leaves documents longer than 16,384 characters to graphql-js (kept compiled, they would hold their text many times over)', async () => {
    const query = (pad: number) => `{ runs(entity: "acme-ml", project: "image-classification", first: 1) { totalCount } } # ${'x'.repeat(pad)}`;
    const short = await bothWays(query(16_000));
    expect(short.compiled).toBe(2);
    const long = await bothWays(query(17_000));
    expect(long.third).toEqual(long.first);
    expect(long.compiled).toBe(0);
    expect(long.graphqlJs).toBe(3);
  });

  it('runs mutations and introspection through graphql-js', async () => {
    const { first, third, compiled } = await bothWays('{ __schema { queryType { name } } }');
    expect(first.data.__schema.queryType.name).toBe('Query');
    expect(third).toEqual(first);
    expect(compiled).toBe(0);
  });

  it('runs a request for a federated trace through graphql-js, with its trace', async () => {
    const document = '{ runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path } } }';
    const headers = { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`, 'apollo-federation-include-trace': 'ftv1' };
    const before = await executions();
    for (let i = 0; i < 3; i++) {
      const body = (await (await fetch(stack.subgraph.url, { method: 'POST', headers, body: JSON.stringify({ query: document }) })).json()) as { extensions?: { ftv1?: string } };
      expect(typeof body.extensions?.ftv1).toBe('string');
    }
    const after = await executions();
    expect(after.compiled - before.compiled).toBe(0);
    expect(after.graphqlJs - before.graphqlJs).toBe(3);
  });
});
