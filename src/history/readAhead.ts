import type { SharedWindows } from '../fleet/sharedWindows.js';
import type { RunField } from '../wandb/documents.js';
import { firstWindowField } from './history.js';
import { maxUpstreamJsonDepth } from '../wandb/trust.js';

/**
 * A small per-process cache for reading an ended run's history page after
 * page: when a page is served, the next page's first window is fetched in
 * the background; the next request then needs no upstream request at all.
 * Entries are keyed by a hash of the caller's Authorization (one caller
 * never gets another's entries), hold only ended runs' immutable data, and
 * expire after `ttlMs` (a window also leaves once it has served its page);
 * the cache holds at most `maxBytes` (values measured by bytesOf),
 * dropping the least recently used; an entry larger than that on its own
 * is not kept at all (a window still on its way is dropped when it arrives
 * too large).
 *
 * With a fleet (`shared`), what is read ahead is also written to Redis,
 * under the same keys, so the replica serving the next page finds it.
 * The rule for who may read an entry is the same everywhere: only the
 * principal it was fetched for (a hash of that caller's Authorization).
 * Two keys of one W&B user are two principals; sharing across them would
 * need an access check per page, which costs the W&B request the cache
 * saves.
 */
export function createReadAheadCache(options: { ttlMs: number; maxBytes: number; shared?: SharedWindows }) {
  const entries = new Map<string, { value: unknown; bytes: number; expires: number }>();
  let bytes = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (e) {
      bytes -= e.bytes;
      entries.delete(key);
    }
  };
  const cache = {
    get(key: string): unknown {
      const e = entries.get(key);
      if (!e) return undefined;
      if (e.expires < Date.now()) {
        drop(key);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, e);
      return e.value;
    },
    /** Keeps `value` measured at `size` bytes; one larger than the whole cache replaces nothing and is not kept. */
    set(key: string, value: unknown, size: number): void {
      drop(key);
      if (size > options.maxBytes) return;
      entries.set(key, { value, bytes: size, expires: Date.now() + options.ttlMs });
      bytes += size;
      for (const k of entries.keys()) {
        if (bytes <= options.maxBytes) break;
        drop(k);
      }
    },
    has(key: string): boolean {
      return this.get(key) !== undefined;
    },
    delete(key: string): void {
      drop(key);
    },
    get size() {
      return { entries: entries.size, bytes };
    },
    shared: options.shared,
  };
  // In a fleet, what any replica reads ahead is kept here too (counted like the rest), unless already held.
  options.shared?.onStored((key, text) => {
    if (entries.has(key)) return;
    try {
      const value = JSON.parse(text) as unknown;
      cache.set(key, value, text.length);
    } catch {
      // Not JSON: ignored.
    }
  });
  return cache;
}

export type ReadAheadCache = ReturnType<typeof createReadAheadCache>;


// Keys. Runs are remembered with the detail flags they were fetched with; windows by their exact upstream field.
const runKey = (principal: string, path: string, details: unknown) => `${principal}|run|${path}|${JSON.stringify(details)}`;
const windowKey = (principal: string, path: string, field: unknown) => `${principal}|win|${path}|${JSON.stringify(field)}`;

interface Remembered {
  cache: ReadAheadCache | undefined;
  principal: string;
}

/**
 * An ended run and the history windows a query wants, when all of them
 * were read ahead for this caller (a window still on its way is waited
 * for); else undefined (ask W&B).
 */
export async function recallRun<R extends { prefetched?: { field: F; value: unknown }[] }, F extends RunField>(ctx: Remembered, path: string, details: unknown, windows: readonly F[]): Promise<R | undefined> {
  return (await recallLocal<R, F>(ctx, path, details, windows)) ?? recallShared<R, F>(ctx, path, details, windows);
}

/**
 * Claims, fleet-wide, the reading ahead of these windows for this caller:
 * true for each window no replica has read or is reading (this one should).
 * Without a fleet, each window not held locally is this process's to read.
 */
