/**
 * Operations: structured logs with request ids and no keys, Prometheus
 * metrics, liveness and readiness, graceful shutdown.
 */
import { createWandbApi } from '../../src/wandb/api.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GraphQLError } from 'graphql';
import { requestStatePlugin } from '../../src/graphql/plugins/requestState.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { startSubgraph } from '../../src/http/server.js';
import { createLoaders } from '../../src/loaders/index.js';
import { createLogger, scrub, silentLogger } from '../../src/observability/logger.js';
import { createMetrics } from '../../src/observability/metrics.js';
import type { UpstreamClient } from '../../src/wandb/client.js';
import { defaultPolicy } from '../../src/wandb/policy.js';
import { startStack, type Stack } from '../helpers/stack.js';

const basic = (key: string) => `Basic ${Buffer.from(`api:${key}`).toString('base64')}`;
const WRONG_KEY = 'f00dfeedf00dfeedf00dfeedf00dfeedf00dfeed';
const PAGE = 'query OpsPage($first: Int!) { runs(entity: "acme-ml", project: "image-classification", first: $first) { nodes { path } } }';
const NESTED = `query OpsNested { runs(entity: "acme-ml", project: "image-classification", first: 20) { nodes {
  path sampledHistory(keys: ["train/loss"]) files(first: 2) { edges { node { name } } } } } }`;

/** Every form in which a key could leak: itself, its Basic credentials, base64 of either. */
function keyForms(key: string): string[] {
  return [key, `api:${key}`, Buffer.from(`api:${key}`).toString('base64'), Buffer.from(key).toString('base64'), basic(key)];
}

