/**
 * Subscription.runUpdated over graphql-ws: a run followed while a script
 * streams its history through the emulator's filestream, a killed run, a
 * missing run, and 200 subscribers sharing one upstream poll.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../emulator/src/seed.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { storageId, wandbClient } from '../../emulator/test/helpers/emulator.js';

const INTERVAL = 100;
const SUB = `subscription S($path: String!) { runUpdated(path: $path) { path state lastStep summary(keys: ["loss"]) heartbeatAt } }`;

describe('Subscription.runUpdated', () => {
  let stack: Stack;
  const clients: Client[] = [];
  const wsUrl = () => stack.subgraph.url.replace(/^http/, 'ws');
  const client = (key = DEMO_API_KEY) => {
    const c = createClient({ url: wsUrl(), webSocketImpl: WebSocket, connectionParams: { authorization: `Basic ${Buffer.from(`api:${key}`).toString('base64')}` }, retryAttempts: 0 });
    clients.push(c);
    return c;
  };
  const w = () => wandbClient(stack.emulator, DEMO_API_KEY);
  const createRun = (name: string) => w().gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "live", name: "${name}", state: "running"}) { inserted } }`);
  const stream = (name: string, body: unknown) => w().filestream(`demo/live/${name}`, body);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** Collects a subscription's events until it completes or errors. */
  function follow(c: Client, path: string) {
    const events: any[] = [];
    let error: any = null;
    const done = new Promise<void>((resolve) => {
      c.subscribe(
        { query: SUB, variables: { path } },
        {
          next: (v) => events.push(v.data?.runUpdated ?? v),
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
    stack = await startStack({ subgraph: { live: { intervalMs: INTERVAL, maxIntervalMs: 4 * INTERVAL } } });
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    await stack.close();
  });

  it('emits the run at once, then each change as history streams in, then FINISHED and completes', async () => {
    await createRun('live0001');
    const sub = follow(client(), 'demo/live/live0001');
    await sleep(3 * INTERVAL);
    for (let chunk = 0; chunk < 3; chunk++) {
      const content = Array.from({ length: 10 }, (_, i) => JSON.stringify({ _step: chunk * 10 + i, loss: 1 / (chunk * 10 + i + 1) }));
      await stream('live0001', { files: { 'wandb-history.jsonl': { offset: chunk * 10, content }, 'wandb-summary.json': { offset: 0, content: [JSON.stringify({ loss: 1 / (chunk * 10 + 10) })] } } });
      await sleep(4 * INTERVAL);
    }
    await stream('live0001', { complete: true, exitcode: 0 });
    await Promise.race([sub.done, sleep(5000)]);
    expect(sub.error()).toBeNull();
    const states = sub.events.map((e) => e.state);
    expect(states[0]).toBe('RUNNING');
    expect(states[states.length - 1]).toBe('FINISHED');
    expect(states.filter((s) => s === 'FINISHED')).toHaveLength(1);
    const steps = sub.events.map((e) => e.lastStep).filter((s) => s !== null);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(new Set(steps)).toEqual(new Set([9, 19, 29]));
    expect(sub.events[sub.events.length - 1].summary).toEqual({ loss: 1 / 30 });
  });

  it('completes when the run is killed', async () => {
    await createRun('live0002');
    const sub = follow(client(), 'demo/live/live0002');
    await sleep(2 * INTERVAL);
    await w().gql('mutation S($id: ID!) { stopRun(input: {id: $id}) { success } }', { id: storageId('demo', 'live', 'live0002') });
    await Promise.race([sub.done, sleep(5000)]);
    expect(sub.events.map((e) => e.state)).toEqual(['RUNNING', 'KILLED']);
  });

  it('errors with NOT_FOUND for a missing run, and for another user\'s run', async () => {
    for (const [key, path] of [
      [DEMO_API_KEY, 'demo/live/nosuchrun'],
      [OTHER_API_KEY, 'demo/live/live0001'],
    ]) {
      const sub = follow(client(key), path);
      await Promise.race([sub.done, sleep(3000)]);
      const errors = sub.error() ?? sub.events[0]?.errors;
      expect(JSON.stringify(errors)).toContain('NOT_FOUND');
    }
  });

  it('1 subscriber of a changing run causes one upstream poll per interval', async () => {
    await createRun('live0006');
    const sub = follow(client(), 'demo/live/live0006');
    for (let i = 0; i < 100 && sub.events.length === 0; i++) await sleep(20);
    stack.emulator.resetRequests();
    const started = Date.now();
    for (let i = 0; i < 8; i++) {
      await stream('live0006', { files: { 'wandb-history.jsonl': { offset: i, content: [JSON.stringify({ _step: i, loss: i })] } } });
      await sleep(INTERVAL);
    }
    const elapsed = Date.now() - started;
    const polls = stack.emulator.requests.filter((r) => r.query.includes('RunLookup')).length;
    console.log(`1 subscriber: ${polls} upstream polls in ${elapsed} ms (${(elapsed / INTERVAL).toFixed(1)} intervals of ${INTERVAL} ms)`);
    expect(polls).toBeGreaterThanOrEqual(Math.floor(elapsed / INTERVAL / 2));
    expect(polls).toBeLessThanOrEqual(Math.ceil(elapsed / INTERVAL) + 1);
    await stream('live0006', { complete: true, exitcode: 0 });
    await Promise.race([sub.done, sleep(3000)]);
  });

  it('200 subscribers of one run cause one upstream poll per interval', async () => {
    await createRun('live0003');
    // 200 subscribers over 10 connections (at most 20 subscriptions per connection by default).
    const connections = Array.from({ length: 10 }, () => client());
    const subs = Array.from({ length: 200 }, (_, i) => follow(connections[i % 10], 'demo/live/live0003'));
    // Wait for every subscriber's first event (the subscribe-time check with the caller's key).
    for (let i = 0; i < 100 && subs.some((s) => s.events.length === 0); i++) await sleep(20);
    expect(subs.every((s) => s.events.length === 1)).toBe(true);
    // Keep the run changing so the poller stays at its base interval.
    stack.emulator.resetRequests();
    const started = Date.now();
    for (let i = 0; i < 8; i++) {
      await stream('live0003', { files: { 'wandb-history.jsonl': { offset: i, content: [JSON.stringify({ _step: i, loss: i })] } } });
      await sleep(INTERVAL);
    }
    const elapsed = Date.now() - started;
    const polls = stack.emulator.requests.filter((r) => r.query.includes('RunLookup')).length;
    const intervals = elapsed / INTERVAL;
    console.log(`200 subscribers: ${polls} upstream polls in ${elapsed} ms (${intervals.toFixed(1)} intervals of ${INTERVAL} ms)`);
    expect(polls).toBeGreaterThanOrEqual(Math.floor(intervals / 2));
    expect(polls).toBeLessThanOrEqual(Math.ceil(intervals) + 1);
    expect(subs.every((s) => s.events.length > 1)).toBe(true);
    await stream('live0003', { complete: true, exitcode: 0 });
    await Promise.race([Promise.all(subs.map((s) => s.done)), sleep(5000)]);
    expect(subs.every((s) => s.events[s.events.length - 1].state === 'FINISHED')).toBe(true);
  });

  it('refuses more than 20 subscriptions on one connection', async () => {
    await createRun('live0005');
    const c = client();
    const subs = Array.from({ length: 21 }, () => follow(c, 'demo/live/live0005'));
    await sleep(5 * INTERVAL);
    const refused = subs.filter((s) => JSON.stringify(s.error() ?? '').includes('RATE_LIMITED'));
    expect(refused).toHaveLength(1);
  });

  it('one caller holds at most half of the process\'s subscriptions; another caller still gets one', async () => {
    const small = await startStack({ subgraph: { live: { intervalMs: INTERVAL, maxIntervalMs: 4 * INTERVAL, maxSubscriptions: 40 } } });
    const local: Client[] = [];
    const on = (key: string) => {
      const c = createClient({ url: small.subgraph.url.replace(/^http/, 'ws'), webSocketImpl: WebSocket, connectionParams: { authorization: `Basic ${Buffer.from(`api:${key}`).toString('base64')}` }, retryAttempts: 0 });
      local.push(c);
      return c;
    };
    try {
      const upsert = (key: string, entity: string) => wandbClient(small.emulator, key).gql(`mutation { upsertBucket(input: {entityName: "${entity}", modelName: "live", name: "cap0001", state: "running"}) { inserted } }`);
      await upsert(DEMO_API_KEY, 'demo');
      await upsert(OTHER_API_KEY, 'other');
      const mine = [on(DEMO_API_KEY), on(DEMO_API_KEY)].flatMap((c) => Array.from({ length: 15 }, () => follow(c, 'demo/live/cap0001')));
      await sleep(5 * INTERVAL);
      // A refusal in the resolver comes as the subscription's one result, with the error.
      const refusedIn = (x: ReturnType<typeof follow>) => JSON.stringify([x.events, x.error()]).includes('RATE_LIMITED');
      expect(mine.filter(refusedIn)).toHaveLength(10);
      const theirs = follow(on(OTHER_API_KEY), 'other/live/cap0001');
      await sleep(5 * INTERVAL);
      expect(refusedIn(theirs)).toBe(false);
      expect(theirs.events[0]).toMatchObject({ path: 'other/live/cap0001', state: 'RUNNING' });
    } finally {
      for (const c of local) await c.dispose();
      await small.close();
    }
  });

  it('stops polling when the last subscriber leaves', async () => {
    await createRun('live0004');
    const c = client();
    const dispose = c.subscribe({ query: SUB, variables: { path: 'demo/live/live0004' } }, { next: () => {}, error: () => {}, complete: () => {} });
    await sleep(3 * INTERVAL);
    dispose();
    await sleep(2 * INTERVAL);
    stack.emulator.resetRequests();
    await sleep(6 * INTERVAL);
    expect(stack.emulator.requests.filter((r) => r.variables && JSON.stringify(r.variables).includes('live0004'))).toHaveLength(0);
  });
});
