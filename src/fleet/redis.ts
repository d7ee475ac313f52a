import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { scrub, type Logger } from '../observability/logger.js';

/**
 * What the replicas of a fleet share through one Redis (REDIS_URL): a
 * command connection that fails fast while Redis is away (callers then
 * keep to their local state), and a subscriber connection for pub/sub
 * whose channels are restored when Redis comes back.
 */
export interface Fleet {
  /** This replica's name in leases (random per process). */
  readonly id: string;
  /** Prefix of every key and channel this subgraph uses. */
  readonly prefix: string;
  /** Commands; each fails within `commandTimeoutMs` while Redis is away. */
  readonly redis: Redis;
  /** True while the command connection is ready. */
  up(): boolean;
  /** Listens to a channel (messages as strings); returns the function that stops listening. */
  listen(channel: string, onMessage: (message: string) => void): () => void;
  /** Publishes; false when Redis is away (the message is dropped). */
  publish(channel: string, message: string): Promise<boolean>;
  close(): Promise<void>;
}

export interface FleetOptions {
  url: string;
  logger: Logger;
  /** Key and channel prefix (default "wrs:"). */
  prefix?: string;
  /** Longest wait for one Redis command (default 500 ms): past it, the caller uses local state. */
  commandTimeoutMs?: number;
  /** How long start waits for a first connection before going on degraded (default 2 s). */
  connectWaitMs?: number;
}

/**
 * Connects to Redis. Start never fails because Redis is down: the fleet
 * starts degraded (up() false) and reconnects in the background, every
 * 100 ms growing to 2 s.
 */
export async function connectFleet(options: FleetOptions): Promise<Fleet> {
  const logger = options.logger.child({ component: 'redis' });
  const prefix = options.prefix ?? 'wrs:';
  const common = {
    connectTimeout: 1000,
    // How long a closed connection's socket may take to end before it is destroyed (ioredis waits 2 s by
    // default, holding a shutdown that long when Redis is away).
    disconnectTimeout: 200,
    retryStrategy: (times: number) => Math.min(100 * times, 2000),
    // Never ask for a fresh INFO on reconnect loops longer than needed.
    enableReadyCheck: true,
    lazyConnect: true,
  };
  // Commands fail at once while disconnected (no queue that grows while Redis is away).
  const redis = new Redis(options.url, { ...common, enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: options.commandTimeoutMs ?? 500 });
  // Subscriptions are few (one channel per live run): they may wait for the connection.
  const subscriber = new Redis(options.url, { ...common, enableOfflineQueue: true, maxRetriesPerRequest: null });
  let wasUp = false;
  let closing = false;
  redis.on('ready', () => {
    if (!wasUp) logger.info('Redis connected: state is shared with the fleet');
    wasUp = true;
  });
  redis.on('error', (error: Error) => {
    if (wasUp && !closing) logger.warn({ error: scrub(error.message.slice(0, 200)) }, 'Redis unavailable: serving from local state');
    wasUp = false;
  });
  redis.on('close', () => {
    if (wasUp && !closing) logger.warn('Redis connection closed: serving from local state');
    wasUp = false;
  });
  subscriber.on('error', () => {}); // reported by the command connection
  const handlers = new Map<string, Set<(message: string) => void>>();
  subscriber.on('message', (channel: string, message: string) => {
    for (const h of handlers.get(channel) ?? []) h(message);
  });

  const connectWaitMs = options.connectWaitMs ?? 2000;
  await Promise.race([
    Promise.allSettled([redis.connect(), subscriber.connect()]),
    new Promise((r) => setTimeout(r, connectWaitMs).unref()),
  ]);
  if (redis.status !== 'ready') logger.warn('Redis not reachable at start: serving from local state until it is');

  return {
    id: randomUUID(),
    prefix,
    redis,
    up: () => redis.status === 'ready',
    listen(channel, onMessage) {
      let set = handlers.get(channel);
      if (!set) {
        handlers.set(channel, (set = new Set()));
        subscriber.subscribe(channel).catch(() => {});
      }
      set.add(onMessage);
      return () => {
        set.delete(onMessage);
        if (set.size === 0 && handlers.get(channel) === set) {
          handlers.delete(channel);
          subscriber.unsubscribe(channel).catch(() => {});
        }
      };
    },
    async publish(channel, message) {
      try {
        await redis.publish(channel, message);
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      closing = true;
      handlers.clear();
      // Commands already sent (a lease released on shutdown) go first; a Redis that is away is not waited for.
      await Promise.race([redis.quit().catch(() => {}), new Promise((r) => setTimeout(r, 500).unref())]);
      redis.disconnect();
      subscriber.disconnect();
    },
  };
}
