import type { Loaders } from './index.js';
import type { Fetched, RunParent } from '../wandb/api.js';
import { sameField, type RunField } from '../wandb/documents.js';
import type { RunRef } from '../wandb/ids.js';

/** Where a run lives. */
export function refOf(r: RunParent): RunRef {
  return { entity: r.entity, project: r.project, runId: r.name };
}

/** The value of a call read with the run, if it was. */
export function fetchedWith(r: RunParent, field: RunField): Fetched | undefined {
  if (!r.prefetched || r.prefetched.length === 0) return undefined;
  return r.prefetched.find((p) => sameField(p.field, field));
}

/** The value of a call on a run: as read with the run, else batched with this tick's other calls. */
export function callOn(loaders: Loaders, r: RunParent, field: RunField): Promise<unknown> {
  const hit = fetchedWith(r, field);
  return hit ? Promise.resolve(hit.value) : loaders.runFieldLoader.load({ ref: refOf(r), field });
}

/**
 * `use` of a value the run was read with (`present`, when neither null nor
 * undefined), else of the call's value. Synchronous when no call is
 * needed: graphql-js then has no promise to wait for, per run and field.
 */
export function withValue<R>(loaders: Loaders, r: RunParent, present: unknown, field: RunField, use: (value: unknown) => R): R | Promise<R> {
  return present !== null && present !== undefined ? use(present) : callOn(loaders, r, field).then(use);
}

/**
 * `use` of the values of `fields` (null: none, its value null):
 * synchronous when every call was read with the run, as a page's runs'
 * files and artifacts are; else batched as callOn does.
 */
export function withCalls<R>(loaders: Loaders, r: RunParent, fields: readonly (RunField | null)[], use: (values: unknown[]) => R): R | Promise<R> {
  const hits = fields.map((f) => (f === null ? null : fetchedWith(r, f)));
  if (hits.every((h, i) => h !== undefined || fields[i] === null)) return use(hits.map((h) => h?.value ?? null));
  return Promise.all(fields.map((f) => (f === null ? null : callOn(loaders, r, f)))).then(use);
}
