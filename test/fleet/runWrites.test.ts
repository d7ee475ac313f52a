/**
 * Writes of one run sent to several replicas at once: with REDIS_URL they
 * take turns (a lease per run in Redis), so exactly one createRun of a run
 * creates it and nothing else changes it, and concurrent updateRun
 * summaries are all merged. The replicas are processes of their own: in one
 * process, writes of a run already wait in that process's queue.
 */
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { hasRedis, noRedisMessage, startRedis, type TestRedis } from '../helpers/redis.js';
import { post } from '../helpers/fleet.js';
import { spawnSubgraph } from '../helpers/subgraphProcess.js';
import { connectFleet } from '../../src/fleet/redis.js';
import { createRunLocks } from '../../src/fleet/runLocks.js';
import { silentLogger } from '../../src/observability/logger.js';

const describeRedis = hasRedis ? describe : describe.skip;
if (!hasRedis) console.warn(noRedisMessage);

/** W&B's delay per request: long enough that writes sent together overlap at W&B. */
const DELAY = 150;

describeRedis('run writes across the fleet', () => {
  let redis: TestRedis;
  let emulator: Emulator;
  const replicas: { url: string; child: ChildProcess }[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({ seed: { historyScale: 0.01 } });
    replicas.push(...(await Promise.all([0, 1, 2].map(() => spawnSubgraph({ WANDB_BASE_URL: emulator.url, REDIS_URL: redis.url, LOG_LEVEL: 'warn' })))));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(replicas.map(({ child }) => new Promise((r) => (child.exitCode !== null ? r(null) : (child.once('exit', r), child.kill('SIGTERM'))))));
    await emulator?.close();
    await redis?.close();
  });

  const onEach = <T>(send: (url: string, i: number) => Promise<T>) => Promise.all(replicas.map((r, i) => send(r.url, i)));

  it('one createRun of a run sent to every replica at once creates it; the others are CONFLICT and change nothing', async () => {
    const runId = `race${Date.now()}`;
    emulator.setDelay(DELAY);
    const answers = await onEach((url, i) =>
      post(url, DEMO_API_KEY, { query: `mutation { createRun(input: { entity: "demo", project: "races", runId: "${runId}", displayName: "by-${i}" }) { run { displayName } } }` }),
    ).finally(() => emulator.setDelay(0));
    const created = answers.filter((a) => a.data?.createRun);
    expect(created).toHaveLength(1);
    expect(answers.filter((a) => a.errors?.[0]?.extensions?.code === 'CONFLICT')).toHaveLength(replicas.length - 1);
    const read = await post(replicas[0].url, DEMO_API_KEY, { query: `{ run(path: "demo/races/${runId}") { displayName } }` });
    expect(read.data?.run?.displayName).toBe(created[0].data.createRun.run.displayName);
  });

  it('summaries written to one run through every replica at once are all merged', async () => {
    const runId = `merge${Date.now()}`;
    const made = await post(replicas[0].url, DEMO_API_KEY, { query: `mutation { createRun(input: { entity: "demo", project: "races", runId: "${runId}" }) { run { path } } }` });
    expect(made.errors).toBeUndefined();
    emulator.setDelay(DELAY);
    const answers = await onEach((url, i) =>
      post(url, DEMO_API_KEY, { query: `mutation { updateRun(input: { path: "demo/races/${runId}", summary: { k${i}: ${i} } }) { run { path } } }` }),
    ).finally(() => emulator.setDelay(0));
    expect(answers.map((a) => a.errors)).toEqual(replicas.map(() => undefined));
    const read = await post(replicas[1].url, DEMO_API_KEY, { query: `{ run(path: "demo/races/${runId}") { summary } }` });
    expect(read.data?.run?.summary).toMatchObject(Object.fromEntries(replicas.map((_, i) => [`k${i}`, i])));
  });

  describe('the lease', () => {
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('a write that waits past waitMs for a run another holds fails with CONFLICT without running; other runs go on', async () => {
      const fleet = await connectFleet({ url: redis.url, logger: silentLogger(), prefix: 'lease-wait:' });
      try {
        const locks = createRunLocks(fleet, { waitMs: 100 });
        const order: string[] = [];
        const slow = locks.hold('e/p/run1', async () => (await sleep(400), order.push('slow')));
        await sleep(20);
        let ran = false;
        await expect(locks.hold('e/p/run1', async () => (ran = true))).rejects.toMatchObject({ extensions: { code: 'CONFLICT' } });
        expect(ran).toBe(false);
        await locks.hold('e/p/run2', async () => order.push('other'));
        await slow;
        expect(order).toEqual(['other', 'slow']);
        // Released: the next write takes it at once.
        expect(await locks.hold('e/p/run1', async () => 'next')).toBe('next');
      } finally {
        await fleet.close();
      }
    });

    it('with Redis away, a write goes on (the process keeps its own queue)', async () => {
      // A port nothing listens on: the fleet starts degraded.
      const fleet = await connectFleet({ url: 'redis://127.0.0.1:1', logger: silentLogger(), prefix: 'lease-away:', connectWaitMs: 100 });
      try {
        expect(fleet.up()).toBe(false);
        expect(await createRunLocks(fleet).hold('e/p/run', async () => 'written')).toBe('written');
      } finally {
        await fleet.close();
      }
    });

    it('a lease is renewed while its write runs: a write longer than the lease still keeps the others waiting', async () => {
      const fleet = await connectFleet({ url: redis.url, logger: silentLogger(), prefix: 'lease-renew:' });
      try {
        const locks = createRunLocks(fleet, { leaseMs: 300, waitMs: 3_000 });
        const order: string[] = [];
        const long = locks.hold('e/p/run', async () => {
          order.push('long starts');
          await sleep(1_000);
          order.push('long ends');
        });
        await sleep(50);
        await locks.hold('e/p/run', async () => order.push('next'));
        await long;
        expect(order).toEqual(['long starts', 'long ends', 'next']);
      } finally {
        await fleet.close();
      }
    });

    it('a write that never ends keeps the run for maxHoldMs at most', async () => {
      const fleet = await connectFleet({ url: redis.url, logger: silentLogger(), prefix: 'lease-stuck:' });
      try {
        void createRunLocks(fleet, { leaseMs: 300, maxHoldMs: 600 }).hold('e/p/run', () => new Promise(() => {}));
        await sleep(50);
        const started = Date.now();
        expect(await createRunLocks(fleet, { leaseMs: 300, waitMs: 5_000 }).hold('e/p/run', async () => 'taken')).toBe('taken');
        // Renewed until 600 ms, then left to expire 300 ms later.
        expect(Date.now() - started).toBeGreaterThanOrEqual(500);
        expect(Date.now() - started).toBeLessThan(2_500);
      } finally {
        await fleet.close();
      }
    });

    it('a lease left by a replica that died (no renewals) frees the run after leaseMs', async () => {
      const dying = await connectFleet({ url: redis.url, logger: silentLogger(), prefix: 'lease-dead:' });
      const fleet = await connectFleet({ url: redis.url, logger: silentLogger(), prefix: 'lease-dead:' });
      try {
        // Its write never ends, and its connection goes: the lease is neither renewed nor released.
        void createRunLocks(dying, { leaseMs: 300 }).hold('e/p/run', () => new Promise(() => {}));
        await sleep(50);
        dying.redis.disconnect();
        const started = Date.now();
        expect(await createRunLocks(fleet, { leaseMs: 300, waitMs: 5_000 }).hold('e/p/run', async () => 'taken')).toBe('taken');
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        await dying.close();
        await fleet.close();
      }
    });
  });
});
