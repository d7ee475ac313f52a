import type { Fleet } from '../fleet/redis.js';

/**
 * One W&B poll per live run per interval for the whole fleet. Every
 * replica with subscribers of a (principal, run) joins its poll; a lease
 * in Redis (SET NX PX, renewed by each poll) names the one replica that
 * polls W&B, and it publishes each change on the poll's channel, which the
 * others relay to their subscribers. A lease not renewed expires (twice
 * the poll interval), and the next replica to check takes the poll over.
 *
 * Polls are keyed by principal (a hash of the caller's Authorization) and
 * run: the lease holder polls with a key of that principal, so what it
 * publishes is what each subscriber's own key may read, and no credential
 * is ever written to Redis. Callers with different keys poll separately.
 *
 * With Redis away, every replica polls for its own subscribers, as a
 * single process does.
 */
export interface PollCoordinator {
  join(key: string, onMessage: (message: string) => void): FleetPoll;
}

export interface FleetPoll {
  /** Whether this replica polls now: takes or renews the lease for `leaseMs` (true when Redis is away). */
  mine(leaseMs: number): Promise<boolean>;
  /** Sends a change to the poll's other replicas. */
  publish(message: string): void;
  /** Leaves the poll, releasing the lease when this replica holds it. */
  leave(): void;
}

export function createPollCoordinator(fleet: Fleet): PollCoordinator {
  const p = `${fleet.prefix}live:`;
  return {
    join(key, onMessage) {
      const lease = `${p}lease:${key}`;
      const channel = `${p}run:${key}`;
      // Messages carry their sender: a replica ignores its own.
      const stop = fleet.listen(channel, (raw) => {
        const at = raw.indexOf('|');
        if (at > 0 && raw.slice(0, at) !== fleet.id) onMessage(raw.slice(at + 1));
      });
      let holding = false;
      return {
        async mine(leaseMs) {
          if (!fleet.up()) return true;
          try {
            const result = await fleet.redis.eval(acquireScript, 1, lease, fleet.id, Math.max(1, Math.round(leaseMs)));
            holding = result === 1;
          } catch {
            holding = true;
          }
          return holding;
        },
        publish(message) {
          void fleet.publish(channel, `${fleet.id}|${message}`);
        },
        leave() {
          stop();
          if (holding && fleet.up()) fleet.redis.eval(releaseScript, 1, lease, fleet.id).catch(() => {});
          holding = false;
        },
      };
    },
  };
}

// Private:

/** KEYS: lease; ARGV: replica id, ms. Takes a free lease or renews ours; 1 when ours. */
const acquireScript = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

/** KEYS: lease; ARGV: replica id. Frees the lease when it is ours. */
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;
