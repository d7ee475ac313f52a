/**
 * The history read-ahead shared by the fleet: a scan whose pages go
 * round-robin over 3 replicas finds each page read ahead by the replica
 * before; an entry is found only with the key it was fetched for; Redis
 * holds at most maxBytes of entries, each for its TTL.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../emulator/src/seed.js';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { addApiKey, ensureProject, userByApiKey } from '../../emulator/src/store/accounts.js';
import { createRun } from '../../emulator/src/store/runs.js';
import { appendHistory } from '../../emulator/src/store/history.js';
import { connectFleet, type Fleet } from '../../src/fleet/redis.js';
import { createSharedWindows } from '../../src/fleet/sharedWindows.js';
import { silentLogger } from '../../src/observability/logger.js';
import { hasRedis, noRedisMessage, startRedis, type TestRedis } from '../helpers/redis.js';
import { post, startFleet, type TestFleet } from '../helpers/fleet.js';

const describeRedis = hasRedis ? describe : describe.skip;
if (!hasRedis) console.warn(noRedisMessage);

const STEPS = 20_000;
const FIRST = 1000;
const SECOND_KEY = 'second5eed5eed5eed5eed5eed5eed5eed5eed01';
const PAGE = `query H($after: String) { run(path: "demo/fleetscan/scan0001") { history(first: ${FIRST}, after: $after, keys: ["loss", "acc"]) { edges { node { step values } } pageInfo { hasNextPage endCursor } } } }`;

describeRedis('history read-ahead shared by the fleet', () => {
  let redis: TestRedis;
  let emulator: Emulator;
  let shared: TestFleet;
  let islands: TestFleet;
  let single: TestFleet;

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({ seed: { historyScale: 0.01 } });
    const db = emulator.db;
    const user = userByApiKey(db, DEMO_API_KEY)!;
    addApiKey(db, user.id, SECOND_KEY);
    const project = ensureProject(db, user.default_entity_id!, 'fleetscan', '2026-11-01T00:00:00Z');
    const run = createRun(db, project.id, 'scan0001', user.id, '2026-11-01T00:00:00Z', { state: 'finished' });
    const lines = Array.from({ length: STEPS }, (_, step) => JSON.stringify({ _step: step, loss: 1 / (1 + step), acc: step / STEPS, lr: 0.001 }));
    db.transaction(() => appendHistory(db, run.id, lines))();
    shared = await startFleet({ redisUrl: redis.url, emulator });
    islands = await startFleet({ redisUrl: null, emulator });
    single = await startFleet({ redisUrl: null, emulator, replicas: 1 });
    // W&B answers in a few milliseconds, as a nearby server would.
    emulator.setDelay(5);
  });
  afterAll(async () => {
    await shared?.close();
    await islands?.close();
    await single?.close();
    await emulator?.close();
    await redis?.close();
  });

  /** Scans the run page by page, each page on the next replica; returns the steps and W&B requests. */
  async function scan(urls: string[], key = DEMO_API_KEY) {
    emulator.resetRequests();
    const steps: number[] = [];
    const values: unknown[] = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const res: any = await post(urls[page % urls.length], key, { query: PAGE, variables: { after } });
      expect(res.errors).toBeUndefined();
      for (const e of res.data.run.history.edges) {
        steps.push(e.node.step);
        values.push(e.node.values);
      }
      if (!res.data.run.history.pageInfo.hasNextPage) break;
      after = res.data.run.history.pageInfo.endCursor;
    }
    return { steps, values, requests: emulator.requestCount() };
  }

  it('a scan round-robin over 3 replicas reads every row once, with as few W&B requests as one replica', async () => {
    const one = await scan([single.replicas[0].url]);
    const fleet = await scan(shared.replicas.map((r) => r.url));
    const alone = await scan(islands.replicas.map((r) => r.url));
    console.log(`${STEPS}-step scan in pages of ${FIRST}: W&B requests: 1 replica ${one.requests}, 3 replicas with Redis ${fleet.requests}, 3 replicas without ${alone.requests}`);
    expect(one.steps).toEqual(Array.from({ length: STEPS }, (_, i) => i));
    expect(fleet.steps).toEqual(one.steps);
    expect(fleet.values).toEqual(one.values);
    expect(fleet.requests).toBeLessThanOrEqual(one.requests + 3);
    expect(alone.requests).toBeGreaterThan(fleet.requests);
  });

  it('what was read ahead for one key is never served to another, even of the same W&B user', async () => {
    const [a, b, c] = shared.replicas;
    const first: any = await post(a.url, DEMO_API_KEY, { query: PAGE, variables: { after: null } });
    const after = first.data.run.history.pageInfo.endCursor;
    // Let the read-ahead of the next pages land in Redis.
    await new Promise((r) => setTimeout(r, 300));
    emulator.resetRequests();
    const other: any = await post(b.url, SECOND_KEY, { query: PAGE, variables: { after } });
    expect(other.errors).toBeUndefined();
    expect(other.data.run.history.edges[0].node.step).toBe(FIRST);
    expect(emulator.requestCount()).toBeGreaterThan(0);
    emulator.resetRequests();
    const stranger: any = await post(c.url, OTHER_API_KEY, { query: PAGE, variables: { after } });
    expect(stranger.data?.run ?? null).toBeNull();
    expect(emulator.requestCount()).toBeGreaterThan(0);
    // The owner's next page is still served from what was read ahead: no W&B request.
    emulator.resetRequests();
    const owner: any = await post(c.url, DEMO_API_KEY, { query: PAGE, variables: { after } });
    expect(owner.data.run.history.edges[0].node.step).toBe(FIRST);
    expect(emulator.requestCount()).toBe(0);
  });

  describe('the shared store in Redis', () => {
    let fleet: Fleet;
    beforeAll(async () => {
      fleet = await connectFleet({ url: redis.url, logger: silentLogger(), prefix: 'bound:' });
    });
    afterAll(async () => {
      await fleet?.close();
    });

    it('holds at most maxBytes, dropping the oldest entries first', async () => {
      const store = createSharedWindows(fleet, { maxBytes: 10_000, ttlMs: 60_000 });
      const value = 'x'.repeat(1000);
      for (let i = 0; i < 50; i++) await store.set(`k${i}`, value);
      const bytes = Number(await fleet.redis.get('bound:ra:bytes'));
      expect(bytes).toBeLessThanOrEqual(10_000);
      const got = (await store.getMany(Array.from({ length: 50 }, (_, i) => `k${i}`)))!;
      const present = got.map((v, i) => (v === null ? -1 : i)).filter((i) => i >= 0);
      expect(present.length * 1000).toBe(bytes);
      expect(present).toEqual(Array.from({ length: present.length }, (_, i) => 50 - present.length + i));
      await store.set('huge', 'y'.repeat(20_000));
      expect((await store.getMany(['huge']))![0]).toBeNull();
    });

    it('forgets entries after their TTL, and deleting gives their bytes back', async () => {
      const store = createSharedWindows(fleet, { maxBytes: 1_000_000, ttlMs: 150 });
      await fleet.redis.del('bound:ra:bytes', 'bound:ra:index', 'bound:ra:sizes');
      await store.set('a', 'abc');
      await store.set('b', 'defg');
      expect(await store.getMany(['a', 'b'])).toEqual(['abc', 'defg']);
      await store.delete(['a']);
      expect(Number(await fleet.redis.get('bound:ra:bytes'))).toBe(4);
      await new Promise((r) => setTimeout(r, 250));
      expect(await store.getMany(['b'])).toEqual([null]);
      await store.set('c', 'hi');
      expect(Number(await fleet.redis.get('bound:ra:bytes'))).toBe(2);
    });
  });
});
