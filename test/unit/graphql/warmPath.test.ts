/**
 * Which requests the warm path serves (src/graphql/warmPath.ts): only a
 * query that ran compiled through Apollo before, sent again as a JSON POST
 * that needs nothing else of Apollo's pipeline. The subgraph's own schema
 * and Apollo server, in process; the answers themselves are compared with
 * Apollo's over HTTP in test/integration/warmPath.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HeaderMap, type ApolloServer } from '@apollo/server';
import { createSubgraphSchema } from '../../../src/graphql/schema.js';
import { createGraphQLServer } from '../../../src/graphql/apolloServer.js';
import { maxWarmSourceLength, type WarmPath } from '../../../src/graphql/warmPath.js';
import { silentLogger } from '../../../src/observability/logger.js';
import type { Context } from '../../../src/context.js';

const schema = createSubgraphSchema();
let apollo: ApolloServer<Context>;
let warmPath: WarmPath;
const json = { 'content-type': 'application/json' };
const query = 'query Q($x: Boolean!) { __typename @include(if: $x) }';

const viaApollo = (body: Record<string, unknown>) =>
  apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: 'POST', headers: new HeaderMap(Object.entries(json)), search: '', body },
    context: async () => ({ fieldErrors: [] }) as unknown as Context,
  });

beforeAll(async () => {
  ({ apollo, warmPath } = createGraphQLServer(schema, silentLogger(), undefined) as { apollo: ApolloServer<Context>; warmPath: WarmPath });
  await apollo.start();
});
afterAll(() => apollo.stop());

describe('the warm path', () => {
  it('serves nothing until Apollo has run the query compiled', async () => {
    const body = { query, variables: { x: true } };
    expect(warmPath.match(body, json)).toBeNull();
    await viaApollo(body);
    // The first run is graphql-js's; the second compiles.
    expect(warmPath.match(body, json)).toBeNull();
    await viaApollo(body);
    expect(warmPath.match(body, json)).not.toBeNull();
  });

  it('answers a warm request with Apollo\'s text, and declines variables that do not coerce', async () => {
    const request = warmPath.match({ query, variables: { x: true }, operationName: 'Q' }, json);
    // Requested by name: another key than the unnamed request warmed above.
    expect(request).toBeNull();
    await viaApollo({ query, variables: { x: false }, operationName: 'Q' });
    await viaApollo({ query, variables: { x: false }, operationName: 'Q' });
    const named = warmPath.match({ query, variables: { x: true }, operationName: 'Q' }, json)!;
    const state = { id: 'r', operationType: 'unknown' as const, errorCodes: [] as string[] };
    const answered = await warmPath.run(named, { fieldErrors: [], request: state } as unknown as Context);
    expect(answered).toEqual({ kind: 'answered', text: '{"data":{"__typename":"Query"}}\n', headers: [['content-type', 'application/json; charset=utf-8']] });
    expect(state).toMatchObject({ operationType: 'query', operationName: 'Q' });
    const wrong = warmPath.match({ query, variables: { x: 'yes' }, operationName: 'Q' }, json)!;
    expect(await warmPath.run(wrong, { fieldErrors: [] } as unknown as Context)).toEqual({ kind: 'declined' });
  });

  it.each([
    ['a batch', [{ query }], json],
    ['extensions (APQ)', { query, extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } }, json],
    ['variables that are not an object', { query, variables: [true] }, json],
    ['an operation name that is not a string', { query, operationName: 1 }, json],
    ['an empty operation name', { query, operationName: '' }, json],
    ['another document', { query: `${query} ` }, json],
    ['a text/plain body (Apollo\'s CSRF check)', { query }, { 'content-type': 'text/plain' }],
    ['no content type', { query }, {}],
    ['a federated trace', { query }, { ...json, 'apollo-federation-include-trace': 'ftv1' }],
    ['an Accept of neither JSON type (Apollo answers 406)', { query }, { ...json, accept: 'text/html' }],
  ])('leaves %s to Apollo', (_, body, headers) => {
    expect(warmPath.match({ query, variables: { x: true } }, json)).not.toBeNull();
    expect(warmPath.match(body, headers)).toBeNull();
  });

  it('negotiates the content type as Apollo does', () => {
    const typeFor = (accept: string) => warmPath.match({ query, variables: { x: true } }, { ...json, accept })?.contentType;
    expect(typeFor('application/graphql-response+json, application/json;q=0.9')).toBe('application/graphql-response+json; charset=utf-8');
    expect(typeFor('application/json')).toBe('application/json; charset=utf-8');
    expect(typeFor('*/*')).toBe('application/json; charset=utf-8');
    expect(typeFor('')).toBe('application/json; charset=utf-8');
  });

  it('keeps no document longer than its limit', async () => {
    const long = `query Q($x: Boolean!) { __typename @include(if: $x) }${' '.repeat(maxWarmSourceLength)}`;
    await viaApollo({ query: long, variables: { x: true } });
    await viaApollo({ query: long, variables: { x: true } });
    expect(warmPath.match({ query: long, variables: { x: true } }, json)).toBeNull();
  });
});
