/**
 * Faults injected between the subgraph and W&B (the emulator) by a loopback
 * proxy: each ends in success after retries or in the documented error
 * code, the process stays healthy, and mutations are applied exactly once.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { startSubgraph, type Subgraph } from '../../src/http/server.js';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { storageId, wandbClient } from '../../emulator/test/helpers/emulator.js';
import { startFaultProxy, type Fault, type FaultProxy } from './faultProxy.js';

const policy = { attemptTimeoutMs: 400, budgetMs: 4000, maxRetries: 3, baseDelayMs: 20, maxDelayMs: 200, maxInFlight: 16 };
const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;

describe('upstream faults', () => {
  let emulator: Emulator;
  let proxy: FaultProxy;
  let subgraph: Subgraph;
  let runPath: string;
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => unhandled.push(e);

  const query = async (q: string, variables: Record<string, unknown> = {}) => {
    const res = await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: auth }, body: JSON.stringify({ query: q, variables }) });
    return { status: res.status, ...((await res.json()) as { data?: any; errors?: any[] }) };
  };
  const attempts = (match: string) => proxy.log.filter((l) => l.body.includes(match)).length;
  const RUN = () => `{ run(path: "${runPath}") { runId state } }`;

  beforeAll(async () => {
    process.on('unhandledRejection', onUnhandled);
    emulator = await startEmulator({ seed: { historyScale: 0.01 } });
    proxy = await startFaultProxy(emulator.url);
    subgraph = await startSubgraph({ wandbBaseUrl: proxy.url, appUrl: 'https://wandb.example.com', serviceKey: null, policy, log: () => {} });
    const page = await query('{ runs(entity: "acme-ml", project: "image-classification", first: 1) { nodes { path } } }');
    runPath = page.data!.runs.nodes[0].path;
  });
  afterEach(async () => {
    proxy.clear();
    // The process stays healthy: a plain query answers right after every fault.
    const after = await query(RUN());
    expect(after.data?.run?.runId).toBe(runPath.split('/')[2]);
    proxy.clear();
  });
  afterAll(async () => {
    await subgraph.close();
    await proxy.close();
    await emulator.close();
    process.off('unhandledRejection', onUnhandled);
    expect(unhandled).toEqual([]);
  });

  describe('queries', () => {
    const recovers: [string, Fault, number][] = [
      ['500 once', { kind: 'status', status: 500 }, 1],
      ['502 twice', { kind: 'status', status: 502 }, 2],
      ['503 three times', { kind: 'status', status: 503 }, 3],
      ['latency beyond the attempt timeout once', { kind: 'delay', ms: 700 }, 1],
      ['a connection reset once', { kind: 'reset' }, 1],
      ['a body cut short once', { kind: 'truncate' }, 1],
      ['a non-JSON 200 once', { kind: 'nonJson' }, 1],
      ['408 once', { kind: 'status', status: 408 }, 1],
    ];
    it.each(recovers)('succeed after retries on %s', async (_, fault, times) => {
      proxy.inject(fault, times);
      const res = await query(RUN());
      expect(res.errors).toBeUndefined();
      expect(res.data!.run.runId).toBe(runPath.split('/')[2]);
      expect(attempts('RunLookup')).toBe(times + 1);
    });

    const fails: [string, Fault, number, string, number][] = [
      ['503 beyond the retries', { kind: 'status', status: 503 }, 10, 'UPSTREAM_UNAVAILABLE', 4],
      ['501 (not retried)', { kind: 'status', status: 501 }, 1, 'UPSTREAM_UNAVAILABLE', 1],
      ['400 (not retried)', { kind: 'status', status: 400 }, 1, 'BAD_USER_INPUT', 1],
      ['401 (not retried)', { kind: 'status', status: 401 }, 1, 'UNAUTHENTICATED', 1],
      ['403 (not retried)', { kind: 'status', status: 403 }, 1, 'FORBIDDEN', 1],
      ['404 (not retried)', { kind: 'status', status: 404 }, 1, 'NOT_FOUND', 1],
      ['409 (not retried)', { kind: 'status', status: 409 }, 1, 'UPSTREAM_UNAVAILABLE', 1],
      ['422 (not retried)', { kind: 'status', status: 422 }, 1, 'UPSTREAM_UNAVAILABLE', 1],
      ['a GraphQL error in a 200 (not retried)', { kind: 'graphqlError', message: 'boom' }, 1, 'UPSTREAM_UNAVAILABLE', 1],
      ['latency beyond the timeout every time', { kind: 'delay', ms: 700 }, 10, 'UPSTREAM_TIMEOUT', 4],
      ['non-JSON bodies every time', { kind: 'nonJson' }, 10, 'UPSTREAM_UNAVAILABLE', 4],
    ];
    it.each(fails)('fail with the documented code on %s', async (_, fault, times, code, sent) => {
      proxy.inject(fault, times);
      const res = await query(RUN());
      expect(res.status).toBe(200);
      expect(res.errors?.[0].extensions?.code).toBe(code);
      expect(res.errors?.[0].message).not.toMatch(/injected|<html|stack/i);
      expect(attempts('RunLookup')).toBe(sent);
    });

    it('honour Retry-After in seconds within the budget', async () => {
      proxy.inject({ kind: 'status', status: 429, retryAfter: '1' }, 1);
      const started = Date.now();
      const res = await query(RUN());
      expect(res.errors).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
      expect(attempts('RunLookup')).toBe(2);
    });

    it('honour Retry-After as an HTTP date', async () => {
      proxy.inject({ kind: 'status', status: 429, retryAfter: new Date(Date.now() + 1500).toUTCString() }, 1);
      const started = Date.now();
      const res = await query(RUN());
      expect(res.errors).toBeUndefined();
      expect(Date.now() - started).toBeGreaterThanOrEqual(400);
    });

    it('give RATE_LIMITED with retryAfter when Retry-After exceeds the budget, without waiting', async () => {
      proxy.inject({ kind: 'status', status: 429, retryAfter: '60' }, 1);
      const started = Date.now();
      const res = await query(RUN());
      expect(res.errors?.[0].extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 60 });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(attempts('RunLookup')).toBe(1);
    });
  });

  describe('mutations are applied exactly once', () => {
    const client = () => wandbClient(emulator, DEMO_API_KEY);
    const createRun = async (name: string) => {
      await client().gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "faults", name: "${name}"}) { inserted } }`);
      return storageId('demo', 'faults', name);
    };
    const exists = (name: string) =>
      emulator.db.prepare(`SELECT count(*) FROM runs r JOIN projects p ON p.id = r.project_id WHERE p.name = 'faults' AND r.name = ?`).pluck().get(name) as number;

    it('a delete whose answer is lost after W&B applied it is not sent again', async () => {
      await createRun('del00001');
      proxy.inject({ kind: 'resetAfterForward' }, 1, 'DeleteRun');
      const res = await query('mutation { deleteRun(input: {path: "demo/faults/del00001"}) { id } }');
      expect(res.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(attempts('DeleteRun')).toBe(1);
      expect(exists('del00001')).toBe(0);
    });

    it('a delete refused with 503 is not retried and changes nothing; with 429 it is retried and applied once', async () => {
      await createRun('del00002');
      proxy.inject({ kind: 'status', status: 503 }, 1, 'DeleteRun');
      const refused = await query('mutation { deleteRun(input: {path: "demo/faults/del00002"}) { id } }');
      expect(refused.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(exists('del00002')).toBe(1);
      proxy.clear();
      proxy.inject({ kind: 'status', status: 429, retryAfter: '0' }, 1, 'DeleteRun');
      const retried = await query('mutation { deleteRun(input: {path: "demo/faults/del00002"}) { id } }');
      expect(retried.errors).toBeUndefined();
      expect(attempts('DeleteRun')).toBe(2);
      expect(exists('del00002')).toBe(0);
    });

    it('an artifact link whose answer is lost is not sent again, and links once', async () => {
      await createRun('art00001');
      await createRun('art00002');
      const created = await client().gql(
        `mutation { createArtifact(input: {artifactTypeName: "model", artifactCollectionNames: ["m-faults"], entityName: "demo", projectName: "faults", runName: "art00001", digest: "${'e'.repeat(32)}", digestAlgorithm: MANIFEST_MD5}) { artifact { id } } }`,
      );
      const artifactId = created.data!.createArtifact.artifact.id;
      proxy.inject({ kind: 'resetAfterForward' }, 1, 'UseArtifact');
      const res = await query(`mutation { useArtifact(input: {runPath: "demo/faults/art00002", artifactId: "${artifactId}"}) { artifact { id } } }`);
      expect(res.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(attempts('UseArtifact')).toBe(1);
      const usages = emulator.db.prepare(`SELECT count(*) FROM artifact_usages u JOIN runs r ON r.id = u.run_id WHERE r.name = 'art00002'`).pluck().get();
      expect(usages).toBe(1);
      proxy.inject({ kind: 'resetAfterForward' }, 1, 'CreateArtifact');
      const logged = await query(`mutation { logArtifact(input: {runPath: "demo/faults/art00002", artifactId: "${artifactId}"}) { artifact { id } } }`);
      expect(logged.errors?.[0].extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(attempts('CreateArtifact')).toBe(1);
      const versions = emulator.db.prepare(`SELECT count(*) FROM artifacts a JOIN artifact_collections c ON c.id = a.collection_id WHERE c.name = 'm-faults'`).pluck().get();
      expect(versions).toBe(1);
    });

    it('an idempotent update is retried after a reset and applied', async () => {
      await createRun('upd00001');
      proxy.inject({ kind: 'reset' }, 1, 'UpsertRun');
      const res = await query('mutation { updateRun(input: {path: "demo/faults/upd00001", notes: "after a reset"}) { run { notes } } }');
      expect(res.errors).toBeUndefined();
      expect(res.data!.updateRun.run.notes).toBe('after a reset');
      expect(attempts('UpsertRun')).toBe(2);
    });
  });
});
