import { createHash } from 'node:crypto';
import type { Fleet } from './redis.js';

/**
 * The history read-ahead shared by the fleet: ended runs and their
 * history windows, as JSON text in Redis, so a scan whose pages land on
 * different replicas finds each page read ahead by whichever replica
 * served the page before. Keys are the read-ahead's own (principal | run
 * | window), hashed: an entry is found only with the key of the caller
 * it was fetched for (see readAhead.ts for the rule).
 *
 * Each entry stored is also published to every replica, which keeps it in
 * its own bounded read-ahead cache: the replica serving the next page
 * usually has the window already, without a round trip to Redis (under
 * load, every hop between processes costs as much as a page).
 *
 * Bounded by bytes in Redis itself: a script keeps the total size of the
 * entries under `maxBytes`, dropping the oldest first, and every entry has
 * a TTL. Any Redis failure reads as a miss (the caller asks W&B).
 */
export interface SharedWindows {
  /** The values of `keys` (null where absent), or null when Redis is away. */
  getMany(keys: readonly string[]): Promise<(string | null)[] | null>;
  /** The values of `keys` and, in the same round trip, whether each is claimed (null when Redis is away). */
  getOrClaimed(keys: readonly string[]): Promise<{ values: (string | null)[]; claimed: boolean[] } | null>;
  /** Stores one entry (dropped when larger than the per-entry cap). */
  set(key: string, value: string): Promise<void>;
  /** Removes entries and their claims (a window serves one page; read again, it is fetched again). */
  delete(keys: readonly string[]): Promise<void>;
  /** Gives up claims (a read-ahead that failed), so no page waits for it. */
  release(keys: readonly string[]): Promise<void>;
  /** Hears every entry stored by any replica (this one included), as it is stored. */
  onStored(handler: (key: string, value: string) => void): () => void;
  /**
   * Claims the fetching of entries for `claimMs`: true for each key that
   * no replica claimed or stored before (this one should fetch it). With
   * Redis away, every key is this replica's to fetch.
   */
  claim(keys: readonly string[], claimMs: number): Promise<boolean[]>;
  /** Which of `keys` some replica is fetching now (null when Redis is away). */
  claimed(keys: readonly string[]): Promise<boolean[] | null>;
}

export interface SharedWindowsOptions {
  /** Most bytes of entries in Redis (default 64 MiB). */
  maxBytes?: number;
  /** Largest entry (default 4 MiB); larger ones stay local. */
  maxEntryBytes?: number;
  /** How long an entry lives (default 30 s: ended runs' history is immutable; this bounds memory, not staleness). */
  ttlMs?: number;
}