export async function claimWindows(ctx: Remembered, path: string, fields: readonly unknown[]): Promise<boolean[]> {
  const local = fields.map((f) => !hasWindow(ctx, path, f));
  const shared = ctx.cache?.shared;
  if (!shared) return local;
  const claims = await shared.claim(
    fields.map((f) => windowKey(ctx.principal, path, f)),
    claimMs,
  );
  return local.map((mine, i) => mine && claims[i]);
}

/** Remembers an ended run (without its windows) and the windows fetched with it, for this caller. */
export function rememberRun<R extends { prefetched?: { field: unknown; value: unknown }[] }>(ctx: Remembered, path: string, details: unknown, run: R): void {
  if (!ctx.cache) return;
  const { prefetched, ...bare } = run;
  ctx.cache.set(runKey(ctx.principal, path, details), bare, bytesOf(bare));
  void ctx.cache.shared?.set(runKey(ctx.principal, path, details), JSON.stringify(bare));
  for (const { field, value } of prefetched ?? []) rememberWindow(ctx, path, field, value);
}

/**
 * Remembers one history window of an ended run, for this caller. A window
 * still on its way is remembered as its promise (counted at `expectedBytes`;
 * measured again once it arrives, and dropped if too large)
 * so that the next request waits for it instead of asking again.
 */
export function rememberWindow(ctx: Remembered, path: string, field: unknown, value: unknown, expectedBytes = 1): void {
  const cache = ctx.cache;
  if (!cache) return;
  const key = windowKey(ctx.principal, path, field);
  if (value instanceof Promise) {
    cache.set(key, value, expectedBytes);
    value.then(
      (v: unknown) => {
        if (cache.get(key) === value) cache.set(key, v, bytesOf(v));
        void cache.shared?.set(key, JSON.stringify(v));
      },
      () => {
        if (cache.get(key) === value) cache.delete(key);
        void cache.shared?.release([key]);
      },
    );
    return;
  }
  cache.set(key, value, bytesOf(value));
  void cache.shared?.set(key, JSON.stringify(value));
}

/** True when this caller already has that window read ahead. */
export function hasWindow(ctx: Remembered, path: string, field: unknown): boolean {
  return ctx.cache?.has(windowKey(ctx.principal, path, field)) ?? false;
}

// Private:

/** How long a replica's claim to read a window ahead holds (it is usually done in one W&B round trip). */
const claimMs = 3_000;
/** How long a page waits for a window another replica is reading ahead, before asking W&B itself. */
const waitForClaimMs = 2_000;

/** The run and windows from this process's cache, when all are there (a window on its way is waited for). */
async function recallLocal<R extends { prefetched?: { field: F; value: unknown }[] }, F extends RunField>(ctx: Remembered, path: string, details: unknown, windows: readonly F[]): Promise<R | undefined> {
  if (!ctx.cache) return undefined;
  const run = ctx.cache.get(runKey(ctx.principal, path, details)) as R | undefined;
  if (!run) return undefined;
  const pending = windows.map((field) => ctx.cache!.get(windowKey(ctx.principal, path, field)));
  if (pending.some((v) => v === undefined)) return undefined;
  try {
    const values = await Promise.all(pending);
    // A window serves one page: a scan never asks for it again, so it leaves the cache now.
    for (const field of windows) ctx.cache.delete(windowKey(ctx.principal, path, field));
    if (ctx.cache.shared) void ctx.cache.shared.delete(windows.map((field) => windowKey(ctx.principal, path, field)));
    return { ...run, prefetched: windows.map((field, i) => ({ field, value: values[i] })) };
  } catch {
    return undefined;
  }
}

/**
 * The run and windows from the fleet's shared read-ahead; a window another
 * replica is still reading is waited for (up to waitForClaimMs), mostly
 * here: it is published to every replica as soon as it is stored.
 */
