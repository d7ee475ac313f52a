/**
 * Hostile clients and a misbehaving W&B, through real HTTP and WebSocket:
 * the subgraph runs in front of a loopback fault proxy that forwards to
 * the emulator, or answers in its place (huge bodies, other runs, more
 * rows than asked, deep JSON, odd states, quoted keys). Each class of
 * attack ends in a coded error for the request or the field concerned,
 * never an HTTP 500, never a key in a body or a log line, and with the
 * process's memory (RSS, read from /proc) growing by at most 64 MB.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { request as httpRequest } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { startSubgraph, type Subgraph } from '../../src/http/server.js';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../emulator/src/seed.js';
import { encodeRunId } from '../../src/wandb/ids.js';
import { createReadAheadCache } from '../../src/history/readAhead.js';
import { startFaultProxy, type FaultProxy } from './faultProxy.js';
import { appendHistory } from '../../emulator/src/store/history.js';
import { updateRun } from '../../emulator/src/store/runs.js';
import { defaultPolicy } from '../../src/wandb/policy.js';

const TEAM = 'acme-ml';
const PROJECT = 'image-classification';
/** The service key is the other user's: a request served with it sees only that user's project. */
const SERVICE_KEY = OTHER_API_KEY;
const CALLER_KEY = DEMO_API_KEY;
const basic = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;
/** Every form of both keys that must never leave the process. */
const SECRET_FORMS = [SERVICE_KEY, CALLER_KEY].flatMap((k) => [k, `api:${k}`, Buffer.from(`api:${k}`).toString('base64'), Buffer.from(k).toString('base64')]);
const MB = 1024 * 1024;

interface Answer {
  status: number;
  text: string;
  body: { data?: any; errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string } }[] };
}

let emulator: Emulator;
let proxy: FaultProxy;
let subgraph: Subgraph;
const logs: string[] = [];
const figures: Record<string, number | string> = {};

/** Resident and peak memory of this process, in bytes, from /proc. */
function memory(): { rss: number; peak: number } {
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Peak RSS growth (MB) while `work` runs: the peak is reset first (clear_refs 5), then read after. */
async function peakGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  global.gc?.();
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Without the reset the peak may predate the work: the growth read is then an underestimate of nothing worse.
  }
  const before = memory().rss;
  const result = await work();
  const growthMb = Math.max(0, memory().peak - before) / MB;
  return { result, growthMb };
}

async function post(body: string, headers: Record<string, string> = {}, url = subgraph.url): Promise<Answer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let parsed: Answer['body'] = {};
  try {
    parsed = JSON.parse(text) as Answer['body'];
  } catch {
    // kept as text: the assertions say what was expected
  }
  return { status: res.status, text, body: parsed };
}

/** A query as the caller to another subgraph than the suite's. */
function gqlAt(url: string, query: string): Promise<Answer> {
  return post(JSON.stringify({ query }), { authorization: basic(CALLER_KEY) }, url);
}

/**
 * A subgraph in front of the suite's proxy that reads answers of up to
 * 8 MB with 64 requests in flight (so at most 32 MB of answers at once),
 * with the upstream policy's `policy` besides.
 */
function startWideSubgraph(policy: Partial<typeof defaultPolicy>): Promise<Subgraph> {
  return startSubgraph({ wandbBaseUrl: proxy.url, appUrl: 'https://wandb.example.com', serviceKey: SERVICE_KEY, policy: { ...defaultPolicy, maxInFlight: 64, ...policy }, maxResponseBytes: 8 * MB, log: (line) => logs.push(line) });
}

function gql(query: string, variables: Record<string, unknown> = {}, authorization: string | null = basic(CALLER_KEY)): Promise<Answer> {
  return post(JSON.stringify({ query, variables }), authorization === null ? {} : { authorization });
}

function codes(answer: Answer): string[] {
  return (answer.body.errors ?? []).map((e) => e.extensions?.code ?? '(none)');
}

function expectNoSecret(text: string): void {
  for (const form of SECRET_FORMS) expect(text).not.toContain(form);
}

const runsQuery = (first: number, fields = 'runId state') => `{ runs(entity: "${TEAM}", project: "${PROJECT}", first: ${first}) { nodes { ${fields} } } }`;