export function createSharedWindows(fleet: Fleet, options: SharedWindowsOptions = {}): SharedWindows {
  const maxBytes = options.maxBytes ?? 64 * 1_048_576;
  const maxEntryBytes = Math.min(options.maxEntryBytes ?? 4 * 1_048_576, maxBytes);
  const ttlMs = options.ttlMs ?? 30_000;
  const p = `${fleet.prefix}ra:`;
  const index = `${p}index`;
  const sizes = `${p}sizes`;
  const total = `${p}bytes`;
  const entry = (key: string) => `${p}e:${createHash('sha256').update(key).digest('hex')}`;
  const claimKey = (key: string) => `${p}c:${createHash('sha256').update(key).digest('hex')}`;
  const channel = `${p}stored`;

  return {
    async getMany(keys) {
      if (!fleet.up()) return null;
      try {
        return await fleet.redis.mget(keys.map(entry));
      } catch {
        return null;
      }
    },
    async getOrClaimed(keys) {
      if (!fleet.up()) return null;
      try {
        const pipeline = fleet.redis.pipeline().mget(keys.map(entry));
        for (const k of keys) pipeline.exists(claimKey(k));
        const results = (await pipeline.exec()) ?? [];
        if (results.some(([error]) => error)) return null;
        return { values: results[0][1] as (string | null)[], claimed: keys.map((_, i) => results[i + 1][1] === 1) };
      } catch {
        return null;
      }
    },
    async set(key, value) {
      if (!fleet.up() || Buffer.byteLength(value) > maxEntryBytes) return;
      try {
        // Published first: the replica serving the next page is usually waiting for it. Keys are JSON-escaped text: no newline.
        void fleet.publish(channel, `${key}\n${value}`);
        await fleet.redis.eval(setScript, 4, entry(key), index, sizes, total, value, ttlMs, maxBytes, Date.now());
      } catch {
        // Not shared; the other replicas ask W&B.
      }
    },
    async delete(keys) {
      if (!fleet.up() || keys.length === 0) return;
      try {
        await fleet.redis.eval(deleteScript, 3 + keys.length, index, sizes, total, ...keys.map(entry));
        await fleet.redis.del(...keys.map(claimKey));
      } catch {
        // The entries expire by their TTL.
      }
    },
    async release(keys) {
      if (!fleet.up() || keys.length === 0) return;
      try {
        await fleet.redis.del(...keys.map(claimKey));
      } catch {
        // The claims expire by their TTL.
      }
    },
    async claim(keys, claimMs) {
      if (!fleet.up()) return keys.map(() => true);
      try {
        const pipeline = fleet.redis.pipeline();
        for (const k of keys) {
          pipeline.exists(entry(k));
          pipeline.set(claimKey(k), fleet.id, 'PX', claimMs, 'NX');
        }
        const results = (await pipeline.exec()) ?? [];
        return keys.map((_, i) => results[2 * i]?.[1] === 0 && results[2 * i + 1]?.[1] === 'OK');
      } catch {
        return keys.map(() => true);
      }
    },
    onStored(handler) {
      return fleet.listen(channel, (message) => {
        const at = message.indexOf('\n');
        if (at > 0 && message.length - at - 1 <= maxEntryBytes) handler(message.slice(0, at), message.slice(at + 1));
      });
    },
    async claimed(keys) {
      if (!fleet.up()) return null;
      try {
        const pipeline = fleet.redis.pipeline();
        for (const k of keys) pipeline.exists(claimKey(k));
        const results = (await pipeline.exec()) ?? [];
        return keys.map((_, i) => results[i]?.[1] === 1);
      } catch {
        return null;
      }
    },
  };
}

// Private:

/** The Lua function `forget(k)`: removes an entry with its index, size and share of the total (given as KEYS expressions). */
function forgetScript(index: string, sizes: string, total: string): string {
  return `local function forget(k)
  local s = tonumber(redis.call('HGET', ${sizes}, k) or '0')
  redis.call('HDEL', ${sizes}, k)
  redis.call('ZREM', ${index}, k)
  redis.call('DECRBY', ${total}, s)
  redis.call('DEL', k)
end`;
}

/**
 * KEYS: entry, index (zset: entry → expiry), sizes (hash: entry → bytes), total (bytes).
 * ARGV: value, ttl ms, max bytes, now ms. Forgets expired entries, stores
 * this one, then drops the soonest to expire (the oldest) while over max.
 */
const setScript = `
local now = tonumber(ARGV[4])
${forgetScript('KEYS[2]', 'KEYS[3]', 'KEYS[4]')}
for _, k in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', now * 1000 + 999)) do forget(k) end
if redis.call('HEXISTS', KEYS[3], KEYS[1]) == 1 then forget(KEYS[1]) end
local size = string.len(ARGV[1])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
-- Scored by expiry in ms × 1000 plus a sequence, so entries stored in the same millisecond keep their order.
local seq = redis.call('INCR', KEYS[2] .. ':seq') % 1000
redis.call('ZADD', KEYS[2], (now + tonumber(ARGV[2])) * 1000 + seq, KEYS[1])
redis.call('HSET', KEYS[3], KEYS[1], size)
local bytes = redis.call('INCRBY', KEYS[4], size)
while bytes > tonumber(ARGV[3]) do
  local oldest = redis.call('ZRANGE', KEYS[2], 0, 0)[1]
  if not oldest then break end
  forget(oldest)
  bytes = tonumber(redis.call('GET', KEYS[4]) or '0')
end
return bytes
`;

/** KEYS: index, sizes, total, then the entries to remove. */
const deleteScript = `
${forgetScript('KEYS[1]', 'KEYS[2]', 'KEYS[3]')}
for i = 4, #KEYS do forget(KEYS[i]) end
return 1
`;
