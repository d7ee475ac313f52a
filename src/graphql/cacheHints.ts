import { cacheControlFromInfo } from '@apollo/cache-control-types';
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

/**
 * Marks this field's value cacheable by the caller for a day when the run
 * has ended and `onlyImmutable` holds (the selection asks only for fields
 * that cannot change). Responses depend on the caller's key, so the scope
 * is PRIVATE. Without a hint a field is not cached (default max age 0).
 */
export function hintIfEnded(info: GraphQLResolveInfo, run: RunParent | null, onlyImmutable = true): void {
  if (run && hasEnded(run) && onlyImmutable) cacheControlFromInfo(info).setCacheHint({ maxAge: immutableMaxAge, scope: 'PRIVATE' });
}

/** True when every field selected under the current (Run-typed) field is immutable once the run has ended. */
export function selectsOnlyImmutable(info: GraphQLResolveInfo): boolean {
  return descend(info, info.fieldNodes, []).every((f) => immutableRunFields.has(f.name.value));
}