beforeAll(async () => {
  emulator = await startEmulator({ seed: { historyScale: 0.01 } });
  proxy = await startFaultProxy(emulator.url);
  subgraph = await startSubgraph({
    wandbBaseUrl: proxy.url,
    appUrl: 'https://wandb.example.com',
    serviceKey: SERVICE_KEY,
    policy: { attemptTimeoutMs: 5_000, budgetMs: 10_000, maxRetries: 2, baseDelayMs: 20, maxDelayMs: 100, maxInFlight: 4 },
    maxResponseBytes: 8 * MB,
    headersTimeoutMs: 1_000,
    requestTimeoutMs: 3_000,
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await subgraph.close();
  await proxy.close();
  await emulator.close();
  // No key in any log line, whatever happened above.
  expectNoSecret(logs.join('\n'));
  if (process.env.HOSTILE_FIGURES) writeFileSync(process.env.HOSTILE_FIGURES, JSON.stringify(figures, null, 2));
});

beforeEach(() => proxy.clear());

describe('credentials', () => {
  const malformed: [string, string][] = [
    ['a raw key', CALLER_KEY],
    ['Token <key>', `Token ${CALLER_KEY}`],
    ['Bearer <key> x', `Bearer ${CALLER_KEY} x`],
    ['Basic alone', 'Basic'],
    ['Bearer alone', 'Bearer '],
    ['Basic with a token that is not base64', 'Basic ***'],
    ['Basic without user:key', `Basic ${Buffer.from(CALLER_KEY).toString('base64')}`],
    ['api: with no key', `Basic ${Buffer.from('api:').toString('base64')}`],
    ['an unknown scheme', `Digest username="${CALLER_KEY}"`],
  ];

  it.each(malformed)('HTTP: %s is UNAUTHENTICATED (401), logged with its code, and nothing is asked of W&B', async (_, header) => {
    const before = logs.length;
    const answer = await gql(runsQuery(1), {}, header);
    expect(answer.status).toBe(401);
    await new Promise((r) => setTimeout(r, 20));
    expect(logs.slice(before).some((l) => l.includes('"status":401') && l.includes('"errorCodes":["UNAUTHENTICATED"]'))).toBe(true);
    expect(codes(answer)).toEqual(['UNAUTHENTICATED']);
    expect(answer.body.data ?? null).toBeNull();
    expect(proxy.log).toHaveLength(0);
    expectNoSecret(answer.text);
    // The message says what is expected, in words the scrubber leaves alone.
    expect(answer.body.errors?.[0]?.message).toMatch(/^malformed credential: .*(Basic|Bearer)/);
    expect(answer.body.errors?.[0]?.message).not.toMatch(/Redacted/);
  });

  const privateRuns = `{ runs(entity: "other", project: "private-experiments", first: 5) { nodes { runId } } }`;

  it('HTTP: two Authorization headers are UNAUTHENTICATED (401), whichever comes first', async () => {
    for (const [first, second] of [
      [basic(CALLER_KEY), 'garbage'],
      [basic(SERVICE_KEY), basic(CALLER_KEY)],
    ]) {
      const body = JSON.stringify({ query: privateRuns });
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(subgraph.url).port), '127.0.0.1');
        let text = '';
        socket.on('data', (b) => (text += b.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
        socket.end(`POST /graphql HTTP/1.1\r\nhost: localhost\r\ncontent-type: application/json\r\nauthorization: ${first}\r\nauthorization: ${second}\r\nconnection: close\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      });
      expect(raw).toMatch(/^HTTP\/1\.1 401/);
      expect(raw).toContain('UNAUTHENTICATED');
      expect(proxy.log).toHaveLength(0);
    }
  });

  it('HTTP: with no credential at all the service key is used', async () => {
    const answer = await gql(privateRuns, {}, null);
    expect(answer.status).toBe(200);
    expect(answer.body.data.runs.nodes.length).toBeGreaterThan(0);
  });

  it('HTTP: a well-formed credential is the caller\'s own, never the service key', async () => {
    for (const authorization of [basic(CALLER_KEY), `Bearer ${CALLER_KEY}`]) {
      const own = await gql(privateRuns, {}, authorization);
      expect(own.body.data?.runs?.nodes ?? []).toHaveLength(0);
    }
  });

  const wsCases: [string, Record<string, unknown>][] = [
    ['a raw key', { authorization: CALLER_KEY }],
    ['Token <key>', { Authorization: `Token ${CALLER_KEY}` }],
    ['Bearer <key> x under headers', { headers: { authorization: `Bearer ${CALLER_KEY} x` } }],
    ['Basic alone', { authorization: 'Basic' }],
    ['a number', { authorization: 42 }],
    ['a list', { authorization: [basic(CALLER_KEY)] }],
    ['AUTHORIZATION in capitals, a raw key', { AUTHORIZATION: CALLER_KEY }],
    ['two credentials', { authorization: basic(CALLER_KEY), headers: { Authorization: basic(SERVICE_KEY) } }],
    ['Bearer with a control character', { authorization: `Bearer ${CALLER_KEY}\u007f` }],
    ['Bearer with characters beyond ASCII', { authorization: 'Bearer \u0100\u0101' }],
  ];

  it.each(wsCases)('WebSocket: %s in the connection params is UNAUTHENTICATED', async (_, params) => {
    const client = createClient({ url: subgraph.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: params, retryAttempts: 0, lazy: true });
    try {
      const errors = await new Promise<unknown>((resolve) => {
        client.subscribe(
          { query: `subscription { runUpdated(path: "${TEAM}/${PROJECT}/nope") { runId } }` },
          { next: (v) => resolve(v), error: (e) => resolve(e), complete: () => resolve('complete') },
        );
      });
      expect(Array.isArray(errors)).toBe(true);
      expect((errors as { extensions?: { code?: string } }[]).map((e) => e.extensions?.code)).toEqual(['UNAUTHENTICATED']);
      expect(proxy.log).toHaveLength(0);
    } finally {
      await client.dispose();
    }
  });
});

describe('secrets in what W&B says', () => {
  const quoted = () =>
    `permission denied: API key ${CALLER_KEY} (Authorization: ${basic(CALLER_KEY)}); service api:${SERVICE_KEY} Bearer ${SERVICE_KEY} ${Buffer.from(`api:${SERVICE_KEY}`).toString('base64')}`;

  it.each([
    ['the caller\'s key', basic(CALLER_KEY)],
    ['the service key', null],
  ])('an upstream error quoting %s reaches neither the response nor the log', async (_, authorization) => {
    proxy.inject({ kind: 'graphqlError', message: quoted() }, 5);
    const answer = await gql(runsQuery(2), {}, authorization);
    expect(answer.status).toBe(200);
    expect(codes(answer)).toEqual(['FORBIDDEN']);
    expect(answer.body.errors![0].message).toMatch(/Redacted/);
    expectNoSecret(answer.text);
    expectNoSecret(logs.join('\n'));
  });

  it('a field error quoting keys is scrubbed in a partial answer too', async () => {
    proxy.inject({ kind: 'rewrite', transform: () => ({ data: null, errors: [{ message: quoted(), path: ['p0'] }] }) }, 1, 'RunsByName');
    const page = await gql(runsQuery(1, 'path'));
    const path = page.body.data.runs.nodes[0].path;
    proxy.clear();
    proxy.inject({ kind: 'rewrite', transform: () => ({ data: { p0: null }, errors: [{ message: quoted(), path: ['p0', 'r0'] }] }) }, 1, 'RunLookup');
    const answer = await gql(`{ run(path: "${path}") { runId } }`);
    expect(answer.status).toBe(200);
    expectNoSecret(answer.text);
  });
});

describe('connections', () => {
  it('idle connections beyond MAX_CONNECTIONS are closed as they come; the server answers again once they go', async () => {
    const small = await startSubgraph({ wandbBaseUrl: proxy.url, appUrl: 'https://wandb.example.com', serviceKey: SERVICE_KEY, maxConnections: 16, log: () => {} });
    const { port } = new URL(small.url);
    const sockets = await Promise.all(
      Array.from({ length: 40 }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
        const socket = connect(Number(port), '127.0.0.1', () => resolve(socket));
        socket.on('error', () => {});
      })),
    );
    try {
      // Connections over the cap are accepted by the kernel, then closed by the server.
      await new Promise((r) => setTimeout(r, 300));
      const open = await new Promise<number>((resolve) => small.server.getConnections((_e, n) => resolve(n)));
      expect(open).toBeLessThanOrEqual(16);
      expect(sockets.filter((s) => s.destroyed || s.readableEnded).length).toBeGreaterThanOrEqual(40 - 16);
    } finally {
      for (const s of sockets) s.destroy();
    }
    await new Promise((r) => setTimeout(r, 100));
    const res = await fetch(small.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' });
    expect(res.status).toBe(200);
    await small.close();
  });
});

describe('request ids', () => {
  it('an x-request-id that looks like a key is not echoed: a new id is given', async () => {
    const res = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': SERVICE_KEY }, body: '{"query":"{ __typename }"}' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).not.toBe(SERVICE_KEY);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const plain = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'trace-42.a' }, body: '{"query":"{ __typename }"}' });
    expect(plain.headers.get('x-request-id')).toBe('trace-42.a');
  });
});

describe('DNS rebinding', () => {
  /** A raw POST with a chosen Host header (fetch sets its own). */
  const postWithHost = (host: string, body: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(subgraph.url, { method: 'POST', headers: { host, origin: `http://${host}`, 'content-type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      req.end(body);
    });

  it('a request for another Host name is refused (403), before anything runs with the service key', async () => {
    const port = new URL(subgraph.url).port;
    const path = (await gql(runsQuery(1, 'path'))).body.data.runs.nodes[0].path;
    const mutation = JSON.stringify({ query: `mutation { updateRun(input: { path: "${path}", notes: "via rebinding" }) { run { notes } } }` });
    const refused = await postWithHost(`attacker.example:${port}`, mutation);
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.text).errors[0].extensions.code).toBe('FORBIDDEN');
    expect((await gql(`{ run(path: "${path}") { notes } }`)).body.data.run.notes).not.toBe('via rebinding');
    // Loopback names are this server's own.
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) expect((await postWithHost(host, JSON.stringify({ query: '{ __typename }' }))).status).toBe(200);
  });

  it('a WebSocket upgrade for another Host name is refused (403)', async () => {
    const port = new URL(subgraph.url).port;
    const status = await new Promise<number>((resolve) => {
      const ws = new WebSocket(subgraph.url.replace('http', 'ws'), 'graphql-transport-ws', { headers: { host: `attacker.example:${port}`, origin: `http://attacker.example:${port}` } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => (ws.close(), resolve(101)));
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
  });
});

describe('keys in W&B\'s data', () => {
  it('a key written with JSON escapes in a summary, a config or a history row never reaches the response, whole or by keys', async () => {
    // The first character of each key as a \u escape: the text does not hold the key, its parsed value does.
    const escaped = (key: string) => `\\u${key.charCodeAt(0).toString(16).padStart(4, '0')}${key.slice(1)}`;
    const db = emulator.db;
    const run = db.prepare(`SELECT r.id, r.name, r.last_step FROM runs r JOIN projects p ON p.id = r.project_id JOIN entities e ON e.id = p.entity_id WHERE e.name = ? AND p.name = ? ORDER BY r.id LIMIT 1`).get(TEAM, PROJECT) as { id: number; name: string; last_step: number | null };
    // And in base64 without its padding, and in hex.
    const b64 = Buffer.from(SERVICE_KEY).toString('base64').replace(/=+$/, '');
    const hex = Buffer.from(CALLER_KEY).toString('hex');
    updateRun(db, run.id, { summary: `{"note":"${escaped(SERVICE_KEY)}","mine":"${escaped(CALLER_KEY)}","b64":"${b64}","hex":"${hex}","ok":1}`, config: `{"token":{"value":"${escaped(SERVICE_KEY)}","desc":null}}` }, '2026-11-30T00:00:00Z');
    const step = (run.last_step ?? -1) + 1;
    appendHistory(db, run.id, [`{"_step":${step},"note":"${escaped(CALLER_KEY)}","x":1}`]);
    const path = `${TEAM}/${PROJECT}/${run.name}`;
    const answer = await gql(`{ run(path: "${path}") { summary config keyed: summary(keys: ["note", "mine"]) history(first: 1, minStep: ${step}) { edges { node { values } } } } runs(entity: "${TEAM}", project: "${PROJECT}", first: 50) { nodes { summary config } } }`);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.run.summary.ok).toBe(1);
    expect(answer.body.data.run.history.edges).toHaveLength(1);
    expectNoSecret(answer.text);
    // Parsed, as a client reads it: the escapes are gone, and so are the keys.
    expectNoSecret(JSON.stringify(answer.body));
    expect(answer.text).not.toContain(b64);
    expect(answer.text).not.toContain(hex);
  });
});

describe('caller mistakes Apollo knows are coded, never masked', () => {
  it.each([
    ['a subscription sent over HTTP', { query: `subscription { runUpdated(path: "${TEAM}/${PROJECT}/nope") { runId } }` }],
    ['a persisted query of an unknown version', { extensions: { persistedQuery: { version: 2, sha256Hash: 'a'.repeat(64) } } }],
    ['a persisted query whose hash does not match', { query: '{ __typename }', extensions: { persistedQuery: { version: 1, sha256Hash: 'a'.repeat(64) } } }],
  ])('%s: BAD_REQUEST (400), and no "masked error" in the log', async (_, body) => {
    const before = logs.length;
    const answer = await post(JSON.stringify(body), { authorization: basic(CALLER_KEY) });
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['BAD_REQUEST']);
    expect(logs.slice(before).join('\n')).not.toContain('masked error');
  });

  it('an operation name with a key glued to it is scrubbed before it is cut for the log', async () => {
    const before = logs.length;
    await post(JSON.stringify({ query: '{ __typename }', operationName: `${'A'.repeat(170)}${SERVICE_KEY}` }), { authorization: basic(CALLER_KEY) });
    await new Promise((r) => setTimeout(r, 50));
    const written = logs.slice(before).join('\n');
    expect(written).toContain('AAAA');
    expect(written).not.toContain(SERVICE_KEY.slice(0, 16));
  });
});

describe('documents', () => {
  it('10,000 nested fragment spreads: refused with a coded 400, never a 500', async () => {
    const n = 10_000;
    const parts = ['query Q { ...F0 }'];
    for (let i = 0; i < n; i++) parts.push(`fragment F${i} on Query { ${i + 1 < n ? `...F${i + 1}` : '__typename'} }`);
    const { result: answer, growthMb } = await peakGrowth(() => post(JSON.stringify({ query: parts.join('\n') })));
    figures.nestedFragments = `${answer.status} ${codes(answer).join(',')} +${growthMb.toFixed(0)} MB`;
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['GRAPHQL_PARSE_FAILED']);
    expect(growthMb).toBeLessThan(64);
  });

  it.each([
    ['__schema { types { name } }', 3000],
    ['_service { sdl }', 3000],
    ['__schema { types { name } }', 60],
    ['_service { sdl }', 60],
    ['__type(name: "Run") { name }', 500],
  ])('%s aliased %d times: refused before running, quickly and without memory', async (selection, n) => {
    const query = `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${selection}`).join(' ')} }`;
    const started = performance.now();
    const slow = peakGrowth(() => post(JSON.stringify({ query })));
    // A concurrent trivial query is not held up.
    const t0 = performance.now();
    const light = await post(JSON.stringify({ query: '{ __typename }' }));
    const lightMs = performance.now() - t0;
    const { result: answer, growthMb } = await slow;
    const ms = performance.now() - started;
    figures[`aliases ${selection} ×${n}`] = `${answer.status} ${answer.text.length} B, +${growthMb.toFixed(0)} MB, ${ms.toFixed(0)} ms; {__typename} ${lightMs.toFixed(0)} ms`;
    expect(answer.status).toBe(400);
    expect(codes(answer).every((c) => ['BAD_USER_INPUT', 'GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED'].includes(c))).toBe(true);
    expect(answer.text.length).toBeLessThan(100_000);
    expect(growthMb).toBeLessThan(64);
    expect(light.status).toBe(200);
    expect(lightMs).toBeLessThan(1000);
  });

  it('directives and fragments are bounded per operation', async () => {
    const directives = await post(JSON.stringify({ query: `{ ${Array.from({ length: 200 }, () => '__typename @include(if: true)').join(' ')} }` }));
    expect(directives.status).toBe(400);
    expect(directives.body.errors!.some((e) => /directives/i.test(e.message))).toBe(true);
    const fragments = await post(JSON.stringify({ query: `{ ...F0 } ${Array.from({ length: 300 }, (_, i) => `fragment F${i} on Query { __typename }`).join(' ')}` }));
    expect(fragments.status).toBe(400);
  });

  it('a legitimate introspection query still passes (demo: introspection on)', async () => {
    const answer = await post(JSON.stringify({ query: '{ __schema { queryType { name } } _service { sdl } }' }));
    expect(answer.status).toBe(200);
    expect(answer.body.data.__schema.queryType.name).toBe('Query');
  });
});

describe('list arguments', () => {
  it('100,000 keys on a 100-run page: refused before anything is sent to W&B', async () => {
    const keys = Array.from({ length: 100_000 }, (_, i) => `k${i}`);
    const query = `query($keys: [String!]) { runs(entity: "${TEAM}", project: "${PROJECT}", first: 100) { nodes { summary(keys: $keys) } } }`;
    const { result: answer, growthMb } = await peakGrowth(() => gql(query, { keys }));
    figures.keys100k = `${answer.status} ${codes(answer).join(',')}, +${growthMb.toFixed(0)} MB, ${proxy.log.reduce((n, l) => n + l.body.length, 0)} B upstream`;
    expect(answer.status).toBe(400);
    expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(proxy.log).toHaveLength(0);
    expect(growthMb).toBeLessThan(64);
  });

  it('lists inside a mutation\'s input are limited too, as a variable or written in the document', async () => {
    const path = (await gql(runsQuery(1, 'path'))).body.data.runs.nodes[0].path;
    const before = (await gql(`{ run(path: "${path}") { tags } }`)).body.data.run.tags;
    const tags = Array.from({ length: 50_000 }, (_, i) => `t${i}`);
    const asVariable = await gql('mutation U($input: UpdateRunInput!) { updateRun(input: $input) { run { tags } } }', { input: { path, tags } });
    expect(asVariable.status).toBe(400);
    expect(codes(asVariable)).toEqual(['BAD_USER_INPUT']);
    expect(asVariable.body.errors![0].message).toMatch(/input\.tags of updateRun has 50000 items/);
    const written = await gql(`mutation { updateRun(input: { path: "${path}", tags: [${tags.slice(0, 1500).map((t) => `"${t}"`).join(',')}] }) { run { tags } } }`);
    expect(codes(written)).toEqual(['BAD_USER_INPUT']);
    const inVariableObject = await gql(`mutation U($t: [String!]) { updateRun(input: { path: "${path}", tags: $t }) { run { tags } } }`, { t: tags });
    expect(codes(inVariableObject)).toEqual(['BAD_USER_INPUT']);
    expect((await gql(`{ run(path: "${path}") { tags } }`)).body.data.run.tags).toEqual(before);
  });

  it('lists in input objects inside lists are limited too (where.config[].in)', async () => {
    const values = Array.from({ length: 5_000 }, (_, i) => i);
    const answer = await gql(`query R($w: RunWhere) { runs(entity: "${TEAM}", project: "${PROJECT}", first: 1, where: $w) { totalCount } }`, { w: { config: [{ key: 'lr', in: values }] } });
    expect(codes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(answer.body.errors![0].message).toMatch(/where\.config\[\]\.in of runs has 5000 items/);
    expect(proxy.log).toHaveLength(0);
  });

  it('keys that are too long, or written in the document, are refused too', async () => {
    const long = await gql(`query($keys: [String!]) { runs(entity: "${TEAM}", project: "${PROJECT}", first: 1) { nodes { config(keys: $keys) } } }`, { keys: ['x'.repeat(5000)] });
    expect(long.status).toBe(400);
    const literal = await gql(`{ runs(entity: "${TEAM}", project: "${PROJECT}", first: 1) { nodes { config(keys: [${Array.from({ length: 1500 }, (_, i) => `"k${i}"`).join(',')}]) } } }`);
    expect(literal.status).toBe(400);
    expect(proxy.log).toHaveLength(0);
  });

  it('many keys on a large page cost more than the limit', async () => {
    const keys = Array.from({ length: 500 }, (_, i) => `k${i}`);
    const answer = await gql(`query($keys: [String!]) { runs(entity: "${TEAM}", project: "${PROJECT}", first: 100) { nodes { summary(keys: $keys) config(keys: $keys) } } }`, { keys });
    expect(answer.status).toBe(400);
    expect(answer.body.errors![0].message).toMatch(/cost/);
    expect(proxy.log).toHaveLength(0);
  });
});

describe('WebSocket messages', () => {
  /** The first answer to one operation sent over a fresh graphql-ws socket (next value, or errors). */
  const overSocket = async (query: string, variables: Record<string, unknown> = {}): Promise<unknown> => {
    const client = createClient({ url: subgraph.url.replace('http', 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: basic(CALLER_KEY) }, retryAttempts: 0, lazy: true });
    try {
      return await new Promise<unknown>((resolve) => {
        client.subscribe({ query, variables }, { next: (v) => resolve(v), error: (e) => resolve(e), complete: () => resolve('complete') });
      });
    } finally {
      await client.dispose();
    }
  };
  const errorCodes = (answer: unknown) => (Array.isArray(answer) ? answer.map((e: { extensions?: { code?: string } }) => e.extensions?.code) : answer);

  it('a page of another origin cannot open a socket (403); a socket without Origin (a gateway) can', async () => {
    const status = await new Promise<number | string>((resolve) => {
      const ws = new WebSocket(subgraph.url.replace('http', 'ws'), 'graphql-transport-ws', { headers: { origin: 'https://evil.example' } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve('open'));
      ws.on('error', () => {});
    });
    expect(status).toBe(403);
  });

  it('queries and mutations are refused over a socket (BAD_REQUEST): they go over HTTP, and nothing changes', async () => {
    const path = (await gql(runsQuery(1, 'path'))).body.data.runs.nodes[0].path;
    const before = (await gql(`{ run(path: "${path}") { notes } }`)).body.data.run.notes;
    expect(errorCodes(await overSocket(`mutation { updateRun(input: { path: "${path}", notes: "over a socket" }) { run { notes } } }`))).toEqual(['BAD_REQUEST']);
    expect(errorCodes(await overSocket('{ __typename }'))).toEqual(['BAD_REQUEST']);
    expect((await gql(`{ run(path: "${path}") { notes } }`)).body.data.run.notes).toBe(before);
  });

  it('a subscription\'s list arguments and cost are limited with its variables, as on HTTP', async () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `k${i}`);
    const answer = await overSocket(`subscription ($k: [String!]) { runUpdated(path: "${TEAM}/${PROJECT}/nope") { config(keys: $k) } }`, { k: keys });
    expect(errorCodes(answer)).toEqual(['BAD_USER_INPUT']);
    expect(proxy.log).toHaveLength(0);
  });

  it('a client that floods operations without reading is closed (1008), at bounded memory', async () => {
    const { result: code, growthMb } = await peakGrowth(
      () =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(subgraph.url.replace('http', 'ws'), 'graphql-transport-ws');
          ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: basic(CALLER_KEY) } })));
          ws.once('message', () => {
            // Acknowledged: stop reading while sending, so that the refusals pile up on the server's side.
            const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
            socket.pause();
            for (let i = 0; i < 20_000; i++) ws.send(JSON.stringify({ id: String(i), type: 'subscribe', payload: { query: '{ __typename }' } }));
            setTimeout(() => socket.resume(), 2_000);
          });
          ws.on('close', (c) => resolve(c));
          ws.on('error', () => {});
          setTimeout(() => (ws.terminate(), resolve(-1)), 15_000);
        }),
    );
    figures.wsFlood = `closed ${code}, +${growthMb.toFixed(0)} MB`;
    expect(code).toBe(1008);
    expect(growthMb).toBeLessThan(64);
    expect((await post(JSON.stringify({ query: '{ __typename }' }))).status).toBe(200);
  });

  // 150 messages a second (the flood guard allows 200), each answered with about 60,000 characters: an error that quotes
  // the operation's field, or graphql-ws's pong, which repeats its ping's payload. About 9 MB/s that the client leaves
  // unread: once the kernel's buffers are full, answers wait in the process.
  const name = `f${'x'.repeat(60_000)}`;
  it.each([['operations', () => ({ type: 'subscribe', payload: { query: `subscription { ${name} }` } })]])(
    'a client that sends %s within the rate but never reads is closed once a message\'s worth of answers waits unread',
    async (kind, message) => {
    const { result, growthMb } = await peakGrowth(
      () =>
        new Promise<{ code: number; sent: number; answered: number }>((resolve) => {
          const ws = new WebSocket(subgraph.url.replace('http', 'ws'), 'graphql-transport-ws');
          let sent = 0;
          let answered = -1; // the acknowledgement is not an answer
          let pacer: NodeJS.Timeout | undefined;
          ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: basic(CALLER_KEY) } })));
          ws.on('message', () => {
            answered++;
            if (pacer) return;
            const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
            socket.pause();
            pacer = setInterval(() => {
              for (let i = 0; i < 15 && ws.readyState === ws.OPEN; i++) ws.send(JSON.stringify({ id: String(sent++), ...message() }));
            }, 100);
            // Reading again after 8 s: a socket still open then was never closed by the server.
            setTimeout(() => (clearInterval(pacer), socket.resume()), 8_000);
          });
          ws.on('close', (code) => (clearInterval(pacer), resolve({ code, sent, answered })));
          ws.on('error', () => {});
          setTimeout(() => (ws.terminate(), resolve({ code: -1, sent, answered })), 20_000);
        }),
    );
    figures[`wsUnread ${kind}`] = `closed ${result.code} after ${result.sent} messages (${result.answered} answers read), +${growthMb.toFixed(0)} MB`;
    // The close frame waits behind the unread answers, so the client may see the connection cut (1006) rather than 1008.
    expect([1006, 1008]).toContain(result.code);
    expect(result.answered).toBeLessThan(result.sent);
    // About 15 MB of answers went out before the kernel's buffers filled; their texts are garbage until the GC runs (38-55 MB seen).
    expect(growthMb).toBeLessThan(96);
    // Answers that could not be written to the cut socket are not the server's failures.
    expect(logs.filter((line) => line.includes('WebSocket message failed'))).toEqual([]);
    expect((await post(JSON.stringify({ query: '{ __typename }' }))).status).toBe(200);
    },
  );

  it('a graphql-ws ping is answered with a pong without its payload: a large ping costs no large answer', async () => {
    const pongs = await new Promise<string[]>((resolve) => {
      const ws = new WebSocket(subgraph.url.replace('http', 'ws'), 'graphql-transport-ws');
      const got: string[] = [];
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: basic(CALLER_KEY) } })));
      ws.on('message', (data) => {
        const text = String(data);
        if (text.includes('connection_ack')) for (let i = 0; i < 20; i++) ws.send(JSON.stringify({ type: 'ping', payload: { pad: name } }));
        else got.push(text);
        if (got.length === 20) {
          ws.close();
          resolve(got);
        }
      });
      ws.on('error', () => {});
      setTimeout(() => (ws.terminate(), resolve(got)), 10_000);
    });
    expect(pongs).toHaveLength(20);
    for (const p of pongs) expect(JSON.parse(p)).toEqual({ type: 'pong' });
  });

  it('a client that floods WebSocket ping frames without reading is closed (1008)', async () => {
    const code = await new Promise<number>((resolve) => {
      const ws = new WebSocket(subgraph.url.replace('http', 'ws'), 'graphql-transport-ws');
      ws.on('open', () => {
        (ws as unknown as { _socket: { pause(): void } })._socket.pause();
        for (let i = 0; i < 5_000 && ws.readyState === ws.OPEN; i++) ws.ping('x'.repeat(120));
        setTimeout(() => (ws as unknown as { _socket: { resume(): void } })._socket.resume(), 1_000);
      });
      ws.on('close', (c) => resolve(c));
      ws.on('error', () => {});
      setTimeout(() => (ws.terminate(), resolve(-1)), 10_000);
    });
    expect([1006, 1008]).toContain(code);
  });

  it('a message larger than the HTTP body cap closes the socket (1009) and costs no memory', async () => {
    const message = Buffer.from(JSON.stringify({ type: 'connection_init', payload: { pad: 'x'.repeat(8 * MB) } }));
    const { result: code, growthMb } = await peakGrowth(
      () =>
        new Promise<number>((resolve) => {
          const ws = new WebSocket(subgraph.url.replace('http', 'ws'), 'graphql-transport-ws');
          ws.on('open', () => ws.send(message));
          ws.on('close', (c) => resolve(c));
          ws.on('error', () => {});
        }),
    );
    figures.wsMessage8MB = `closed ${code}, +${growthMb.toFixed(0)} MB`;
    expect(code).toBe(1009);
    expect(growthMb).toBeLessThan(64);
    expect((await post(JSON.stringify({ query: '{ __typename }' }))).status).toBe(200);
  });
});

describe('upstream size', () => {
  it.each([
    ['with content-length', true],
    ['streamed without content-length', false],
  ])('a 300 MB answer %s: UPSTREAM_UNAVAILABLE, not retried, memory bounded', async (_, declareLength) => {
    proxy.inject({ kind: 'huge', bytes: 300 * MB, declareLength }, 5);
    const started = performance.now();
    const { result: answer, growthMb } = await peakGrowth(() => gql(runsQuery(3)));
    figures[`upstream300MB ${declareLength ? 'length' : 'stream'}`] = `${codes(answer).join(',')}, +${growthMb.toFixed(0)} MB, ${(performance.now() - started).toFixed(0)} ms, ${proxy.log.length} attempts`;
    expect(answer.status).toBe(200);
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(proxy.log).toHaveLength(1);
    expect(growthMb).toBeLessThan(64);
  });
});

describe('upstream answers read at once', () => {
  it('answers each under the cap but together past four of them: the ones past it are UPSTREAM_UNAVAILABLE, memory bounded', async () => {
    // A process allowed 64 requests in flight, each answer up to 8 MB: at most 32 MB of answers read at once.
    const wide = await startWideSubgraph({ maxRetries: 0 });
    const count = 40;
    try {
      // 40 answers of 7 MB, each paused half way: 140 MB sent before any ends.
      proxy.inject({ kind: 'huge', bytes: 7 * MB, declareLength: false, pauseMs: 500 }, count);
      const send = (first: number) => gqlAt(wide.url, runsQuery(first));
      // Different pages: not coalesced into one read.
      const { result: answers, growthMb } = await peakGrowth(() => Promise.all(Array.from({ length: count }, (_, i) => send(i + 1))));
      const together = answers.filter((a) => a.body.errors?.some((e) => e.extensions?.code === 'UPSTREAM_UNAVAILABLE' && /being read at once/.test(e.message)));
      figures['answers read at once'] = `${together.length} of ${count} past the process's limit, +${growthMb.toFixed(0)} MB`;
      expect(answers.every((a) => a.status === 200)).toBe(true);
      // 4 answers fit whole (28 MB); the rest cannot all have been read.
      expect(together.length).toBeGreaterThanOrEqual(count / 2);
      // Every answer failed (a string of x's is not W&B's answer), none with an internal error.
      expect(answers.every((a) => a.body.errors?.every((e) => e.extensions?.code === 'UPSTREAM_UNAVAILABLE'))).toBe(true);
      // Measured: +255 MB with the limit (the answers read whole are still joined and parsed), +624 MB without it.
      expect(growthMb).toBeLessThan(400);
      // Every answer's bytes were given back: the next query is read as usual.
      const after = await send(2);
      expect(after.body.errors).toBeUndefined();
      expect(after.body.data).toBeDefined();
    } finally {
      await wide.close();
    }
  });
});