async function recallShared<R extends { prefetched?: { field: F; value: unknown }[] }, F extends RunField>(ctx: Remembered, path: string, details: unknown, windows: readonly F[]): Promise<R | undefined> {
  const shared = ctx.cache?.shared;
  if (!shared) return undefined;
  const keys = [runKey(ctx.principal, path, details), ...windows.map((field) => windowKey(ctx.principal, path, field))];
  const deadline = Date.now() + waitForClaimMs;
  for (;;) {
    const got = await shared.getOrClaimed(keys);
    if (!got || got.values[0] === null) return undefined;
    const { values, claimed } = got;
    if (values.every((v) => v !== null)) {
      try {
        const run = JSON.parse(values[0]) as R;
        const prefetched = windows.map((field, i) => ({ field, value: JSON.parse(values[i + 1]!) as unknown }));
        void shared.delete(keys.slice(1));
        return { ...run, prefetched };
      } catch {
        return undefined;
      }
    }
    // Wait only for windows some replica is reading now: for them to be published here, asking Redis again now and then.
    if (values.some((v, i) => i > 0 && v === null && !claimed[i]) || Date.now() >= deadline) return undefined;
    const until = Math.min(deadline, Date.now() + 40);
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 2));
      const here = await recallLocal<R, F>(ctx, path, details, windows);
      if (here) return here;
    }
  }
}

/**
 * About the memory a value holds, in bytes, for the cache's bound: each
 * string's length (a Latin-1 string's bytes; UTF-16 code units otherwise),
 * and 8 for every other scalar, item and key; Infinity past
 * `maxMeasuredDepth` levels (never kept). A walk, not JSON.stringify,
 * which escapes every quote of a window's 1,000 row texts only to count
 * them: 0.3 ms for each 1,000-row window remembered, against 6 µs.
 */
export function bytesOf(value: unknown, depth = 0): number {
  if (typeof value === 'string') return value.length;
  if (typeof value !== 'object' || value === null) return 8;
  if (depth >= maxMeasuredDepth) return Infinity;
  let bytes = 8;
  if (Array.isArray(value)) for (const item of value as unknown[]) bytes += 8 + bytesOf(item, depth + 1);
  else for (const [key, item] of Object.entries(value)) bytes += 8 + key.length + bytesOf(item, depth + 1);
  return bytes;
}

/** Levels bytesOf walks: W&B's values are checked to maxUpstreamJsonDepth, wrapped in a few of ours. */
const maxMeasuredDepth = maxUpstreamJsonDepth + 8;

/** Rows of an ended run's history read ahead of one caller's scan: at most 3 pages, at least 1. */
const readAheadRows = 3000;
/** Rows read ahead beyond that in a fleet (one more page of 1,000). */
const fleetExtraRows = 1100;

/**
 * Fetches, in the background, the first windows of the pages after one
 * that ended before `start` (an ended run's history does not change),
 * guessing that each page ends `first` steps later, as it does for a run
 * logged every step; a wrong guess only means that page asks W&B itself.
 * Only for runs a Query.run returned: that is where the windows are recalled.
 */
export function readAheadPages(
  ctx: Remembered,
  path: string,
  load: (field: RunField) => Promise<unknown>,
  page: { keys: string[] | null; start: number; first: number; maxStep: number | null; lastStep: number },
): void {
  const cache = ctx.cache;
  if (!cache) return;
  // Memory stays bounded by the page size: big pages are read only one ahead. In a fleet, one page more:
  // a window crosses Redis before the replica serving its page has it.
  const rowsAhead = cache.shared ? readAheadRows + fleetExtraRows : readAheadRows;
  const depth = Math.min(3, Math.max(1, Math.floor(rowsAhead / (page.first + 1))));
  const next: RunField[] = [];
  for (let k = 0; k < depth; k++) {
    const from = page.start + k * page.first;
    if (from > page.lastStep) break;
    const f = firstWindowField(page.keys, from, page.first, page.maxStep);
    if (f) next.push(f);
  }
  const read = (mine: boolean[]) =>
    next.forEach((f, i) => {
      if (!mine[i]) return;
      const value = load(f);
      value.catch(() => {}); // a failed read-ahead only means that page asks W&B itself
      rememberWindow(ctx, path, f, value, page.first + 1);
    });
  // In a fleet, the replicas agree (in Redis) on which one reads each window ahead.
  if (cache.shared) void claimWindows(ctx, path, next).then(read, () => {});
  else read(next.map((f) => !hasWindow(ctx, path, f)));
}
