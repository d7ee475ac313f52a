import type { RunParent } from '../loaders/runLoader.js';
import { createRunLoader } from '../loaders/runLoader.js';
import { createWandbApi } from '../wandb/api.js';
import type { UpstreamClient } from '../wandb/client.js';
import type { RunRef } from '../wandb/ids.js';
import type { RunDetailFlags } from '../graphql/selection.js';
import { clientErrorCodes, codedError, hasCode, notFound, type ErrorCode } from '../errors.js';
import type { FleetPoll, PollCoordinator } from './fleetPolls.js';
import { runPath } from '../wandb/paths.js';
import { principalOf } from '../security/credentials.js';

/** What a live run is polled for: its state, heartbeat, summary and last step. */
export const liveDetails: RunDetailFlags = { config: false, summary: null, systemMetrics: false, historyKeys: true };

const terminal = new Set(['finished', 'crashed', 'failed', 'killed', 'preempted']);

export interface LiveOptions {
  /** Poll interval while the run changes. */
  intervalMs: number;
  /** Longest interval once the run is idle (the interval doubles after 3 unchanged polls). */
  maxIntervalMs: number;
  /** Most subscriptions in the process. */
  maxSubscriptions: number;
}

export const defaultLiveOptions: LiveOptions = { intervalMs: 2000, maxIntervalMs: 30_000, maxSubscriptions: 1000 };

/**
 * Live runs for `Subscription.runUpdated`: one poller per run and per
 * caller key, shared by all that caller's subscribers of the run (callers
 * with different keys never share a poller, so nobody sees what their key
 * may not). A poller asks W&B once per interval, backs off while the run
 * is idle, emits the run when its state, heartbeat, last step or summary
 * changes, ends every subscription after a terminal state, and stops when
 * its last subscriber leaves.
 *
 * With a fleet (`coordinator`), the replicas following a (key, run) share
 * one poller: only the replica holding the poll's lease asks W&B, and the
 * changes it sees reach every replica's subscribers (see fleetPolls.ts).
 */
export function createRunWatchers(options: LiveOptions, clientFor: (authorization: string | null) => UpstreamClient, coordinator?: PollCoordinator) {
  const watchers = new Map<string, Watcher>();
  let subscriptions = 0;

  interface Watcher {
    ref: RunRef;
    authorization: string | null;
    subscribers: Set<Subscriber>;
    last: RunParent;
    interval: number;
    unchanged: number;
    timer: NodeJS.Timeout | null;
    fleet?: FleetPoll;
  }

  /** How long a poll's lease lasts: renewed after each poll and before the next, it lapses half an interval after a missed poll. */
  const leaseMs = (w: Watcher) => w.interval + options.intervalMs / 2;

  function schedule(key: string, w: Watcher): void {
    // Renewed from here, so the time W&B takes to answer never lets the lease lapse.
    if (w.fleet) void w.fleet.mine(leaseMs(w));
    w.timer = setTimeout(() => void poll(key, w), w.interval);
    w.timer.unref?.();
  }

  async function poll(key: string, w: Watcher): Promise<void> {
    w.timer = null;
    // In a fleet, another replica may hold this poll: check again in one interval, to take over when it stops.
    if (w.fleet && !(await w.fleet.mine(leaseMs(w)))) {
      if (watchers.get(key) !== w) return;
      w.timer = setTimeout(() => void poll(key, w), options.intervalMs);
      w.timer.unref?.();
      return;
    }
    if (watchers.get(key) !== w) return;
    let run: RunParent | null;
    try {
      // A fresh loader per poll: nothing is cached between polls.
      run = await createRunLoader(createWandbApi(clientFor(w.authorization))).load({ ref: w.ref, details: liveDetails });
    } catch (error) {
      if (watchers.get(key) !== w) return;
      // W&B failing for a while does not end the subscription: poll again, more slowly.
      if (hasCode(error, 'UNAUTHENTICATED') || hasCode(error, 'FORBIDDEN')) {
        w.fleet?.publish(JSON.stringify({ error: { code: (error as { extensions: { code: string } }).extensions.code, message: (error as Error).message } }));
        return stop(key, w, error as Error);
      }
      w.interval = Math.min(options.maxIntervalMs, w.interval * 2);
      return schedule(key, w);
    }
    if (watchers.get(key) !== w) return;
    if (!run) {
      const gone = notFound(`run ${runPath(w.ref)} no longer exists`);
      w.fleet?.publish(JSON.stringify({ error: { code: 'NOT_FOUND', message: gone.message } }));
      return stop(key, w, gone);
    }
    if (changed(w.last, run)) {
      w.fleet?.publish(JSON.stringify({ run }));
      apply(key, w, run);
      if (watchers.get(key) !== w) return;
    } else if (++w.unchanged % 3 === 0) {
      w.interval = Math.min(options.maxIntervalMs, w.interval * 2);
    }
    schedule(key, w);
  }

  /** A changed run (polled here or by another replica) goes to the subscribers; a terminal one ends them. */
  function apply(key: string, w: Watcher, run: RunParent): void {
    w.last = run;
    w.unchanged = 0;
    w.interval = options.intervalMs;
    for (const s of w.subscribers) s.push(run);
    if (isTerminal(run)) stop(key, w, null);
  }

  /** A message from the replica polling a run this one follows too. */
  function relay(key: string, message: string): void {
    const w = watchers.get(key);
    if (!w) return;
    let parsed: { run?: RunParent; error?: { code?: unknown; message?: unknown } };
    try {
      parsed = JSON.parse(message) as typeof parsed;
    } catch {
      return;
    }
    if (parsed.error) {
      const code = typeof parsed.error.code === 'string' && clientErrorCodes.has(parsed.error.code) ? (parsed.error.code as ErrorCode) : 'UPSTREAM_UNAVAILABLE';
      return stop(key, w, codedError(code, typeof parsed.error.message === 'string' ? parsed.error.message.slice(0, 500) : 'live run ended'));
    }
    const run = parsed.run;
    // Only the run this poll follows, and only when it moved on.
    if (!run || typeof run !== 'object' || run.entity !== w.ref.entity || run.project !== w.ref.project || run.name !== w.ref.runId) return;
    if (changed(w.last, run)) apply(key, w, run);
  }

  function stop(key: string, w: Watcher, error: Error | null): void {
    if (w.timer) clearTimeout(w.timer);
    w.fleet?.leave();
    watchers.delete(key);
    for (const s of [...w.subscribers]) {
      if (error) s.fail(error);
      else s.end();
    }
  }

  /** Subscriptions held per caller (principal), while any are. */
  const byCaller = new Map<string, number>();
  const perCaller = Math.max(1, Math.floor(options.maxSubscriptions / 2));

  return {
    /**
     * Subscribes to a run the caller has just been shown to see (`current`
     * was loaded with the caller's key): yields `current` at once, then the
     * run whenever it changes. Throws RATE_LIMITED beyond the process's cap,
     * or beyond half of it for one caller.
     */
    subscribe(authorization: string | null, ref: RunRef, current: RunParent): AsyncIterableIterator<RunParent> {
      if (subscriptions >= options.maxSubscriptions) {
        throw codedError('RATE_LIMITED', `too many live subscriptions on this server (at most ${options.maxSubscriptions})`);
      }
      // One caller (one key, or every caller without one: the service key) holds at most half of them, so that it cannot take all.
      const principal = principalOf(authorization);
      const held = byCaller.get(principal) ?? 0;
      if (held >= perCaller) throw codedError('RATE_LIMITED', `too many live subscriptions for one caller (at most ${perCaller})`);
      byCaller.set(principal, held + 1);
      const key = `${principal}|${runPath(ref)}`;
      let w = watchers.get(key);
      const subscriber = new Subscriber(() => {
        subscriptions--;
        const left = (byCaller.get(principal) ?? 1) - 1;
        if (left <= 0) byCaller.delete(principal);
        else byCaller.set(principal, left);
        if (!w) return;
        w.subscribers.delete(subscriber);
        if (w.subscribers.size === 0 && watchers.get(key) === w) stop(key, w, null);
      });
      subscriptions++;
      subscriber.push(current);
      if (isTerminal(current)) {
        subscriber.end();
        return subscriber;
      }
      if (!w) {
        w = { ref, authorization, subscribers: new Set(), last: current, interval: options.intervalMs, unchanged: 0, timer: null };
        w.fleet = coordinator?.join(key, (message) => relay(key, message));
        watchers.set(key, w);
        schedule(key, w);
      }
      w.subscribers.add(subscriber);
      return subscriber;
    },
    /** Live subscriptions and pollers, for metrics and tests. */
    stats: () => ({ subscriptions, pollers: watchers.size }),
    /** Ends every subscription (shutdown). */
    closeAll(): void {
      for (const [key, w] of [...watchers]) stop(key, w, null);
    },
  };
}