describe('upstream answers read at once, retried', () => {
  it('a read given up because the process read too much at once is sent again, and answered', async () => {
    const wide = await startWideSubgraph({ maxRetries: 1, baseDelayMs: 20, maxDelayMs: 50 });
    const count = 12;
    try {
      // 12 answers of 7 MB paused half way (42 MB at once, over the 32 MB sum): the ones given up go again, to W&B itself.
      proxy.inject({ kind: 'huge', bytes: 7 * MB, declareLength: false, pauseMs: 300 }, count);
      const send = (first: number) => gqlAt(wide.url, runsQuery(first));
      const answers = await Promise.all(Array.from({ length: count }, (_, i) => send(i + 1)));
      const answered = answers.filter((a) => a.body.errors === undefined && a.body.data?.runs);
      figures['answers read at once, retried'] = `${answered.length} of ${count} answered on a second attempt, ${proxy.log.length} upstream requests`;
      expect(answered.length).toBeGreaterThanOrEqual(1);
      // Each answered one took two requests: the answer given up, then W&B's.
      expect(proxy.log).toHaveLength(count + answered.length);
      // The others read their (bad) answer whole and failed its check, not a limit.
      expect(answers.every((a) => a.status === 200)).toBe(true);
    } finally {
      await wide.close();
    }
  });
});

