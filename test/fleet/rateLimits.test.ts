/**
 * W&B's rate limits across the fleet: a 429 seen by one replica holds
 * back that key's requests on every replica until Retry-After has passed
 * (without Redis, only on the replica that saw it); other keys go on.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../emulator/src/seed.js';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { hasRedis, noRedisMessage, startRedis, type TestRedis } from '../helpers/redis.js';
import { basic, post, startFleet, type TestFleet } from '../helpers/fleet.js';

const describeRedis = hasRedis ? describe : describe.skip;
if (!hasRedis) console.warn(noRedisMessage);

const QUERY = `{ runs(entity: "acme-ml", project: "image-classification", first: 1) { totalCount } }`;
const OTHER_QUERY = `{ runs(entity: "other", project: "nothing", first: 1) { totalCount } }`;

/** A W&B in front of the emulator that refuses the next request with 429 when told to, and logs arrivals. */
async function startLimiter(target: string) {
  const upstream = new URL(target);
  const arrivals: { at: number; auth: string }[] = [];
  let refuseNext: string | null = null;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      arrivals.push({ at: Date.now(), auth: String(req.headers.authorization) });
      if (refuseNext !== null) {
        res.writeHead(429, { 'retry-after': refuseNext, 'content-type': 'text/plain' }).end('slow down');
        refuseNext = null;
        return;
      }
      const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      out.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    refuseNextWith: (retryAfterSeconds: number) => (refuseNext = String(retryAfterSeconds)),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeRedis('W&B rate limits shared by the fleet', () => {
  let redis: TestRedis;
  let emulator: Emulator;
  let limiter: Awaited<ReturnType<typeof startLimiter>>;
  let shared: TestFleet;
  let islands: TestFleet;

  beforeAll(async () => {
    redis = await startRedis();
    emulator = await startEmulator({ seed: { historyScale: 0.01 } });
    limiter = await startLimiter(emulator.url);
    const fakeWandb = { url: limiter.url } as Emulator;
    shared = await startFleet({ redisUrl: redis.url, emulator: fakeWandb });
    islands = await startFleet({ redisUrl: null, emulator: fakeWandb });
  });
  afterAll(async () => {
    await shared?.close();
    await islands?.close();
    await limiter?.close();
    await emulator?.close();
    await redis?.close();
  });

  /** Replica 0 meets a 429 with Retry-After 1; 100 ms later replicas 1 and 2 ask with the same key, and one with another key. */
  async function scenario(fleet: TestFleet) {
    const [a, b, c] = fleet.replicas;
    limiter.arrivals.length = 0;
    limiter.refuseNextWith(1);
    const started = Date.now();
    const first = post(a.url, DEMO_API_KEY, { query: QUERY });
    // Once W&B has refused replica 0 (and the word has had 100 ms to spread), the others ask.
    while (limiter.arrivals.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 100));
    const others = [post(b.url, DEMO_API_KEY, { query: QUERY }), post(c.url, DEMO_API_KEY, { query: QUERY })];
    const stranger = await post(b.url, OTHER_API_KEY, { query: OTHER_QUERY });
    const results = await Promise.all([first, ...others]);
    const sameKey = limiter.arrivals.filter((x) => x.auth === basic(DEMO_API_KEY));
    // Requests with the limited key that reached W&B before its Retry-After had passed (the 429 itself excluded).
    const early = sameKey.slice(1).filter((x) => x.at - sameKey[0].at < 950).length;
    return { results, early, stranger, sameKey: sameKey.length, elapsed: Date.now() - started };
  }

  it('a 429 on one replica holds back that key on every replica until Retry-After; other keys go on', async () => {
    const fleet = await scenario(shared);
    const alone = await scenario(islands);
    console.log(`429 with Retry-After 1 s on one replica: requests with that key sent to W&B before it passed: ${fleet.early} with Redis, ${alone.early} without`);
    for (const r of fleet.results) expect(r.errors).toBeUndefined();
    expect(fleet.early).toBe(0);
    expect(alone.early).toBeGreaterThanOrEqual(2);
    // The other key was not held back: answered (with its own error, from W&B) before the limited key's wait ended.
    expect(fleet.stranger.status).toBe(200);
  });

  it('a Retry-After longer than the request budget answers RATE_LIMITED on every replica without asking W&B', async () => {
    const [a, b, c] = shared.replicas;
    limiter.arrivals.length = 0;
    limiter.refuseNextWith(120);
    const first = await post(a.url, DEMO_API_KEY, { query: QUERY });
    expect(first.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfter: 120 });
    await new Promise((r) => setTimeout(r, 100));
    for (const replica of [b, c]) {
      const held = await post(replica.url, DEMO_API_KEY, { query: QUERY });
      expect(held.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(held.errors?.[0]?.extensions?.retryAfter).toBeGreaterThan(100);
    }
    expect(limiter.arrivals).toHaveLength(1);
  });
});
