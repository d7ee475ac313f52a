import { createHash, randomUUID } from 'node:crypto';
import { codedError } from '../errors.js';
import type { Fleet } from './redis.js';

/**
 * One write of a run at a time across the fleet: a lease per run in Redis
 * (SET NX PX, released by its holder only), taken around the read and the
 * write back of createRun and updateRun. W&B has no compare-and-set, so
 * without it two replicas writing one run at once each miss the other's
 * write: both create it (the second changing what the first set before it
 * learns of the conflict), or each merges its summary into the summary
 * they both read.
 *
 * The lease is bounded (a replica that dies holding it frees the run after
 * `leaseMs`); a write that waits longer than `waitMs` for it fails with
 * CONFLICT and changes nothing. With Redis away, writes go on with the
 * process's own queue (runWrites.ts), as the fleet's other state does.
 */
export interface RunLocks {
  /** Runs `write` holding the run's lease (`key` names the run). */
  hold<T>(key: string, write: () => Promise<T>): Promise<T>;
}

export interface RunLockOptions {
  /** How long a lease lasts at most (default 30 s, longer than a write's upstream attempts). */
  leaseMs?: number;
  /** How long a write waits for the lease before failing with CONFLICT (default 10 s). */
  waitMs?: number;
}

/** Deletes the lease only if this holder still has it (one that expired may be another's now). */
const release = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export function createRunLocks(fleet: Fleet, options: RunLockOptions = {}): RunLocks {
  const leaseMs = options.leaseMs ?? 30_000;
  const waitMs = options.waitMs ?? 10_000;
  const keyOf = (run: string) => `${fleet.prefix}write:${createHash('sha256').update(run).digest('hex')}`;

  /** True once the lease is this holder's; false when Redis is away (the write goes on without it). */
  async function acquire(key: string, token: string, run: string): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      if (!fleet.up()) return false;
      try {
        if ((await fleet.redis.set(key, token, 'PX', leaseMs, 'NX')) === 'OK') return true;
      } catch {
        return false;
      }
      if (Date.now() + pause > deadline) throw codedError('CONFLICT', `run ${run} is being written by another request: retry`);
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  return {
    async hold(run, write) {
      const key = keyOf(run);
      const token = randomUUID();
      const held = await acquire(key, token, run);
      try {
        return await write();
      } finally {
        if (held) await fleet.redis.eval(release, 1, key, token).catch(() => {});
      }
    },
  };
}