describe('upstream trust', () => {
  const runOf = (name: string, entity: string, project: string) => encodeRunId({ entity, project, runId: name });

  it('runs of another entity or project than asked: the runs field is UPSTREAM_UNAVAILABLE', async () => {
    proxy.inject({
      kind: 'rewrite',
      transform: (b) => {
        const node = b.data.project.runs.edges[0].node;
        node.id = runOf(node.name, 'other', 'private-experiments');
        return b;
      },
    }, 1, 'RunsPage');
    const answer = await gql(runsQuery(3, 'runId'));
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(answer.body.data?.runs ?? null).toBeNull();
  });

  it('more nodes than `first`: UPSTREAM_UNAVAILABLE', async () => {
    proxy.inject({ kind: 'rewrite', transform: (b) => ((b.data.project.runs.edges = [...b.data.project.runs.edges, ...b.data.project.runs.edges]), b) }, 1, 'RunsPage');
    const answer = await gql(runsQuery(2, 'runId'));
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('a run whose id does not match the reference asked for: UPSTREAM_UNAVAILABLE', async () => {
    const page = await gql(runsQuery(2, 'path runId'));
    const [a] = page.body.data.runs.nodes;
    proxy.clear();
    proxy.inject({
      kind: 'rewrite',
      transform: (b) => {
        for (const run of Object.values(b.data.p0 ?? {}) as { id?: string }[]) if (run) run.id = runOf('someone-else', TEAM, PROJECT);
        return b;
      },
    }, 1, 'RunLookup');
    const answer = await gql(`{ run(path: "${a.path}") { runId } }`);
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(answer.body.data?.run ?? null).toBeNull();
  });

  it('history rows outside the window, or more rows than samples: UPSTREAM_UNAVAILABLE', async () => {
    const page = await gql(runsQuery(1, 'path'));
    const path = page.body.data.runs.nodes[0].path;
    proxy.clear();
    // Rows moved far beyond the window asked for.
    // Runs sit at <alias>.run (calls on runs) or <alias>.r<j> (lookups).
    const runsIn = (b: any): any[] => Object.values(b.data ?? {}).flatMap((p: any) => (p?.run ? [p.run] : Object.values(p ?? {}).filter((r) => r && typeof r === 'object')));
    const shift = (b: any) => {
      for (const run of runsIn(b)) {
        for (const [k, v] of Object.entries(run ?? {})) {
          if (Array.isArray(v) && typeof v[0] === 'string') run[k] = v.map((t: string) => JSON.stringify({ ...JSON.parse(t), _step: 10_000_000 }));
        }
      }
      return b;
    };
    proxy.inject({ kind: 'rewrite', transform: shift }, 3, 'history(');
    const outside = await gql(`{ run(path: "${path}") { history(first: 5) { edges { node { step } } } } }`);
    expect(codes(outside)).toContain('UPSTREAM_UNAVAILABLE');
    proxy.clear();
    const pad = (b: any) => {
      for (const run of runsIn(b)) {
        for (const [k, v] of Object.entries(run ?? {})) if (Array.isArray(v) && Array.isArray(v[0])) run[k] = v.map((rows: unknown[]) => [...rows, ...rows, ...rows, ...rows]);
      }
      return b;
    };
    proxy.inject({ kind: 'rewrite', transform: pad }, 3, 'sampledHistory');
    const more = await gql(`{ run(path: "${path}") { sampledHistory(keys: ["train/loss"], samples: 3) } }`);
    expect(codes(more)).toContain('UPSTREAM_UNAVAILABLE');
  });
});

describe('answers that would read as "nothing" fail instead', () => {
  /** The runs of a lookup answer (p<i>.r<j>) or of a runs page. */
  const runsOf = (b: any): any[] =>
    b.data?.project?.runs ? b.data.project.runs.edges.map((e: any) => e.node) : Object.values(b.data ?? {}).flatMap((p: any) => Object.values(p ?? {}).filter((r) => r && typeof r === 'object'));
  let path: string;
  beforeAll(async () => {
    path = (await gql(runsQuery(1, 'path'))).body.data.runs.nodes[0].path;
  });

  it.each([
    ['a run whose id is null (non-null in W&B\'s schema)', (b: any) => (runsOf(b).forEach((r) => (r.id = null)), b)],
    ['a run without its name', (b: any) => (runsOf(b).forEach((r) => delete r.name), b)],
    ['data that lacks the field asked for', () => ({ data: {} })],
    ['no data and no errors', () => ({ data: null })],
    ['a createdAt that is not a date and time', (b: any) => (runsOf(b).forEach((r) => (r.createdAt = { a: 1 })), b)],
  ])('run(path): %s is UPSTREAM_UNAVAILABLE, never "not found"', async (_, transform) => {
    proxy.inject({ kind: 'rewrite', transform }, 1, 'RunLookup');
    const answer = await gql(`{ run(path: "${path}") { runId createdAt } }`);
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(answer.status).toBe(200);
  });

  it.each([
    ['a run whose id is null', (b: any) => ((b.data.project.runs.edges[1].node.id = null), b)],
    ['no runs on a project that exists', (b: any) => ((b.data.project.runs = null), b)],
    ['a negative count', (b: any) => ((b.data.project.runCount = -5), b)],
    ['a count below the runs sent', (b: any) => ((b.data.project.runCount = 1), b)],
    ['an empty page that says more follow', (b: any) => ((b.data.project.runs.edges = []), (b.data.project.runs.pageInfo.hasNextPage = true), b)],
  ])('runs: %s is UPSTREAM_UNAVAILABLE, never an empty or short page', async (_, transform) => {
    proxy.inject({ kind: 'rewrite', transform }, 1, 'RunsPage');
    const answer = await gql(`{ runs(entity: "${TEAM}", project: "${PROJECT}", first: 3) { totalCount nodes { runId } } }`);
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });

  it('history rows out of step order, or a step twice: UPSTREAM_UNAVAILABLE', async () => {
    const rewrite = (change: (rows: string[]) => string[]) => (b: any) => {
      for (const run of runsOf(b)) for (const [k, v] of Object.entries(run)) if (Array.isArray(v) && typeof v[0] === 'string') run[k] = change(v as string[]);
      return b;
    };
    for (const change of [(rows: string[]) => [...rows].reverse(), (rows: string[]) => [rows[0], rows[0], ...rows.slice(2)]]) {
      proxy.inject({ kind: 'rewrite', transform: rewrite(change) }, 3, 'history(');
      const answer = await gql(`{ run(path: "${path}") { history(first: 5) { edges { node { step } } } } }`);
      expect(codes(answer)).toContain('UPSTREAM_UNAVAILABLE');
      proxy.clear();
    }
  });

  it.each([2.5, -5, '56', 1e300])('a lastStep of %p fails lastStep and history with UPSTREAM_UNAVAILABLE, never an empty history', async (lastStep) => {
    proxy.inject({ kind: 'rewrite', transform: (b: any) => (runsOf(b).forEach((r) => r.historyKeys && (r.historyKeys.lastStep = lastStep)), b) }, 3, 'historyKeys');
    const answer = await gql(`{ run(path: "${path}") { lastStep history(first: 2) { edges { node { step } } } } }`);
    expect(codes(answer).length).toBeGreaterThan(0);
    expect(new Set(codes(answer))).toEqual(new Set(['UPSTREAM_UNAVAILABLE']));
  });

  it('updateRun: a run other than the one written is UPSTREAM_UNAVAILABLE', async () => {
    proxy.inject({ kind: 'rewrite', transform: (b: any) => ((b.data.upsertBucket.bucket.name = 'someone-else'), b) }, 1, 'upsertBucket');
    const answer = await gql(`mutation { updateRun(input: { path: "${path}", notes: "n" }) { run { path } } }`);
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
  });
});

describe('values W&B sends that the contract cannot hold', () => {
  const runIdOf = (name: string, entity: string, project: string) => encodeRunId({ entity, project, runId: name });
  /** A rewrite of W&B's answer calling `change` on every object of its data, outermost first. */
  const everyObject = (change: (o: any) => void) => (b: any) => {
    const visit = (v: any): void => {
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v === 'object') {
        change(v);
        Object.values(v).forEach(visit);
      }
    };
    visit(b.data);
    return b;
  };
  it('a config that is a list fails that run\'s config only (UPSTREAM_UNAVAILABLE); the page is served', async () => {
    proxy.inject({ kind: 'rewrite', transform: (b: any) => ((b.data.project.runs.edges[0].node.config = '[1,2]'), b) }, 1, 'RunsPage');
    const answer = await gql(runsQuery(2, 'runId config'));
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(answer.body.errors?.[0]?.path).toEqual(['runs', 'nodes', 0, 'config']);
    expect(answer.body.data.runs.nodes[1].runId).toEqual(expect.any(String));
  });

  it('a summary or a history row holding 1e400 fails with UPSTREAM_UNAVAILABLE, never passed on as text', async () => {
    proxy.inject({ kind: 'rewrite', transform: (b: any) => ((b.data.project.runs.edges[0].node.summaryMetrics = '{"loss":1e400}'), b) }, 1, 'RunsPage');
    const page = await gql(runsQuery(2, 'runId summary'));
    expect(codes(page)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(page.body.errors?.[0]?.path).toEqual(['runs', 'nodes', 0, 'summary']);
    expect(page.text).not.toContain('1e400');
    const path = (await gql(runsQuery(1, 'path'))).body.data.runs.nodes[0].path;
    const rows = everyObject((o) => {
      for (const [k, x] of Object.entries(o)) if (Array.isArray(x) && typeof x[0] === 'string' && x[0].startsWith('{')) o[k] = x.map((t: string) => t.replace(/}$/, ',"big":1e400}'));
    });
    proxy.inject({ kind: 'rewrite', transform: rows }, 3, 'history(');
    const history = await gql(`{ run(path: "${path}") { history(first: 3) { edges { node { step values } } } } }`);
    expect(codes(history)).toContain('UPSTREAM_UNAVAILABLE');
    expect(history.text).not.toContain('1e400');
  });

  it('a file URL that is not http(s) is UPSTREAM_UNAVAILABLE, never passed to a frontend', async () => {
    const path = (await gql(runsQuery(1, 'path'))).body.data.runs.nodes[0].path;
    const urls = everyObject((o) => {
      if (typeof o.url === 'string') o.url = 'javascript:alert(1)';
    });
    proxy.inject({ kind: 'rewrite', transform: urls }, 3, 'files');
    const answer = await gql(`{ run(path: "${path}") { files(first: 2) { edges { node { name url } } } } }`);
    expect(codes(answer)).toContain('UPSTREAM_UNAVAILABLE');
    expect(answer.text).not.toContain('javascript:');
  });

  it.each([
    ['an id that is not an artifact id (a run id)', (a: any) => (a.id = runIdOf('x', TEAM, PROJECT))],
    ['metadata that is a list', (a: any) => (a.metadata = '[1]')],
  ])('an artifact with %s is UPSTREAM_UNAVAILABLE', async (_, change) => {
    const path = (await gql(runsQuery(1, 'path'))).body.data.runs.nodes[0].path;
    const artifacts = everyObject((o) => {
      if ('versionIndex' in o) change(o);
    });
    proxy.inject({ kind: 'rewrite', transform: artifacts }, 3, 'outputArtifacts');
    const answer = await gql(`{ run(path: "${path}") { loggedArtifacts(first: 2) { edges { node { id metadata } } } } }`);
    expect(codes(answer)).toContain('UPSTREAM_UNAVAILABLE');
    expect(answer.text).not.toContain(runIdOf('x', TEAM, PROJECT));
  });

  it('a Retry-After of 11 days is told as at most 10 minutes', async () => {
    proxy.inject({ kind: 'status', status: 429, retryAfter: '999999' }, 10);
    const answer = await gql(runsQuery(1));
    expect(codes(answer)).toEqual(['RATE_LIMITED']);
    expect((answer.body.errors?.[0]?.extensions as { retryAfter?: number }).retryAfter).toBeLessThanOrEqual(600);
  });
});

describe('deep JSON and unknown states fail alone', () => {
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

  it('a summary nested 5,000 levels deep fails that run\'s summary only; the page is served', async () => {
    proxy.inject({ kind: 'rewrite', transform: (b) => ((b.data.project.runs.edges[1].node.summaryMetrics = deep(5000)), b) }, 1, 'RunsPage');
    const answer = await gql(runsQuery(4, 'runId summary'));
    figures.deepSummary = `${answer.status} ${codes(answer).join(',')}`;
    expect(answer.status).toBe(200);
    expect(answer.body.data.runs.nodes).toHaveLength(4);
    expect(codes(answer)).toEqual(['UPSTREAM_UNAVAILABLE']);
    expect(answer.body.errors![0].path).toEqual(['runs', 'nodes', 1, 'summary']);
    expect(Object.keys(answer.body.data.runs.nodes[0].summary).length).toBeGreaterThan(0);
  });

  it.each(['config', 'systemMetrics'])('a deep %s fails alone too', async (field) => {
    const upstreamField = field === 'config' ? 'config' : 'systemMetrics';
    proxy.inject({ kind: 'rewrite', transform: (b) => ((b.data.project.runs.edges[0].node[upstreamField] = deep(3000)), b) }, 1, 'RunsPage');
    const answer = await gql(runsQuery(2, `runId ${field}`));
    expect(answer.status).toBe(200);
    expect(answer.body.data.runs.nodes).toHaveLength(2);
    expect(answer.body.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['UPSTREAM_UNAVAILABLE', `runs.nodes.0.${field}`]]);
  });

  it.each(['zombie', 'constructor', '__proto__'])('an unknown run state (%s) fails that run\'s state only (UNKNOWN + an error at its path)', async (unknown) => {
    proxy.inject({ kind: 'rewrite', transform: (b) => ((b.data.project.runs.edges[2].node.state = unknown), b) }, 1, 'RunsPage');
    const answer = await gql(runsQuery(4, 'runId state'));
    expect(answer.status).toBe(200);
    const states = answer.body.data.runs.nodes.map((n: any) => n.state);
    expect(states[2]).toBe('UNKNOWN');
    expect(states.filter((s: string) => s !== 'UNKNOWN')).toHaveLength(3);
    expect(answer.body.errors?.map((e) => [e.extensions?.code, e.path?.join('.')])).toEqual([['UPSTREAM_UNAVAILABLE', 'runs.nodes.2.state']]);
  });
});

