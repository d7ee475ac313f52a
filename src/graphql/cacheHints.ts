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
 * the caller's key); none otherwise. It replaces Apollo's cache-control
 * plugin, which runs a hook on every resolved field of every request to
 * compute the same answer for this schema's hints.
 */
export function cacheControlPlugin(): ApolloServerPlugin<CacheHints> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, contextValue, operation }) {
          const roots = contextValue.cacheableRoots;
          if (!roots || operation?.operation !== 'query' || response.body.kind !== 'single' || response.body.singleResult.errors) return;
          const data = response.body.singleResult.data;
          if (!data || !Object.keys(data).every((k) => roots.has(k))) return;
          response.http.headers.set('cache-control', `max-age=${immutableMaxAge}, private`);
        },
      };
    },
  };
}

/** True when every field selected under the current (Run-typed) field is immutable once the run has ended. */
export function selectsOnlyImmutable(info: GraphQLResolveInfo): boolean {
  return descend(info, info.fieldNodes, []).every((f) => immutableRunFields.has(f.name.value));
}
