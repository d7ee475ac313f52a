import { createHash, randomUUID } from 'node:crypto';
import { codedError } from '../errors.js';
import type { Fleet } from './redis.js';

/**
 * One write of a run at a time across the fleet: a lease per run in Redis
 * (SET NX PX, renewed while the write runs, released by its holder only),
 * taken around the read and the write back of createRun and updateRun. W&B
 * has no compare-and-set, so without it two replicas writing one run at
 * once each miss the other's write: both create it (the second changing
 * what the first set before it learns of the conflict), or each merges its
 * summary into the summary they both read.
 *
 * A lease lasts `leaseMs` past its last renewal, so a replica that dies
 * holding it frees the run that long after; a write that waits longer than
 * `waitMs` for it fails with CONFLICT and changes nothing. With Redis away,
 * writes go on with the process's own queue (runWrites.ts), as the fleet's
 * other state does.
 */
export interface RunLocks {
  /** Runs `write` holding the run's lease (`key` names the run). */
  hold<T>(key: string, write: () => Promise<T>): Promise<T>;
}

export interface RunLockOptions {
  /** How long a lease outlives its holder's last renewal (default 10 s; renewed every third of it). */
  leaseMs?: number;
  /**
   * How long a write is renewed at most (default 2 min: a write's two upstream calls each end within
   * the upstream budget, 30 s); past it, a write that never ends no longer keeps the run.
   */
  maxHoldMs?: number;
  /** How long a write waits for the lease before failing with CONFLICT (default 10 s). */
  waitMs?: number;
}

/** Deletes the lease only if this holder still has it (one that expired may be another's now). */
const release = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Extends the lease only if this holder still has it. */
const renew = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

export function createRunLocks(fleet: Fleet, options: RunLockOptions = {}): RunLocks {
  const leaseMs = options.leaseMs ?? 10_000;
  const waitMs = options.waitMs ?? 10_000;
  const maxHoldMs = options.maxHoldMs ?? 120_000;
  const keyOf = (run: string) => `${fleet.prefix}write:${createHash('sha256').update(run).digest('hex')}`;

  /**
   * Takes the lease: true once it is this holder's, false when Redis is
   * away (the write goes on without it). `sent` hears of every SET sent: one
   * whose answer was lost may still have taken the lease.
   */
  async function acquire(key: string, token: string, run: string, sent: () => void): Promise<boolean> {
    const deadline = Date.now() + waitMs;
    for (let pause = 10; ; pause = Math.min(pause * 2, 200)) {
      if (!fleet.up()) return false;
      sent();
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
      let sent = false;
      let renewal: NodeJS.Timeout | null = null;
      try {
        // Renewed while the write runs (its upstream calls may take longer than a lease), for maxHoldMs at most.
        if (await acquire(key, token, run, () => (sent = true))) {
          const until = Date.now() + maxHoldMs;
          renewal = setInterval(() => {
            if (Date.now() < until) void fleet.redis.eval(renew, 1, key, token, leaseMs).catch(() => {});
            else clearInterval(renewal!);
          }, leaseMs / 3).unref();
        }
        return await write();
      } finally {
        if (renewal) clearInterval(renewal);
        // Released even when a SET's answer was lost (it may have taken the lease): only this token's is deleted.
        if (sent) void fleet.redis.eval(release, 1, key, token).catch(() => {});
      }
    },
  };
}