/** Captures a logger's JSON lines. */
function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  return {
    logger,
    lines,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, any>),
    /** The request line for a request id; the line is written when the response finishes, so wait a little for it. */
    async request(id: string): Promise<Record<string, any>> {
      for (let i = 0; i < 100; i++) {
        const entry = lines.map((l) => JSON.parse(l) as Record<string, any>).find((e) => e.msg === 'request' && e.requestId === id);
        if (entry) return entry;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no request log line for ${id}`);
    },
  };
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: basic(DEMO_API_KEY), ...headers }, body: JSON.stringify(body) });
  return { res, json: (await res.json()) as { data?: any; errors?: { extensions?: { code?: string } }[] } };
}

describe('operations', () => {
  let stack: Stack;
  let logs: ReturnType<typeof capture>;
  let base: string;
  beforeAll(async () => {
    logs = capture();
    stack = await startStack({ subgraph: { logger: logs.logger } });
    base = stack.subgraph.url.replace(/\/graphql$/, '');
  });
  afterAll(() => stack.close());

  describe('structured logs', () => {
    it('logs each request once as JSON, with the request id sent back in x-request-id', async () => {
      const { res, json } = await post(stack.subgraph.url, { query: PAGE, variables: { first: 2 }, operationName: 'OpsPage' });
      expect(json.errors).toBeUndefined();
      const id = res.headers.get('x-request-id')!;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      const entry = await logs.request(id);
      expect(entry).toMatchObject({ level: 'info', method: 'POST', path: '/graphql', status: 200, operationName: 'OpsPage', operationType: 'query' });
      expect(typeof entry.durationMs).toBe('number');
      expect(typeof entry.time).toBe('string');
      expect(entry.errorCodes).toBeUndefined();
      expect(logs.entries().filter((e) => e.requestId === id && e.msg === 'request')).toHaveLength(1);
      // Every line is one JSON object.
      for (const line of logs.lines) expect(() => JSON.parse(line)).not.toThrow();
    });

    it('reuses a sane incoming x-request-id and replaces an unsafe one', async () => {
      const { res } = await post(stack.subgraph.url, { query: '{ __typename }' }, { 'x-request-id': 'edge-7f3a.42_b' });
      expect(res.headers.get('x-request-id')).toBe('edge-7f3a.42_b');
      expect((await logs.request('edge-7f3a.42_b')).status).toBe(200);

      for (const unsafe of ['has spaces in it', 'x'.repeat(129), 'quote"and{json}', 'a/b']) {
        const r = await post(stack.subgraph.url, { query: '{ __typename }' }, { 'x-request-id': unsafe });
        const id = r.res.headers.get('x-request-id')!;
        expect(id).not.toBe(unsafe);
        expect(id).toMatch(/^[0-9a-f-]{36}$/);
      }
      expect(logs.lines.some((l) => l.includes('has spaces in it') || l.includes('x'.repeat(129)))).toBe(false);
    });

    it('logs the error codes returned, and never a key, its base64 form or the Authorization header', async () => {
      const wrong = await post(stack.subgraph.url, { query: PAGE, variables: { first: 1 } }, { authorization: basic(WRONG_KEY), 'x-request-id': 'wrong-key-1' });
      expect(wrong.json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const bearer = await post(stack.subgraph.url, { query: PAGE, variables: { first: 1 } }, { authorization: `Bearer ${WRONG_KEY}` });
      expect(bearer.json.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      // A key in the query string and the body (as a user might paste one) stays out of the logs too.
      await fetch(`${stack.subgraph.url}?apiKey=${WRONG_KEY}&query=${encodeURIComponent('{ __typename }')}`, { headers: { authorization: basic(WRONG_KEY), 'apollo-require-preflight': '1' } });
      const ok = await post(stack.subgraph.url, { query: PAGE, variables: { first: 1 } });
      expect(ok.json.errors).toBeUndefined();

      const entry = await logs.request('wrong-key-1');
      expect(entry.errorCodes).toEqual(['UNAUTHENTICATED']);
      expect(entry.status).toBe(200);
      await logs.request(ok.res.headers.get('x-request-id')!);
      const text = logs.lines.join('\n');
      for (const form of [...keyForms(WRONG_KEY), ...keyForms(DEMO_API_KEY)]) expect(text).not.toContain(form);
      expect(text).not.toMatch(/authorization/i);
      expect(text).not.toMatch(/Basic |Bearer /);
    });

    it('a W&B answer of the right shape with nonsense inside fails its field as UPSTREAM_UNAVAILABLE, logged with the request id and no key', async () => {
      // historyKeys whose per-key counts are not lists: checked where it is read, never an internal error.
      const node = { id: Buffer.from('Run:v1:r1:image-classification:acme-ml').toString('base64'), name: 'r1', state: 'finished', createdAt: '2026-01-01T00:00:00', historyKeys: { keys: { a: { typeCounts: 5 } } } };
      const nonsense = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ data: { project: { runs: { edges: [{ cursor: 'c1', node }], pageInfo: { hasNextPage: false, endCursor: 'c1' } } } } }));
        });
      });
      await new Promise<void>((r) => nonsense.listen(0, '127.0.0.1', () => r()));
      const own = capture();
      const sg = await startSubgraph({
        wandbBaseUrl: `http://127.0.0.1:${(nonsense.address() as AddressInfo).port}`,
        appUrl: 'https://wandb.example.com',
        serviceKey: DEMO_API_KEY,
        logger: own.logger,
      });
      try {
        const query = 'query OpsKeys { runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path historyKeys { key types } } } }';
        const { res, json } = await post(sg.url, { query }, { authorization: basic(WRONG_KEY), 'x-request-id': 'checked-1' });
        expect(res.status).toBe(200);
        expect(json.errors?.[0]).toMatchObject({ path: ['runs', 'nodes', 0, 'historyKeys'], extensions: { code: 'UPSTREAM_UNAVAILABLE' } });
        expect((await own.request('checked-1')).errorCodes).toEqual(['UPSTREAM_UNAVAILABLE']);
        expect(own.entries().some((e) => e.msg === 'masked error')).toBe(false);
        const text = own.lines.join('\n');
        for (const form of [...keyForms(WRONG_KEY), ...keyForms(DEMO_API_KEY)]) expect(text).not.toContain(form);
      } finally {
        await sg.close();
        await new Promise((r) => nonsense.close(r));
      }
    });

    it('logs a masked error at error level with its request id, its name and no key', async () => {
      // Errors without a client code come from a fault in this subgraph: the plugin that masks them logs them.
      const own = capture();
      const hooks = await requestStatePlugin(own.logger).requestDidStart!({ request: {}, contextValue: { request: { id: 'masked-1', errorCodes: [] } } } as any);
      const fault = new TypeError(`cannot read it (Basic ${Buffer.from(`api:${WRONG_KEY}`).toString('base64')})`);
      await hooks!.didEncounterErrors!({ errors: [new GraphQLError(fault.message, { path: ['runs', 'nodes', 0, 'historyKeys'], originalError: fault }), new GraphQLError('coded', { extensions: { code: 'BAD_USER_INPUT' } })] } as any);
      const masked = own.entries().filter((e) => e.msg === 'masked error');
      expect(masked).toHaveLength(1);
      expect(masked[0]).toMatchObject({ level: 'error', requestId: 'masked-1', path: 'runs.nodes.0.historyKeys', errorName: 'TypeError' });
      expect(masked[0].error).toContain('cannot read it');
      for (const form of keyForms(WRONG_KEY)) expect(own.lines.join('\n')).not.toContain(form);
    });

    it('redacts keys and Authorization values even when code tries to log them (defense in depth)', () => {
      const lines: string[] = [];
      const logger = createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } });
      logger.info({ req: { headers: { authorization: basic(WRONG_KEY) } }, authorization: basic(WRONG_KEY), upstream: { authorization: 'x', apiKey: WRONG_KEY }, apiKey: WRONG_KEY }, 'oops');
      expect(lines.join('')).not.toContain(WRONG_KEY);
      expect(lines.join('')).not.toContain(Buffer.from(`api:${WRONG_KEY}`).toString('base64'));
      expect(JSON.parse(lines[0])).toMatchObject({ apiKey: '[Redacted]', authorization: '[Redacted]', req: { headers: { authorization: '[Redacted]' } } });
      expect(scrub(`W&B said no to Basic ${Buffer.from(`api:${WRONG_KEY}`).toString('base64')} (key ${WRONG_KEY})`)).toBe('W&B said no to Basic [Redacted] (key [Redacted])');
      // Keys of any case, with an on-premises prefix, and of W&B's longer format (86 characters) are words that look like keys.
      const long = `wandb_v1_${'a1B2c3D4e5'.repeat(7)}x7Q9zK2`;
      expect(long).toHaveLength(86);
      expect(scrub(`keys ${WRONG_KEY.toUpperCase()}, local-${WRONG_KEY} and ${long}.`)).toBe('keys [Redacted], [Redacted] and wandb_v1_[Redacted].');
      // Run names of words joined by underscores are left, however long.
      expect(scrub('run my_experiment_lr0_001_batch256_epochs100_seed42 not found')).toBe('run my_experiment_lr0_001_batch256_epochs100_seed42 not found');
      // Percent-encoded, as in a request path: the word is redacted whole, and a JSON line stays JSON.
      const encoded = [...WRONG_KEY].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
      expect(JSON.parse(scrub(JSON.stringify({ path: `/graphql/${encoded}`, ok: '100%25' })))).toEqual({ path: '[Redacted]', ok: '100%25' });
      // Ordinary long words are left: no digit, or only digits.
      expect(scrub(`${'learning_rate_schedule_'.repeat(2)} ${'1234567890'.repeat(5)}`)).toBe(`${'learning_rate_schedule_'.repeat(2)} ${'1234567890'.repeat(5)}`);
    });
  });

  describe('metrics', () => {
    const metricsText = async () => {
      const res = await fetch(`${base}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return res.text();
    };
    /** The value of one sample line, 0 when absent. */
    const sample = (text: string, name: string) => {
      const line = text.split('\n').find((l) => l.startsWith(`${name} `));
      return line ? Number(line.slice(name.length + 1)) : 0;
    };

    it('counts requests by operation type and status, errors by code, upstream attempts, and process metrics', async () => {
      const before = await metricsText();
      expect((await post(stack.subgraph.url, { query: PAGE, variables: { first: 1 } })).json.errors).toBeUndefined();
      const bad = await post(stack.subgraph.url, { query: 'query SecretOperationName { runs(entity: "acme-ml", project: "image-classification", first: 1, after: "garbage!") { nodes { path } } }' });
      expect(bad.json.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      await post(stack.subgraph.url, { query: PAGE, variables: { first: 1 } }, { authorization: basic(WRONG_KEY) });
      await post(stack.subgraph.url, { query: '{ runs(' });
      const text = await metricsText();

      const requests = 'graphql_requests_total{operation_type="query",status="200"}';
      expect(sample(text, requests)).toBeGreaterThanOrEqual(sample(before, requests) + 2);
      expect(sample(text, 'graphql_requests_total{operation_type="unknown",status="400"}')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'graphql_errors_total{code="BAD_USER_INPUT"}')).toBe(sample(before, 'graphql_errors_total{code="BAD_USER_INPUT"}') + 1);
      expect(sample(text, 'graphql_errors_total{code="UNAUTHENTICATED"}')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'graphql_errors_total{code="GRAPHQL_PARSE_FAILED"}')).toBeGreaterThanOrEqual(1);
      expect(text).toContain('# TYPE graphql_request_duration_seconds histogram');
      expect(sample(text, 'graphql_request_duration_seconds_count{operation_type="query"}')).toBeGreaterThanOrEqual(2);
      // Upstream attempts are counted through the policy hooks.
      expect(sample(text, 'upstream_requests_total{outcome="ok"}')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'upstream_requests_total{outcome="http_4xx"}')).toBeGreaterThanOrEqual(1);
      expect(text).toContain('# TYPE upstream_retries_total counter');
      expect(text).toContain('# TYPE upstream_request_duration_seconds histogram');
      expect(text).toContain('process_cpu_user_seconds_total');
      expect(text).toContain('nodejs_eventloop_lag_seconds');
      // No user text in labels: no operation name, no run path, no key.
      expect(text).not.toContain('SecretOperationName');
      expect(text).not.toContain('OpsPage');
      expect(text).not.toContain('acme-ml');
      for (const form of [...keyForms(WRONG_KEY), ...keyForms(DEMO_API_KEY)]) expect(text).not.toContain(form);
    });

    it('registers dataloader_batch_size by loader', async () => {
      const res = await post(stack.subgraph.url, { query: NESTED });
      expect(res.json.errors).toBeUndefined();
      const text = await metricsText();
      expect(text).toContain('# TYPE dataloader_batch_size histogram');
      // Observations appear once src/context.ts passes metrics.observeBatch to createLoaders;
      // the loaders' side of the hook is checked below.
    });

    it('observes one batch size per upstream batch of each loader', async () => {
      const metrics = createMetrics({ defaultMetrics: false });
      const client = { requestPartial: async () => ({ data: {}, errors: [] }) } as unknown as UpstreamClient;
      const loaders = createLoaders(createWandbApi(client), metrics.observeBatch);
      const ref = (runId: string) => ({ entity: 'e', project: 'p', runId });
      await Promise.all([
        ...['a', 'b', 'c'].map((id) => loaders.runFieldLoader.load({ ref: ref(id), field: { kind: 'systemMetrics' } }).catch(() => null)),
        ...['x', 'y'].map((id) => loaders.sweepLoader.load({ entity: 'e', project: 'p', name: id })),
      ]);
      const text = await metrics.registry.metrics();
      expect(text).toContain('dataloader_batch_size_count{loader="run_field"} 1');
      expect(text).toContain('dataloader_batch_size_sum{loader="run_field"} 3');
      expect(text).toContain('dataloader_batch_size_count{loader="sweep"} 1');
      expect(text).toContain('dataloader_batch_size_sum{loader="sweep"} 2');
    });

    it('keeps registries apart between servers in one process', async () => {
      const other = await startSubgraph({ wandbBaseUrl: stack.emulator.url, appUrl: 'https://wandb.example.com', serviceKey: null, logger: silentLogger() });
      try {
        expect(other.metrics.registry).not.toBe(stack.subgraph.metrics.registry);
        const text = await (await fetch(other.url.replace(/\/graphql$/, '/metrics'))).text();
        expect(sample(text, 'graphql_requests_total{operation_type="query",status="200"}')).toBe(0);
      } finally {
        await other.close();
      }
    });
  });

  describe('health and readiness', () => {
    it('/health is 200 while the process serves', async () => {
      const res = await fetch(`${base}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('/ready is 200 when W&B answers', async () => {
      const res = await fetch(`${base}/ready`);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok' });
    });

    it('/ready is 503 with a reason when W&B is unreachable', async () => {
      const lines: string[] = [];
      const down = await startSubgraph({
        wandbBaseUrl: 'http://127.0.0.1:1',
        appUrl: 'https://wandb.example.com',
        serviceKey: DEMO_API_KEY,
        logger: createLogger({ level: 'info', destination: { write: (l: string) => void lines.push(l) } }),
      });
      try {
        const url = down.url.replace(/\/graphql$/, '/ready');
        const res = await fetch(url);
        expect(res.status).toBe(503);
        const body = (await res.json()) as { status: string; reason: string };
        expect(body.status).toBe('unavailable');
        expect(body.reason).toMatch(/W&B/);
        // The answer is reused for a second: the next probe is immediate and the same.
        const again = await fetch(url);
        expect(again.status).toBe(503);
        expect((await fetch(url.replace(/\/ready$/, '/health'))).status).toBe(200);
        expect(lines.join('\n')).not.toContain(DEMO_API_KEY);
      } finally {
        await down.close();
      }
    });
  });

  describe('graceful shutdown', () => {
    it('lets an in-flight request finish, refuses new ones, then resolves close()', async () => {
      const logs2 = capture();
      const own = await startStack({ subgraph: { logger: logs2.logger } });
      const base2 = own.subgraph.url.replace(/\/graphql$/, '');
      try {
        own.emulator.setDelay(800);
        own.emulator.resetRequests();
        const slow = post(own.subgraph.url, { query: PAGE, variables: { first: 2 } }, { 'x-request-id': 'slow-1' });
        // Wait until the request is upstream (inside the delay).
        for (let i = 0; i < 200 && own.emulator.requestCount() === 0; i++) await new Promise((r) => setTimeout(r, 5));
        expect(own.emulator.requestCount()).toBe(1);

        const closing = own.subgraph.close();
        let closed = false;
        void closing.then(() => (closed = true));
        // Once closing, a new request is refused: connection refused, or 503 on a kept-alive connection.
        const late = await fetch(own.subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then(
          (r) => r.status,
          () => 'refused',
        );
        expect([503, 'refused']).toContain(late);
        const ready = await fetch(`${base2}/ready`).then(
          (r) => r.status,
          () => 'refused',
        );
        expect([503, 'refused']).toContain(ready);
        expect(closed).toBe(false);

        const { res, json } = await slow;
        expect(res.status).toBe(200);
        expect(json.errors).toBeUndefined();
        expect(json.data.runs.nodes).toHaveLength(2);
        await expect(closing).resolves.toBeUndefined();
        // close() is idempotent.
        await expect(own.subgraph.close()).resolves.toBeUndefined();
        expect((await logs2.request('slow-1')).status).toBe(200);
        expect(logs2.entries().map((e) => e.msg)).toEqual(expect.arrayContaining(['shutting down: draining in-flight requests', 'subgraph stopped']));
      } finally {
        await own.subgraph.close();
        await own.emulator.close();
      }
    });

    it('destroys connections still open after shutdownTimeoutMs', async () => {
      // No upstream retries: the request cut by the shutdown would otherwise be retried (and fail) for a while after close().
      const own = await startStack({ subgraph: { shutdownTimeoutMs: 150, policy: { ...defaultPolicy, maxRetries: 0 } } });
      try {
        own.emulator.setDelay(1000);
        own.emulator.resetRequests();
        const slow = post(own.subgraph.url, { query: PAGE, variables: { first: 1 } }).then(
          (r) => r.res.status,
          () => 'cut',
        );
        for (let i = 0; i < 200 && own.emulator.requestCount() === 0; i++) await new Promise((r) => setTimeout(r, 5));
        const started = Date.now();
        await own.subgraph.close();
        expect(Date.now() - started).toBeLessThan(1500);
        expect(await slow).toBe('cut');
        // The emulator still answers the abandoned request after its delay: let it, before closing its database.
        await new Promise((r) => setTimeout(r, 1100 - (Date.now() - started)));
      } finally {
        await own.emulator.close();
      }
    });
  });
});
