/** What browsers and routers meet at the subgraph's HTTP endpoint. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { startStack, subgraphClient, type Stack } from '../helpers/stack.js';

const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;

describe('HTTP endpoint', () => {
  let closed: Stack;
  let open: Stack;
  let finishedRun: string;
  let runningRun: string;
  beforeAll(async () => {
    closed = await startStack({ subgraph: { maxBodyBytes: 64 * 1024 } });
    open = await startStack({ subgraph: { corsOrigins: ['https://app.example.com'] } });
    const q = subgraphClient(closed);
    const page = await q('{ runs(entity: "acme-ml", project: "image-classification", first: 200) { nodes { path state } } }');
    finishedRun = page.data.runs.nodes.find((n: any) => n.state === 'FINISHED').path;
    runningRun = page.data.runs.nodes.find((n: any) => n.state === 'RUNNING').path;
  });
  afterAll(async () => {
    await closed.close();
    await open.close();
  });

  describe('CORS', () => {
    it('is closed by default: no Access-Control headers, even on preflight', async () => {
      const res = await fetch(closed.subgraph.url, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('access-control-allow-methods')).toBeNull();
    });

    it('allows configured origins only, with a preflight answer', async () => {
      const pre = await fetch(open.subgraph.url, { method: 'OPTIONS', headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST' } });
      expect(pre.status).toBe(204);
      expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
      expect(pre.headers.get('access-control-allow-headers')).toContain('authorization');
      const other = await fetch(open.subgraph.url, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com', 'access-control-request-method': 'POST' } });
      expect(other.headers.get('access-control-allow-origin')).toBeNull();
      const post = await fetch(open.subgraph.url, {
        method: 'POST',
        headers: { origin: 'https://app.example.com', 'content-type': 'application/json', authorization: auth },
        body: '{"query":"{ __typename }"}',
      });
      expect(post.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    });
  });

  describe('GET, CSRF prevention and persisted queries', () => {
    const get = (params: Record<string, string>, headers: Record<string, string> = {}) =>
      fetch(`${closed.subgraph.url}?${new URLSearchParams(params)}`, { headers: { authorization: auth, ...headers } });

    it('serves queries over GET when the request carries a preflight-forcing header', async () => {
      const query = `{ run(path: "${finishedRun}") { path } }`;
      const blocked = await get({ query });
      expect(blocked.status).toBe(400);
      const ok = await get({ query }, { 'apollo-require-preflight': 'true' });
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as any).data.run.path).toBe(finishedRun);
    });

    it('refuses mutations over GET', async () => {
      const res = await get({ query: 'mutation { deleteRun(input: {path: "a/b/c"}) { id } }' }, { 'apollo-require-preflight': 'true' });
      expect(res.status).toBe(405);
    });

    it('supports automatic persisted queries: hash first, then hash with query, then hash alone', async () => {
      const query = `{ run(path: "${finishedRun}") { runId state } }`;
      const sha256Hash = createHash('sha256').update(query).digest('hex');
      const extensions = JSON.stringify({ persistedQuery: { version: 1, sha256Hash } });
      const miss = (await (await get({ extensions }, { 'apollo-require-preflight': 'true' })).json()) as any;
      expect(miss.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
      const register = await fetch(closed.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query, extensions: JSON.parse(extensions) }) });
      expect(((await register.json()) as any).data.run.state).toBe('FINISHED');
      const hit = (await (await get({ extensions }, { 'apollo-require-preflight': 'true' })).json()) as any;
      expect(hit.data.run.state).toBe('FINISHED');
    });

    it('answers a persisted-query hash that does not match its query with 400 BAD_REQUEST', async () => {
      const extensions = { persistedQuery: { version: 1, sha256Hash: createHash('sha256').update('{ __typename }').digest('hex') } };
      const res = await fetch(closed.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query: '{ __schema { queryType { name } } }', extensions }) });
      expect(res.status).toBe(400);
      const body = (await res.json()) as any;
      expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
      expect(body.errors[0].message).toMatch(/does not match/);
    });
  });

  describe('Cache-Control', () => {
    const post = (query: string) =>
      fetch(closed.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query }) });

    it('lets the caller cache the history of an ended run for a day, privately', async () => {
      const res = await post(`{ run(path: "${finishedRun}") { path lastStep historyKeys { key } history(first: 5) { edges { node { step values } } pageInfo { endCursor } } } }`);
      expect(res.headers.get('cache-control')).toBe('max-age=86400, private');
      expect(((await res.json()) as any).data.run.history.edges).toHaveLength(5);
    });

    it('does not cache a running run, nor fields that can still change', async () => {
      const running = await post(`{ run(path: "${runningRun}") { path history(first: 5) { edges { node { step } } } } }`);
      expect(running.headers.get('cache-control') ?? 'no-store').toMatch(/no-store/);
      const mutable = await post(`{ run(path: "${finishedRun}") { path displayName history(first: 5) { edges { node { step } } } } }`);
      expect(mutable.headers.get('cache-control') ?? 'no-store').toMatch(/no-store/);
    });
  });

  it('refuses a query over the cost limit before any upstream request', async () => {
    closed.emulator.resetRequests();
    const res = await fetch(closed.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({ query: '{ runs(entity: "acme-ml", project: "image-classification", first: 1000) { nodes { history(first: 10000) { edges { node { values } } } } } }' }),
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors[0].message).toMatch(/^query cost \d+ exceeds the limit of 20000/);
    expect(closed.emulator.requestCount()).toBe(0);
  });

  it('refuses a query whose variables push it over the cost limit', async () => {
    closed.emulator.resetRequests();
    const res = await fetch(closed.subgraph.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: auth },
      body: JSON.stringify({
        query: 'query Q($n: Int, $m: Int) { runs(entity: "acme-ml", project: "image-classification", first: $n) { nodes { files(first: $m) { edges { node { name } } } } } }',
        variables: { n: 1000, m: 1000 },
      }),
    });
    const body = (await res.json()) as any;
    expect(res.status).toBe(400);
    expect(body.errors[0].message).toMatch(/exceeds the limit/);
    expect(closed.emulator.requestCount()).toBe(0);
  });

  it('answers request targets no URL reads (such as "//") with 400, the subgraph and the emulator alike', async () => {
    /** Sends a raw request line (fetch would normalise the target) and returns the status line. */
    const statusOf = (base: string, target: string) =>
      new Promise<string>((resolve, reject) => {
        const { hostname, port } = new URL(base);
        const socket = connect(Number(port), hostname, () => socket.end(`GET ${target} HTTP/1.1\r\nHost: localhost\r\nAuthorization: ${auth}\r\nConnection: close\r\n\r\n`));
        let text = '';
        socket.on('data', (b: Buffer) => (text += b.toString('latin1')));
        socket.on('end', () => resolve(text.split('\r\n')[0]));
        socket.on('error', reject);
      });
    for (const target of ['//', '//[', '///']) {
      expect([target, await statusOf(closed.subgraph.url, target)]).toEqual([target, 'HTTP/1.1 400 Bad Request']);
      expect([target, await statusOf(closed.emulator.url, target)]).toEqual([target, 'HTTP/1.1 400 Bad Request']);
    }
    const stream = await fetch(`${closed.emulator.url}/files/a%/b/c/file_stream`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: '{"files":{}}' });
    expect(stream.status).toBe(400);
    const after = await subgraphClient(closed)('{ __typename }');
    expect(after.data).toEqual({ __typename: 'Query' });
  });

  it('refuses a body over the size limit with 413 and stays up', async () => {
    const big = JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(70 * 1024) } });
    const res = await fetch(closed.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: big });
    expect(res.status).toBe(413);
    const after = await subgraphClient(closed)('{ __typename }');
    expect(after.data).toEqual({ __typename: 'Query' });
  });
});
