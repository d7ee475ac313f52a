import type { Fleet } from './redis.js';
import { maxRetryAfterMs } from '../wandb/policy.js';

/**
 * W&B's rate-limit state, per W&B key (principal): after a 429, requests
 * with that key wait until the time W&B named (Retry-After) instead of
 * being sent. W&B limits each API key, so one caller's 429 does not hold
 * back the others. A 429 seen by one replica is published and every
 * replica backs off together. (The server uses it with a fleet only: a
 * single process retries each request by W&B's Retry-After, as before.)
 */
export interface RateLimitGate {
  /** Milliseconds to wait before sending with this principal's key (0: send now). */
  waitMs(principal: string): number;
  /** W&B refused this principal until `until` (epoch ms). */
  limited(principal: string, until: number): void;
  close(): void;
}

/** Principals remembered at most (each entry leaves once its time has passed). */
const maxEntries = 10_000;
/** Longest back-off accepted from W&B or from another replica (the one a Retry-After is believed for). */
const maxWaitMs = maxRetryAfterMs;

export function createRateLimitGate(fleet?: Fleet): RateLimitGate {
  const until = new Map<string, number>();
  const channel = fleet ? `${fleet.prefix}ratelimit` : '';

  function note(principal: string, at: number): boolean {
    const now = Date.now();
    const capped = Math.min(at, now + maxWaitMs);
    if (capped <= now || (until.get(principal) ?? 0) >= capped) return false;
    if (until.size >= maxEntries) {
      for (const [p, t] of until) if (t <= now) until.delete(p);
      // Still full: the oldest entry makes room.
      if (until.size >= maxEntries) until.delete(until.keys().next().value!);
    }
    until.set(principal, capped);
    return true;
  }

  const stop = fleet?.listen(channel, (message) => {
    try {
      const { p, until: at } = JSON.parse(message) as { p?: unknown; until?: unknown };
      if (typeof p === 'string' && p.length <= 64 && typeof at === 'number' && Number.isFinite(at)) note(p, at);
    } catch {
      // Not ours: ignored.
    }
  });

  return {
    waitMs(principal) {
      const t = until.get(principal);
      if (t === undefined) return 0;
      const wait = t - Date.now();
      if (wait <= 0) until.delete(principal);
      return Math.max(0, wait);
    },
    limited(principal, at) {
      if (note(principal, at) && fleet) void fleet.publish(channel, JSON.stringify({ p: principal, until: Math.min(at, Date.now() + maxWaitMs) }));
    },
    close() {
      stop?.();
    },
  };
}
