import { createHash } from 'node:crypto';
import { fieldKey, type RunField } from '../wandb/documents.js';
import { firstWindowField } from './history.js';

/**
 * A small per-process cache for reading an ended run's history page after
 * page: when a page is served, the next page's first window is fetched in
 * the background; the next request then needs no upstream request at all.
 * Entries are keyed by a hash of the caller's Authorization (one caller
 * never gets another's entries), hold only ended runs' immutable data, and
 * expire after `ttlMs` (a window also leaves once it has served its page);
 * the cache holds at most `maxRows` history rows, dropping the least
 * recently used.
 */
export function createReadAheadCache(options: { ttlMs: number; maxRows: number }) {
  const entries = new Map<string, { value: unknown; rows: number; expires: number }>();
  let rows = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (e) {
      rows -= e.rows;
      entries.delete(key);
    }
  };
  return {
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
    set(key: string, value: unknown, size: number): void {
      if (size > options.maxRows) return;
      drop(key);
      entries.set(key, { value, rows: size, expires: Date.now() + options.ttlMs });
      rows += size;
      for (const k of entries.keys()) {
        if (rows <= options.maxRows) break;
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
      return { entries: entries.size, rows };
    },
  };
}

export type ReadAheadCache = ReturnType<typeof createReadAheadCache>;

/** The cache's name for a caller: a hash of the Authorization sent upstream. */
export function principalOf(authorization: string | null): string {
  return authorization === null ? '-' : createHash('sha256').update(authorization).digest('hex').slice(0, 32);
}

// Keys. Runs are remembered with the detail flags they were fetched with; windows by their exact upstream field.
const runKey = (principal: string, path: string, details: unknown) => `${principal}|run|${path}|${JSON.stringify(details)}`;
const windowKey = (principal: string, path: string, field: RunField) => `${principal}|win|${path}|${fieldKey(field)}`;

interface Remembered {
  cache: ReadAheadCache | undefined;
  principal: string;
}

/**
 * An ended run and the history windows a query wants, when all of them
 * were read ahead for this caller (a window still on its way is waited
 * for); else undefined (ask W&B).
 */
export async function recallRun<R extends { prefetched?: { field: RunField; key: string; value: unknown }[] }, F extends RunField = RunField>(
  ctx: Remembered,
  path: string,
  details: unknown,
  windows: readonly F[],
): Promise<R | undefined> {
  if (!ctx.cache) return undefined;
  const run = ctx.cache.get(runKey(ctx.principal, path, details)) as R | undefined;
  if (!run) return undefined;
  const pending = windows.map((field) => ctx.cache!.get(windowKey(ctx.principal, path, field)));
  if (pending.some((v) => v === undefined)) return undefined;
  try {
    const values = await Promise.all(pending);
    // A window serves one page: a scan never asks for it again, so it leaves the cache now.
    for (const field of windows) ctx.cache.delete(windowKey(ctx.principal, path, field));
    return { ...run, prefetched: windows.map((field, i) => ({ field, key: fieldKey(field), value: values[i] })) };
  } catch {
    return undefined;
  }
}

/** Remembers an ended run (without its windows) and the windows fetched with it, for this caller. */
export function rememberRun<R extends { prefetched?: { field: RunField; value: unknown }[] }>(ctx: Remembered, path: string, details: unknown, run: R): void {
  if (!ctx.cache) return;
  const { prefetched, ...bare } = run;
  ctx.cache.set(runKey(ctx.principal, path, details), bare, 1);
  for (const { field, value } of prefetched ?? []) rememberWindow(ctx, path, field, value);
}

/**
 * Remembers one history window of an ended run, for this caller. A window
 * still on its way is remembered as its promise (counted at `expectedRows`)
 * so that the next request waits for it instead of asking again.
 */
export function rememberWindow(ctx: Remembered, path: string, field: RunField, value: unknown, expectedRows = 1): void {
  const cache = ctx.cache;
  if (!cache) return;
  const key = windowKey(ctx.principal, path, field);
  if (value instanceof Promise) {
    cache.set(key, value, expectedRows);
    value.then(
      (v: unknown) => {
        if (cache.get(key) === value) cache.set(key, v, Array.isArray(v) ? v.length : 1);
      },
      () => {
        if (cache.get(key) === value) cache.set(key, undefined, 0);
      },
    );
    return;
  }
  cache.set(key, value, Array.isArray(value) ? value.length : 1);
}

/** True when this caller already has that window read ahead. */
export function hasWindow(ctx: Remembered, path: string, field: RunField): boolean {
  return ctx.cache?.has(windowKey(ctx.principal, path, field)) ?? false;
}

/** Rows of an ended run's history read ahead of one caller's scan: at most 3 pages, at least 1. */
const readAheadRows = 3000;

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
  if (!ctx.cache) return;
  // Memory stays bounded by the page size: big pages are read only one ahead.
  const depth = Math.min(3, Math.max(1, Math.floor(readAheadRows / (page.first + 1))));
  for (let k = 0; k < depth; k++) {
    const from = page.start + k * page.first;
    if (from > page.lastStep) return;
    const next = firstWindowField(page.keys, from, page.first, page.maxStep);
    if (!next || hasWindow(ctx, path, next)) continue;
    const value = load(next);
    value.catch(() => {}); // a failed read-ahead only means that page asks W&B itself
    rememberWindow(ctx, path, next, value, page.first + 1);
  }
}
