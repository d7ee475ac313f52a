import { principalOf } from '../security/credentials.js';

/**
 * Identical upstream reads in flight at the same moment are sent once: the
 * same caller (Authorization), the same document and the same variables
 * share the first request's answer, as Hive Gateway's executor deduplicates
 * by default. Only reads: a mutation is always sent. One per process.
 */
export interface Coalescer {
  /**
   * `send()`'s answer, shared with every identical read already in flight
   * under `key`. A caller whose `signal` aborts stops waiting at once; the
   * request itself (its signal handed to `send`) is abandoned only when
   * every caller waiting for it has gone.
   */
  run<T>(key: string, send: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Reads in flight now (each holds one entry until it settles). */
  readonly size: number;
  /** Reads answered from another's request since start. */
  readonly shared: number;
}

/**
 * The coalescing key of a read: the caller's principal (a hash, so the map
 * never holds a credential), the document and its variables. Not hashed
 * again: the map holds only reads in flight, and hashing a large document
 * per request cost more than comparing it.
 */
export function coalesceKey(authorization: string | null, query: string, variables: Record<string, unknown>): string {
  return `${principalOf(authorization)}\0${query}\0${JSON.stringify(variables)}`;
}

/** True for a document whose operation is a query (the documents sent upstream have one operation each). */
export function isRead(query: string): boolean {
  return /^\s*(#[^\n]*\n\s*)*(query\b|\{)/.test(query);
}

/** `onShared` is told of every read answered by another's request (a metric). */
export function createCoalescer(onShared?: () => void): Coalescer {
  const inFlight = new Map<string, { request: Promise<unknown>; controller: AbortController; waiting: number }>();
  let shared = 0;
  /** The caller's view of an entry: it leaves (and rejects) when its own signal aborts. */
  const join = <T>(entry: { request: Promise<unknown>; controller: AbortController; waiting: number }, signal: AbortSignal | undefined, copy: boolean): Promise<T> => {
    // A caller without a signal never leaves: the request goes on while it waits.
    entry.waiting += signal ? 1 : Infinity;
    const answer = (copy ? entry.request.then((value) => structuredClone(value)) : entry.request) as Promise<T>;
    if (!signal) return answer;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        if (--entry.waiting <= 0) entry.controller.abort();
        reject(Object.assign(new Error('the request was abandoned: its client went away'), { name: 'AbortError', code: 'ABORT_ERR' }));
      };
      if (signal.aborted) return leave();
      signal.addEventListener('abort', leave, { once: true });
      answer.then(
        (v) => (signal.removeEventListener('abort', leave), resolve(v)),
        (e: unknown) => (signal.removeEventListener('abort', leave), reject(e)),
      );
    });
  };
  return {
    run<T>(key: string, send: (signal: AbortSignal) => Promise<T>, signal?: AbortSignal): Promise<T> {
      const pending = inFlight.get(key);
      if (pending) {
        shared++;
        onShared?.();
        // Each caller gets its own copy: nothing one resolver does to an answer reaches another.
        return join<T>(pending, signal, true);
      }
      const controller = new AbortController();
      const entry = { request: Promise.resolve(), controller, waiting: 0 } as { request: Promise<unknown>; controller: AbortController; waiting: number };
      entry.request = send(controller.signal).finally(() => inFlight.delete(key));
      entry.request.catch(() => {}); // every caller sees the failure through join
      inFlight.set(key, entry);
      return join<T>(entry, signal, false);
    },
    get size() {
      return inFlight.size;
    },
    get shared() {
      return shared;
    },
  };
}
