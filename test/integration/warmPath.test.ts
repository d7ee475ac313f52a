/**
 * The warm path (src/graphql/warmPath.ts): a query that already ran
 * compiled is answered without Apollo's request pipeline. Two subgraphs on
 * one emulator, one with the warm path and one without, must give the same
 * bytes, status and headers for the same requests: data, errors, limits
 * with variables, content negotiation, Cache-Control, credentials.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, type Stack } from '../helpers/stack.js';
import { startSubgraph, type Subgraph } from '../../src/http/server.js';
import { callbackLogger, silentLogger } from '../../src/observability/logger.js';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../emulator/src/seed.js';

let stack: Stack;
let cold: Subgraph;
const logLines: Record<string, unknown>[] = [];
const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;
let finishedRun: string;

beforeAll(async () => {
  stack = await startStack({ subgraph: { logger: callbackLogger((line) => logLines.push(JSON.parse(line))) } });
  cold = await startSubgraph({ wandbBaseUrl: stack.emulator.url, appUrl: 'https://wandb.example.com', serviceKey: null, logger: silentLogger(), warmPath: false });
  const page = await post(stack.subgraph.url, { query: '{ runs(entity: "acme-ml", project: "image-classification", first: 200) { nodes { path state } } }' });
  finishedRun = (JSON.parse(page.text).data.runs.nodes as { path: string; state: string }[]).find((n) => n.state === 'FINISHED')!.path;
});
afterAll(async () => {
  await cold.close();
  await stack.close();
});

interface Answer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

/** What a response says, without the headers that differ per request or per server. */
async function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth, ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const kept: Record<string, string> = {};
  res.headers.forEach((value, key) => {
    if (!['date', 'x-request-id', 'keep-alive', 'connection'].includes(key)) kept[key] = value;
  });
  return { status: res.status, headers: kept, text: await res.text() };
}

const compiledCount = async (url: string) => Number(/graphql_executions_total\{executor="compiled"\} (\d+)/.exec(await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text())?.[1] ?? 0);

/** Warms `warm` (twice, so the query runs compiled and is remembered), then sends `then` to both servers. */
async function same(warm: unknown, then: unknown = warm, headers: Record<string, string> = {}): Promise<{ warm: Answer; cold: Answer }> {
  for (const url of [stack.subgraph.url, cold.url]) {
    await post(url, warm);
    await post(url, warm);
  }
  const answers = { warm: await post(stack.subgraph.url, then, headers), cold: await post(cold.url, then, headers) };
  expect(answers.warm).toEqual(answers.cold);
  return answers;
}

const page = {
  query: `query Page($n: Int!, $withConfig: Boolean!) {
    runs(entity: "acme-ml", project: "image-classification", first: $n) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { ...R config @include(if: $withConfig) summary @skip(if: $withConfig) } }
    }
  }
  fragment R on Run { __typename id path name: runId state createdAt tags files(first: 2) { totalCount edges { node { name } } } }`,
  variables: { n: 5, withConfig: true },
  operationName: 'Page',
};

