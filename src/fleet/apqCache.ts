import { InMemoryLRUCache, type KeyValueCache, type KeyValueCacheSetOptions } from '@apollo/utils.keyvaluecache';
import type { Fleet } from './redis.js';

/** Longest time an entry is kept, whatever TTL Apollo asks for. */
export const maxTtlSeconds = 86_400;

/**
 * Apollo Server's cache (automatic persisted queries) shared by the fleet:
 * a bounded in-process LRU in front of Redis. A query registered on one
 * replica is found by the others in Redis; while Redis is away, each
 * replica keeps serving what its own LRU holds (a miss only makes the
 * client resend the query, as APQ allows).
 *
 * Written on ioredis rather than `@apollo/utils.keyvadapter` + `@keyv/redis`:
 * those bring a second Redis client (node-redis) and its own reconnect
 * policy beside the one the fleet already keeps, for three commands.
 */
export function createFleetCache(fleet: Fleet, options: { maxLocalBytes?: number; ttlSeconds?: number } = {}): KeyValueCache<string> {
  const local = new InMemoryLRUCache<string>({ maxSize: options.maxLocalBytes ?? 16 * 1_048_576, sizeCalculation: InMemoryLRUCache.sizeCalculation });
  const defaultTtl = Math.min(options.ttlSeconds ?? maxTtlSeconds, maxTtlSeconds);
  const key = (k: string) => `${fleet.prefix}kv:${k}`;
  return {
    async get(k: string): Promise<string | undefined> {
      const hit = await local.get(k);
      if (hit !== undefined || !fleet.up()) return hit;
      try {
        const [[, value], [, ttl]] = (await fleet.redis.multi().get(key(k)).pttl(key(k)).exec()) as [[unknown, string | null], [unknown, number]];
        if (value === null) return undefined;
        await local.set(k, value, { ttl: ttl > 0 ? Math.ceil(ttl / 1000) : defaultTtl });
        return value;
      } catch {
        return undefined;
      }
    },
    async set(k: string, value: string, setOptions?: KeyValueCacheSetOptions): Promise<void> {
      const ttl = Math.min(setOptions?.ttl ?? defaultTtl, defaultTtl);
      await local.set(k, value, { ttl });
      if (!fleet.up()) return;
      try {
        await fleet.redis.set(key(k), value, 'EX', Math.max(1, Math.ceil(ttl)));
      } catch {
        // Kept locally; the other replicas ask the client to resend.
      }
    },
    async delete(k: string): Promise<boolean | void> {
      await local.delete(k);
      if (!fleet.up()) return;
      try {
        await fleet.redis.del(key(k));
      } catch {
        // The entry expires by its TTL.
      }
    },
  };
}
