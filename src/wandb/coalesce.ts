import { createHash } from 'node:crypto';

/**
 * Identical upstream reads in flight at the same moment are sent once: the
 * same caller (Authorization), the same document and the same variables
 * share the first request's answer, as Hive Gateway's executor deduplicates
 * by default. Only reads: a mutation is always sent. One per process.
 */
export interface Coalescer {
  /** `send()`'s answer, shared with every identical read already in flight under `key`. */
  run<T>(key: string, send: () => Promise<T>): Promise<T>;
  /** Reads in flight now (each holds one entry until it settles). */
  readonly size: number;
  /** Reads answered from another's request since start. */
  readonly shared: number;
}

/** The coalescing key of a read: a digest, so the map never holds a credential. */
export function coalesceKey(authorization: string | null, query: string, variables: Record<string, unknown>): string {
  return createHash('sha256')
    .update(authorization ?? '')
    .update('\0')
    .update(query)
    .update('\0')
    .update(JSON.stringify(variables))
    .digest('base64');
}

/** True for a document whose operation is a query (the documents sent upstream have one operation each). */
export function isRead(query: string): boolean {
  return /^\s*(#[^\n]*\n\s*)*(query\b|\{)/.test(query);
}

/** `onShared` is told of every read answered by another's request (a metric). */
export function createCoalescer(onShared?: () => void): Coalescer {
  const inFlight = new Map<string, Promise<unknown>>();
  let shared = 0;
  return {
    run<T>(key: string, send: () => Promise<T>): Promise<T> {
      const pending = inFlight.get(key) as Promise<T> | undefined;
      if (pending) {
        shared++;
        onShared?.();
        // Each caller gets its own copy: nothing one resolver does to an answer reaches another.
        return pending.then((value) => structuredClone(value));
      }
      const request = send().finally(() => inFlight.delete(key));
      inFlight.set(key, request);
      return request;
    },
    get size() {
      return inFlight.size;
    },
    get shared() {
      return shared;
    },
  };
}
