/**
 * Live runs across a fleet: 3 replicas sharing Redis poll W&B once per
 * interval for a run followed by 30 subscribers spread over them (3 times
 * without Redis); every subscriber gets every change; a replica killed
 * while it polls is taken over; callers with different keys never share
 * a poll.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSubgraph } from '../helpers/subgraphProcess.js';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { Redis } from 'ioredis';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../emulator/src/seed.js';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { addApiKey, userByApiKey } from '../../emulator/src/store/accounts.js';
import { startSubgraph, type Subgraph } from '../../src/http/server.js';
import { silentLogger } from '../../src/observability/logger.js';
import { wandbClient } from '../../emulator/test/helpers/emulator.js';
import { hasRedis, noRedisMessage, startRedis, type TestRedis } from '../helpers/redis.js';
import { basic, startFleet, type TestFleet } from '../helpers/fleet.js';

const describeRedis = hasRedis ? describe : describe.skip;
if (!hasRedis) console.warn(noRedisMessage);

const INTERVAL = 100;
const SUB = `subscription S($path: String!) { runUpdated(path: $path) { path state lastStep } }`;
/** A second key of the demo user: same W&B user, another principal. */
const SECOND_KEY = 'second5eed5eed5eed5eed5eed5eed5eed5eed00';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describeRedis('live runs across a fleet', () => {
  let redis: TestRedis;
  let emulator: Emulator;
  let shared: TestFleet;
  let islands: TestFleet;
  const clients: Client[] = [];
  const w = () => wandbClient(emulator, DEMO_API_KEY);
  const createRun = (name: string) => w().gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "fleet", name: "${name}", state: "running"}) { inserted } }`);
  const step = (name: string, i: number) => w().filestream(`demo/fleet/${name}`, { files: { 'wandb-history.jsonl': { offset: i, content: [JSON.stringify({ _step: i, loss: i })] } } });
  const finish = (name: string) => w().filestream(`demo/fleet/${name}`, { complete: true, exitcode: 0 });
  const polls = () => emulator.requests.filter((r) => r.query.includes('RunLookup')).length;

  function client(replica: Subgraph, key = DEMO_API_KEY): Client {
    const c = createClient({ url: replica.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: basic(key) }, retryAttempts: 0, lazy: false, onNonLazyError: () => {} });
    clients.push(c);
    return c;
  }

  function follow(c: Client, path: string) {
    const events: any[] = [];
    let error: any = null;
    const done = new Promise<void>((resolve) => {
      c.subscribe(
        { query: SUB, variables: { path } },
        {
          next: (v) => (v.errors ? (error = v.errors) : events.push(v.data?.runUpdated)),
          error: (e) => {
            error = e;
            resolve();
          },
          complete: () => resolve(),
        },
      );
    });
    return { events, done, error: () => error };
  }

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({ seed: { historyScale: 0.01 } });
    addApiKey(emulator.db, userByApiKey(emulator.db, DEMO_API_KEY)!.id, SECOND_KEY);
    const live = { intervalMs: INTERVAL, maxIntervalMs: 4 * INTERVAL, maxPerConnection: 50 };
    shared = await startFleet({ redisUrl: redis.url, emulator, subgraph: { live } });
    islands = await startFleet({ redisUrl: null, emulator, subgraph: { live } });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await shared?.close();
    await islands?.close();
    await emulator?.close();
    await redis?.close();
  });

  /** 30 subscribers over the fleet's 3 replicas; the run changes every interval for 10 intervals. */
  async function thirtySubscribers(fleet: TestFleet, name: string) {
    await createRun(name);
    const subs = fleet.replicas.flatMap((replica) => {
      const c = client(replica);
      return Array.from({ length: 10 }, () => follow(c, `demo/fleet/${name}`));
    });
    for (let i = 0; i < 200 && subs.some((s) => s.events.length === 0); i++) await sleep(10);
    await sleep(2 * INTERVAL);
    emulator.resetRequests();
    const started = Date.now();
    for (let i = 0; i < 10; i++) {
      await step(name, i);
      await sleep(INTERVAL);
    }
    const elapsed = Date.now() - started;
    const count = polls();
    await finish(name);
    await Promise.race([Promise.all(subs.map((s) => s.done)), sleep(5000)]);
    return { subs, count, intervals: elapsed / INTERVAL };
  }

  it('30 subscribers over 3 replicas: W&B is polled once per interval with Redis (3 times without), and every subscriber gets every change', async () => {
    const fleet = await thirtySubscribers(shared, 'fleet001');
    const alone = await thirtySubscribers(islands, 'fleet002');
    console.log(
      `30 subscribers on 3 replicas, ${fleet.intervals.toFixed(1)} intervals of ${INTERVAL} ms: ` +
        `${fleet.count} W&B polls with Redis (${(fleet.count / fleet.intervals).toFixed(2)}/interval), ` +
        `${alone.count} without (${(alone.count / alone.intervals).toFixed(2)}/interval)`,
    );
    expect(fleet.count).toBeLessThanOrEqual(Math.ceil(fleet.intervals) + 2);
    expect(fleet.count).toBeGreaterThanOrEqual(Math.floor(fleet.intervals / 2));
    expect(alone.count).toBeGreaterThan(2 * fleet.count);
    for (const s of fleet.subs) {
      expect(s.error()).toBeNull();
      expect(s.events[s.events.length - 1]).toMatchObject({ state: 'FINISHED' });
    }
    // Every subscriber, whichever replica it is on, saw the same changes after its first event.
    const seen = fleet.subs.map((s) => JSON.stringify(s.events.slice(1).map((e) => [e.state, e.lastStep])));
    expect(new Set(seen).size).toBe(1);
    const steps = fleet.subs[0].events.map((e) => e.lastStep).filter((x) => x !== null);
    expect(new Set(steps).size).toBeGreaterThanOrEqual(5);
  });

  it('callers with different keys never share a poll: each key polls with itself, and a key without access gets NOT_FOUND', async () => {
    await createRun('fleet003');
    const [a, b] = shared.replicas;
    const first = follow(client(a), 'demo/fleet/fleet003');
    const second = follow(client(b, SECOND_KEY), 'demo/fleet/fleet003');
    const stranger = follow(client(b, OTHER_API_KEY), 'demo/fleet/fleet003');
    await Promise.race([stranger.done, sleep(3000)]);
    expect(JSON.stringify(stranger.error())).toContain('NOT_FOUND');
    for (let i = 0; i < 100 && (first.events.length === 0 || second.events.length === 0); i++) await sleep(10);
    await sleep(2 * INTERVAL);
    const r = new Redis(redis.url);
    const leases = (await r.keys('*live:lease:*')).filter((k) => k.endsWith('demo/fleet/fleet003'));
    r.disconnect();
    expect(leases).toHaveLength(2);
    for (let i = 0; i < 3; i++) {
      await step('fleet003', i);
      await sleep(2 * INTERVAL);
    }
    await finish('fleet003');
    await Promise.race([Promise.all([first.done, second.done]), sleep(5000)]);
    expect(first.events[first.events.length - 1]).toMatchObject({ state: 'FINISHED', lastStep: 2 });
    expect(second.events[second.events.length - 1]).toMatchObject({ state: 'FINISHED', lastStep: 2 });
    expect(stranger.events).toHaveLength(0);
  });

  it('a replica killed while it polls is taken over within a few intervals, and subscribers elsewhere keep getting changes', async () => {
    // The replica that polls first is a child process, killed with SIGKILL: it releases nothing.
    const { url, child } = await spawnSubgraph({ WANDB_BASE_URL: emulator.url, REDIS_URL: redis.url, LIVE_POLL_INTERVAL_MS: String(INTERVAL), LIVE_MAX_INTERVAL_MS: String(4 * INTERVAL), LOG_LEVEL: 'warn' });
    try {
      const others = await Promise.all(
        [0, 1].map(() => startSubgraph({ wandbBaseUrl: emulator.url, appUrl: 'https://wandb.example.com', serviceKey: null, logger: silentLogger(), redisUrl: redis.url, live: { intervalMs: INTERVAL, maxIntervalMs: 4 * INTERVAL } })),
      );
      try {
        await createRun('fleet004');
        const path = 'demo/fleet/fleet004';
        const onChild = follow(client({ url } as Subgraph), path);
        for (let i = 0; i < 100 && onChild.events.length === 0; i++) await sleep(10);
        await sleep(3 * INTERVAL);
        const subs = others.map((o) => follow(client(o), path));
        for (let i = 0; i < 100 && subs.some((s) => s.events.length === 0); i++) await sleep(10);
        const r = new Redis(redis.url);
        const [lease] = (await r.keys('wrs:live:lease:*')).filter((k) => k.endsWith(path));
        const holder = await r.get(lease);
        await step('fleet004', 0);
        for (let i = 0; i < 100 && subs.some((s) => s.events.at(-1)?.lastStep !== 0); i++) await sleep(10);
        expect(subs.map((s) => s.events.at(-1)?.lastStep)).toEqual([0, 0]);

        child.kill('SIGKILL');
        const killed = Date.now();
        await step('fleet004', 1);
        for (let i = 0; i < 300 && subs.some((s) => s.events.at(-1)?.lastStep !== 1); i++) await sleep(5);
        const takeover = Date.now() - killed;
        const newHolder = await r.get(lease);
        r.disconnect();
        console.log(`poller killed: its poll taken over and the next change delivered after ${takeover} ms (${(takeover / INTERVAL).toFixed(1)} intervals of ${INTERVAL} ms)`);
        expect(newHolder).not.toBeNull();
        expect(newHolder).not.toBe(holder);
        expect(subs.map((s) => s.events.at(-1)?.lastStep)).toEqual([1, 1]);
        expect(takeover).toBeLessThan(4 * INTERVAL + 200);
        await finish('fleet004');
        await Promise.race([Promise.all(subs.map((s) => s.done)), sleep(3000)]);
        expect(subs.map((s) => s.events.at(-1)?.state)).toEqual(['FINISHED', 'FINISHED']);
      } finally {
        await Promise.all(others.map((o) => o.close()));
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
