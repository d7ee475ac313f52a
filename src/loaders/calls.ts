import type { Loaders } from './index.js';
import type { Fetched, RunParent } from '../wandb/api.js';
import { fieldKey, type RunField } from '../wandb/documents.js';
import type { RunRef } from '../wandb/ids.js';

/** Where a run lives. */
export function refOf(r: RunParent): RunRef {
  return { entity: r.entity, project: r.project, runId: r.name };
}

/** The value of a call read with the run, if it was. */
export function fetchedWith(r: RunParent, field: RunField): Fetched | undefined {
  if (!r.prefetched || r.prefetched.length === 0) return undefined;
  const key = fieldKey(field);
  return r.prefetched.find((p) => p.key === key);
}

/** The value of a call on a run: as read with the run, else batched with this tick's other calls. */
export function callOn(loaders: Loaders, r: RunParent, field: RunField): Promise<unknown> {
  const hit = fetchedWith(r, field);
  return hit ? Promise.resolve(hit.value) : loaders.runFieldLoader.load({ ref: refOf(r), field });
}
