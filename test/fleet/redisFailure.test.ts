/**
 * Redis failing under load: killed mid-load, no query fails (replicas
 * serve from their own state), /ready says degraded but stays 200, live
 * subscribers keep getting changes; when Redis is back, the fleet shares
 * again (APQ across replicas) and /ready says ok.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { wandbClient } from '../../emulator/test/helpers/emulator.js';
import { hasRedis, noRedisMessage, startRedis, type TestRedis } from '../helpers/redis.js';
import { basic, post, startFleet, type TestFleet } from '../helpers/fleet.js';

const describeRedis = hasRedis ? describe : describe.skip;
if (!hasRedis) console.warn(noRedisMessage);

const INTERVAL = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const QUERIES = [
  `query Page { runs(entity: "acme-ml", project: "image-classification", first: 5, order: "-created_at") { totalCount nodes { path state summary(keys: ["val/acc"]) } } }`,
  `query Keys { runs(entity: "acme-ml", project: "llm-finetune", first: 3) { nodes { path historyKeys { key } } } }`,
];
const APQ = `query Apq { runs(entity: "acme-ml", project: "image-classification", first: 2) { nodes { path displayName } } }`;
const sha = (q: string) => createHash('sha256').update(q).digest('hex');

/** An APQ client: the hash first; the query again when the replica does not know it (as Apollo Client does). */
async function apq(url: string, query: string) {
  const extensions = { persistedQuery: { version: 1, sha256Hash: sha(query) } };
  const first = await post(url, DEMO_API_KEY, { extensions });
  if (first.errors?.[0]?.extensions?.code !== 'PERSISTED_QUERY_NOT_FOUND') return { ...first, resent: false };
  return { ...(await post(url, DEMO_API_KEY, { query, extensions })), resent: true };
}

describeRedis('Redis failing under load', () => {
  let redis: TestRedis;
  let emulator: Emulator;
  let fleet: TestFleet;
  const clients: Client[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({ seed: { historyScale: 0.01 } });
    fleet = await startFleet({ redisUrl: redis.url, emulator, subgraph: { live: { intervalMs: INTERVAL, maxIntervalMs: 4 * INTERVAL } } });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await fleet?.close();
    await emulator?.close();
    await redis?.close();
  });

  const ready = async (url: string) => {
    const res = await fetch(url.replace(/\/graphql$/, '/ready'));
    return { status: res.status, body: (await res.json()) as { status: string; redis?: string } };
  };

  it('Redis killed mid-load: 0 queries fail, /ready is 200 degraded, live changes still arrive; sharing resumes when Redis is back', async () => {
    const urls = fleet.replicas.map((r) => r.url);
    expect((await ready(urls[0])).body).toEqual({ status: 'ok', redis: 'ok' });
    // A running run followed on every replica.
    const w = wandbClient(emulator, DEMO_API_KEY);
    await w.gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "outage", name: "out00001", state: "running"}) { inserted } }`);
    const seen: number[][] = urls.map(() => []);
    urls.forEach((url, i) => {
      const c = createClient({ url: url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: basic(DEMO_API_KEY) }, retryAttempts: 0 });
      clients.push(c);
      c.subscribe({ query: `subscription { runUpdated(path: "demo/outage/out00001") { lastStep } }` }, { next: (v: any) => seen[i].push(v.data?.runUpdated?.lastStep ?? -1), error: () => {}, complete: () => {} });
    });
    expect((await apq(urls[0], APQ)).errors).toBeUndefined();

    let stop = false;
    let sent = 0;
    const failures: string[] = [];
    let resent = 0;
    const worker = async (n: number) => {
      for (let i = n; !stop; i++) {
        const url = urls[i % urls.length];
        const res = i % 3 === 2 ? await apq(url, APQ) : await post(url, DEMO_API_KEY, { query: QUERIES[i % 2] });
        sent++;
        if ('resent' in res && res.resent) resent++;
        if (res.status !== 200 || res.errors) failures.push(`${res.status} ${JSON.stringify(res.errors).slice(0, 200)}`);
      }
    };
    const load = Promise.all(Array.from({ length: 6 }, (_, n) => worker(n)));
    await sleep(700);
    await redis.kill();
    const killedAt = sent;
    await sleep(700);
    const during = await Promise.all(urls.map(ready));
    for (const r of during) expect(r).toEqual({ status: 200, body: { status: 'degraded', redis: 'unavailable' } });
    // Changes while Redis is away still reach every replica's subscriber.
    await w.filestream('demo/outage/out00001', { files: { 'wandb-history.jsonl': { offset: 0, content: [JSON.stringify({ _step: 0, loss: 1 })] } } });
    for (let i = 0; i < 100 && seen.some((s) => !s.includes(0)); i++) await sleep(20);
    expect(seen.map((s) => s.includes(0))).toEqual([true, true, true]);
    await redis.restart();
    const restarted = Date.now();
    let recoveredMs = -1;
    for (let i = 0; i < 200; i++) {
      const states = await Promise.all(urls.map(ready));
      if (states.every((s) => s.body.status === 'ok' && s.body.redis === 'ok')) {
        recoveredMs = Date.now() - restarted;
        break;
      }
      await sleep(25);
    }
    await sleep(500);
    stop = true;
    await load;
    console.log(`Redis killed after ${killedAt} of ${sent} queries over 3 replicas: ${failures.length} failed, ${resent} APQ hashes resent; fleet shared again ${recoveredMs} ms after Redis restarted`);
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(killedAt);
    expect(recoveredMs).toBeGreaterThanOrEqual(0);

    // Shared again: a hash registered on one replica is served by the others from Redis.
    const fresh = `query Fresh { runs(entity: "acme-ml", project: "llm-finetune", first: 1) { totalCount } }`;
    expect((await post(urls[1], DEMO_API_KEY, { query: fresh, extensions: { persistedQuery: { version: 1, sha256Hash: sha(fresh) } } })).errors).toBeUndefined();
    for (const url of [urls[0], urls[2]]) expect((await apq(url, fresh)).resent).toBe(false);
    // And live changes after the restart still reach every replica.
    await w.filestream('demo/outage/out00001', { files: { 'wandb-history.jsonl': { offset: 1, content: [JSON.stringify({ _step: 1, loss: 0.5 })] } } });
    for (let i = 0; i < 100 && seen.some((s) => !s.includes(1)); i++) await sleep(20);
    expect(seen.map((s) => s.includes(1))).toEqual([true, true, true]);
  });

  it('a replica started while Redis is down serves at once (degraded) and joins the fleet when Redis comes up', async () => {
    await redis.kill();
    const late = await startFleet({ redisUrl: redis.url, emulator, replicas: 1, subgraph: { live: { intervalMs: INTERVAL } } });
    try {
      const url = late.replicas[0].url;
      expect(await ready(url)).toEqual({ status: 200, body: { status: 'degraded', redis: 'unavailable' } });
      const res = await post(url, DEMO_API_KEY, { query: QUERIES[0] });
      expect(res.errors).toBeUndefined();
      await redis.restart();
      let state = '';
      for (let i = 0; i < 200 && state !== 'ok'; i++) {
        state = (await ready(url)).body.redis ?? '';
        if (state !== 'ok') await sleep(25);
      }
      expect(state).toBe('ok');
    } finally {
      await late.close();
    }
  });
});