describe('read-ahead cache', () => {
  it('is bounded by bytes: an entry over the bound is dropped, pending or not', async () => {
    const cache = createReadAheadCache({ ttlMs: 60_000, maxBytes: 10_000 });
    cache.set('small', 'x'.repeat(100), 102);
    cache.set('huge', 'x'.repeat(20_000), 20_002);
    expect(cache.get('huge')).toBeUndefined();
    expect(cache.get('small')).toBeDefined();
    for (let i = 0; i < 50; i++) cache.set(`k${i}`, 'y'.repeat(1000), 1002);
    expect(cache.size.bytes).toBeLessThanOrEqual(10_000);
  });
});

describe('abandoned work', () => {
  it('clients that go away take their queued upstream requests with them', async () => {
    // Each upstream request is slow; the process sends at most 4 at once.
    proxy.inject({ kind: 'delay', ms: 1500 }, 1000);
    // 60 clients, each on its own connection, that go away once their requests are queued (4 in flight).
    const clients = Array.from({ length: 60 }, (_, i) => {
      const body = JSON.stringify({ query: runsQuery(1 + (i % 7), 'runId') });
      const req = httpRequest(subgraph.url, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: basic(CALLER_KEY) },
      });
      req.on('error', () => {});
      req.end(body);
      return req;
    });
    await new Promise((r) => setTimeout(r, 1000));
    for (const req of clients) req.destroy();
    await new Promise((r) => setTimeout(r, 50));
    // The next query, W&B still slow, waits for no abandoned request.
    const started = performance.now();
    const next = await gql(runsQuery(1, 'runId'));
    const waited = performance.now() - started;
    await new Promise((r) => setTimeout(r, 1000));
    const sent = proxy.log.length;
    figures.abandoned = `${sent} upstream requests for 60 aborted clients and 1 more; the next query waited ${waited.toFixed(0)} ms`;
    expect(next.status).toBe(200);
    expect(waited).toBeLessThan(3000);
    // At most the 4 in flight when the clients left, and the next query's own.
    expect(sent).toBeLessThanOrEqual(6);
    // A client going away is not an error of the server's.
    expect(logs.filter((l) => /"level":"error"/.test(l))).toEqual([]);
  });
});