describe('the warm path', () => {
  it('answers a warm query with the same bytes and headers as Apollo, with one upstream request', async () => {
    const before = await compiledCount(stack.subgraph.url);
    const { warm } = await same(page);
    expect(warm.status).toBe(200);
    expect(warm.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(warm.text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(warm.text).data.runs.edges).toHaveLength(5);
    expect((await compiledCount(stack.subgraph.url)) - before).toBe(2);
    stack.emulator.resetRequests();
    await post(stack.subgraph.url, { ...page, variables: { n: 7, withConfig: false } });
    expect(stack.emulator.requestCount()).toBe(1);
  });

  it('logs the operation the way Apollo does', async () => {
    await same(page);
    const line = logLines.filter((l) => l.msg === 'request').at(-1)!;
    expect(line).toMatchObject({ operationName: 'Page', operationType: 'query', status: 200 });
  });

  it('gives the same errors, codes and nulls (Apollo finishes a result with errors)', async () => {
    await same({
      query: `{ missing: run(path: "acme-ml/image-classification/nosuchrun") { path } badPath: run(path: "not a path") { path }
        ok: runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path } } }`,
    });
    const nulled = await same({ query: 'query O($o: String) { runs(entity: "acme-ml", project: "image-classification", first: 1, order: $o) { nodes { path } } }', variables: { o: '-createdAt' } }, {
      query: 'query O($o: String) { runs(entity: "acme-ml", project: "image-classification", first: 1, order: $o) { nodes { path } } }',
      variables: { o: '+no such order!' },
    });
    expect(JSON.parse(nulled.warm.text).data).toBeNull();
  });

  it('refuses variables over the limits or of the wrong type as Apollo does, before anything runs', async () => {
    const tooBig = await same(page, { ...page, variables: { n: 1_000_000, withConfig: true } });
    expect(tooBig.warm.status).toBe(400);
    expect(JSON.parse(tooBig.warm.text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const wrongType = await same(page, { ...page, variables: { n: 'five', withConfig: true } });
    expect(wrongType.warm.status).toBe(400);
    const keys = 'query K($k: [String!]!) { runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { summary(keys: $k) } } }';
    const tooMany = await same({ query: keys, variables: { k: ['loss'] } }, { query: keys, variables: { k: Array.from({ length: 5000 }, (_, i) => `k${i}`) } });
    expect(tooMany.warm.status).toBe(400);
  });

  it('negotiates the content type as Apollo does', async () => {
    const graphqlResponse = await same(page, page, { accept: 'application/graphql-response+json' });
    expect(graphqlResponse.warm.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    const any = await same(page, page, { accept: '*/*' });
    expect(any.warm.headers['content-type']).toBe('application/json; charset=utf-8');
    const none = await same(page, page, { accept: 'text/html' });
    expect(none.warm.status).toBe(406);
  });

  it('sets Cache-Control for an ended run as Apollo does', async () => {
    const history = { query: `{ run(path: "${finishedRun}") { path lastStep history(first: 5) { edges { node { step values } } } } }` };
    const { warm } = await same(history);
    expect(warm.headers['cache-control']).toBe('max-age=86400, private');
  });

  it('answers a malformed credential, another operation name, APQ and text/plain as Apollo does', async () => {
    const malformed = await same(page, page, { authorization: 'Basic !!!' });
    expect(malformed.warm.status).toBe(401);
    const unknownName = await same(page, { ...page, operationName: 'Other' });
    expect(unknownName.warm.status).toBe(400);
    const emptyName = await same(page, { ...page, operationName: '' });
    expect(emptyName.warm.status).toBe(400);
    const csrf = await same(page, JSON.stringify(page), { 'content-type': 'text/plain' });
    expect(csrf.warm.status).toBe(400);
    const apq = await same(page, { ...page, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(apq.warm.status).toBe(400);
  });

  it('leaves a federated trace request to Apollo', async () => {
    await same(page);
    const traced = await post(stack.subgraph.url, page, { 'apollo-federation-include-trace': 'ftv1' });
    expect(typeof JSON.parse(traced.text).extensions?.ftv1).toBe('string');
  });

  it('keeps one caller\'s answer from another\'s', async () => {
    const theirs = { query: '{ runs(entity: "other", project: "private-experiments", first: 20) { totalCount nodes { path } } }' };
    const owner = await same(theirs, theirs, { authorization: `Basic ${Buffer.from(`api:${OTHER_API_KEY}`).toString('base64')}` });
    expect(JSON.parse(owner.warm.text).data.runs.nodes).toHaveLength(3);
    // Warm from the owner's requests; the demo key still sees none of them.
    const stranger = await post(stack.subgraph.url, theirs);
    expect(JSON.parse(stranger.text).data.runs.nodes).toEqual([]);
    expect(stranger).toEqual(await post(cold.url, theirs));
  });
});
