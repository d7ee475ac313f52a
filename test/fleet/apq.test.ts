/**
 * Automatic persisted queries across replicas: with REDIS_URL, a query
 * registered on one replica is served by the others from its hash alone;
 * without, each replica knows only its own.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { hasRedis, noRedisMessage, startRedis, type TestRedis } from '../helpers/redis.js';
import { post, startFleet, type TestFleet } from '../helpers/fleet.js';

const describeRedis = hasRedis ? describe : describe.skip;
if (!hasRedis) console.warn(noRedisMessage);

const QUERY = `query Apq { runs(entity: "acme-ml", project: "image-classification", first: 2) { totalCount nodes { path } } }`;
const hash = createHash('sha256').update(QUERY).digest('hex');
const byHash = { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };

describeRedis('APQ shared by the fleet', () => {
  let redis: TestRedis;
  let emulator: Emulator;
  let shared: TestFleet;
  let islands: TestFleet;

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({ seed: { historyScale: 0.01 } });
    shared = await startFleet({ redisUrl: redis.url, emulator });
    islands = await startFleet({ redisUrl: null, emulator });
  });
  afterAll(async () => {
    await shared?.close();
    await islands?.close();
    await emulator?.close();
    await redis?.close();
  });

  it('a hash registered on one replica is served by the other replicas without the query', async () => {
    const [a, b, c] = shared.replicas;
    const unknown = await post(b.url, DEMO_API_KEY, byHash);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    const registered = await post(a.url, DEMO_API_KEY, { query: QUERY, ...byHash });
    expect(registered.errors).toBeUndefined();
    for (const replica of [b, c]) {
      const served = await post(replica.url, DEMO_API_KEY, byHash);
      expect(served.errors).toBeUndefined();
      expect(served.data).toEqual(registered.data);
    }
  });

  it('without Redis, each replica knows only the hashes sent to it', async () => {
    const [a, b] = islands.replicas;
    expect((await post(a.url, DEMO_API_KEY, { query: QUERY, ...byHash })).errors).toBeUndefined();
    expect((await post(a.url, DEMO_API_KEY, byHash)).errors).toBeUndefined();
    expect((await post(b.url, DEMO_API_KEY, byHash)).errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('a hash that does not match its query is refused and registers nothing', async () => {
    const other = `query Other { runs(entity: "acme-ml", project: "image-classification", first: 1) { totalCount } }`;
    const bad = await post(shared.replicas[0].url, DEMO_API_KEY, { query: other, extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(bad.status).toBe(400);
    expect(bad.data).toBeUndefined();
    const lookup = await post(shared.replicas[1].url, DEMO_API_KEY, { extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } });
    expect(lookup.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