describe('slow and odd clients', () => {
  it('a slowloris connection (headers never finished) is shed after headersTimeout', async () => {
    const { port } = new URL(subgraph.url);
    const started = performance.now();
    const closedAfter = await new Promise<number>((resolve) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.write('POST /graphql HTTP/1.1\r\nHost: localhost\r\n'));
      const drip = setInterval(() => socket.write('X-Slow: 1\r\n'), 200);
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', () => {
        clearInterval(drip);
        resolve(performance.now() - started);
      });
    });
    figures.slowloris = `closed after ${closedAfter.toFixed(0)} ms`;
    expect(closedAfter).toBeLessThan(5000);
  });

  it.each([
    ['a header line that is not one', 'GET /graphql HTTP/1.1\r\nHost: localhost\r\nno colon here\r\n\r\n', 400],
    ['two content-lengths', 'POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx', 400],
    ['headers of 20 KB', `GET /graphql HTTP/1.1\r\nHost: localhost\r\nX-Pad: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
  ])('%s is answered with a coded JSON error, logged', async (_, raw, status) => {
    const { port } = new URL(subgraph.url);
    const before = logs.length;
    const text = await new Promise<string>((resolve) => {
      let got = '';
      const socket = connect(Number(port), '127.0.0.1', () => socket.end(raw));
      socket.on('data', (c) => (got += c));
      socket.on('error', () => {});
      socket.on('close', () => resolve(got));
    });
    expect(text).toMatch(new RegExp(`^HTTP/1\\.1 ${status} `));
    const body = JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4));
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(logs.slice(before).some((l) => l.includes('refused by the HTTP parser') && l.includes(`"status":${status}`))).toBe(true);
  });

  it('an oversized body gets its 413 before the socket closes', async () => {
    const big = Buffer.alloc(3 * MB, 'a');
    for (const declared of [true, false]) {
      const answer = await new Promise<string>((resolve) => {
        const { port } = new URL(subgraph.url);
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${declared ? `Content-Length: ${big.length}` : 'Transfer-Encoding: chunked'}\r\n\r\n`);
          if (declared) socket.write(big);
          else {
            socket.write(`${big.length.toString(16)}\r\n`);
            socket.write(big);
            socket.write('\r\n0\r\n\r\n');
          }
        });
        let text = '';
        socket.on('data', (d) => (text += d.toString('latin1')));
        socket.on('error', () => resolve(text));
        socket.on('close', () => resolve(text));
      });
      expect(answer).toMatch(/^HTTP\/1\.1 413/);
    }
  });

  it('a POST with no content-type is answered 415', async () => {
    const res = await fetch(subgraph.url, { method: 'POST', body: new Uint8Array(Buffer.from('{"query":"{ __typename }"}')) });
    expect(res.status).toBe(415);
  });
});