export type RunWatchers = ReturnType<typeof createRunWatchers>;

// Private:

function isTerminal(run: RunParent): boolean {
  return terminal.has((run.state ?? '').toLowerCase());
}

function lastStepOf(run: RunParent): unknown {
  return (run.historyKeys as { lastStep?: unknown } | null | undefined)?.lastStep;
}

function changed(a: RunParent, b: RunParent): boolean {
  return a.state !== b.state || a.heartbeatAt !== b.heartbeatAt || a.summaryMetrics !== b.summaryMetrics || lastStepOf(a) !== lastStepOf(b);
}

/** One subscription: an async iterator fed by its poller, ended when it completes or the caller leaves. */
class Subscriber implements AsyncIterableIterator<RunParent> {
  private queue: RunParent[] = [];
  private waiting: ((r: IteratorResult<RunParent>) => void) | null = null;
  private failWaiting: ((e: Error) => void) | null = null;
  private done = false;
  private error: Error | null = null;

  constructor(private readonly onLeave: () => void) {}

  push(run: RunParent): void {
    if (this.done) return;
    if (this.waiting) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = null;
      resolve({ value: run, done: false });
    } else this.queue.push(run);
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.onLeave();
    if (this.waiting && this.queue.length === 0) {
      const resolve = this.waiting;
      this.waiting = this.failWaiting = null;
      resolve({ value: undefined, done: true });
    }
  }

  fail(error: Error): void {
    if (this.done) return;
    if (this.failWaiting) {
      const reject = this.failWaiting;
      this.waiting = this.failWaiting = null;
      this.done = true;
      this.onLeave();
      reject(error);
      return;
    }
    // Delivered after what is queued.
    this.error = error;
    this.end();
  }

  next(): Promise<IteratorResult<RunParent>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ value, done: false });
    if (this.error) {
      const error = this.error;
      this.error = null;
      return Promise.reject(error);
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = resolve;
      this.failWaiting = reject;
    });
  }

  return(): Promise<IteratorResult<RunParent>> {
    this.queue = [];
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<RunParent> {
    return this;
  }
}
