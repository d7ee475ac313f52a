import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLResolveInfo } from 'graphql';
import type { RunParent } from '../loaders/runLoader.js';
import { descend } from './selection.js';

/** A day: how long a response made only of an ended run's immutable data may be cached. */
export const immutableMaxAge = 86_400;

const endedStates = new Set(['finished', 'crashed', 'failed', 'killed', 'preempted']);

/** Run fields whose values never change once the run has ended. */
const immutableRunFields = new Set(['__typename', 'id', 'path', 'entity', 'project', 'runId', 'createdAt', 'url', 'history', 'historyKeys', 'lastStep']);

/** True when the run has ended: its history and history keys no longer change. */
export function hasEnded(run: RunParent): boolean {
  return endedStates.has((run.state ?? '').toLowerCase());
}

/** The root fields of a request whose values may be cached (see {@link cacheControlPlugin}). */
export interface CacheHints {
  cacheableRoots?: Set<string>;
}

/**
 * Marks a root field's value cacheable by the caller for a day when the
 * run has ended and `onlyImmutable` holds (the selection asks only for
 * fields that cannot change).
 */
export function hintIfEnded(ctx: CacheHints, info: GraphQLResolveInfo, run: RunParent | null, onlyImmutable: boolean): void {
  if (run && hasEnded(run) && onlyImmutable && info.path.prev === undefined) (ctx.cacheableRoots ??= new Set()).add(String(info.path.key));
}

/**
 * Cache-Control for a query whose every root field was marked cacheable
 * (and that has no error): `max-age=86400, private` (responses depend on
 * the caller's key); undefined otherwise.
 */
export function cacheControlOf(hints: CacheHints, operationType: string | undefined, data: Record<string, unknown> | null | undefined, errors: readonly unknown[] | undefined): string | undefined {
  const roots = hints.cacheableRoots;
  if (!roots || operationType !== 'query' || errors || !data) return undefined;
  for (const key in data) if (!roots.has(key)) return undefined;
  return `max-age=${immutableMaxAge}, private`;
}

/**
 * Sets {@link cacheControlOf} on the response. It replaces Apollo's
 * cache-control plugin, which runs a hook on every resolved field of every
 * request to compute the same answer for this schema's hints.
 */
export function cacheControlPlugin(): ApolloServerPlugin<CacheHints> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          const value = cacheControlOf(contextValue, operation?.operation, data, errors);
          if (value) response.http.headers.set('cache-control', value);
        },
      };
    },
  };
}

/** True when every field selected under the current (Run-typed) field is immutable once the run has ended. */
export function selectsOnlyImmutable(info: GraphQLResolveInfo): boolean {
  return descend(info, info.fieldNodes, []).every((f) => immutableRunFields.has(f.name.value));
}