describe('introspection in front of a real W&B', () => {
  it('is off by default when WANDB_BASE_URL is set, on for the demo, and INTROSPECTION decides', async () => {
    const { loadConfig } = await import('../../src/config.js');
    const { subgraphOptionsFrom } = await import('../../src/http/server.js');
    const { silentLogger } = await import('../../src/observability/logger.js');
    const upstream = (demo: boolean) => ({ wandbBaseUrl: proxy.url, serviceKey: null, demo });
    expect(subgraphOptionsFrom(loadConfig({ WANDB_BASE_URL: proxy.url }), upstream(false), silentLogger()).introspection).toBe(false);
    expect(subgraphOptionsFrom(loadConfig({}), upstream(true), silentLogger()).introspection).toBe(true);
    expect(subgraphOptionsFrom(loadConfig({ WANDB_BASE_URL: proxy.url, INTROSPECTION: 'true' }), upstream(false), silentLogger()).introspection).toBe(true);
    expect(() => loadConfig({ INTROSPECTION: 'maybe' })).toThrow(/INTROSPECTION/);

    const closed = await startSubgraph({ ...subgraphOptionsFrom(loadConfig({ WANDB_BASE_URL: proxy.url }), upstream(false), silentLogger()), port: 0 });
    try {
      const ask = async (query: string) => {
        const res = await fetch(closed.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
        return { status: res.status, body: (await res.json()) as Answer['body'] };
      };
      const schema = await ask('{ __schema { queryType { name } } }');
      expect(schema.status).toBe(400);
      expect(schema.body.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      // Federation still reads the SDL.
      const sdl = await ask('{ _service { sdl } }');
      expect(sdl.status).toBe(200);
      expect(sdl.body.data._service.sdl).toContain('type Run');
    } finally {
      await closed.close();
    }
  });
});
