import DataLoader from 'dataloader';
import type { OnBatch } from './index.js';
import type { RunParent, WandbApi } from '../wandb/api.js';
import { planKey, type RunDetailFlags, type RunPlan } from '../wandb/documents.js';
import type { RunRef } from '../wandb/ids.js';

export type { RunParent } from '../wandb/api.js';

export interface RunKey {
  ref: RunRef;
  /** The RunFields fragment's heavy fields to read. */
  details: RunDetailFlags;
  /** Calls to make on the run in the same request (see runPlanSelected). */
  prefetch?: RunPlan['fields'];
  /** The run's own fields to read (see RunPlan); all when absent. */
  scalars?: RunPlan['scalars'];
}

/**
 * Runs by path. A batch (e.g. the references of one `_entities` call, or
 * several root fields) is ONE upstream request of `run(name)` lookups
 * grouped by project, each with its own planned calls. Missing runs
 * resolve to null, in key order.
 */
export function createRunLoader(api: WandbApi, onBatch?: OnBatch): DataLoader<RunKey, RunParent | null, string> {
  return new DataLoader<RunKey, RunParent | null, string>(
    async (keys) => {
      onBatch?.('run', keys.length);
      return api.lookupRuns(keys.map((k) => ({ ref: k.ref, plan: planOf(k) })));
    },
    {
      cacheKeyFn: (k) => `${k.ref.entity}/${k.ref.project}/${k.ref.runId}|${planKey(planOf(k))}`,
      maxBatchSize: 1000,
    },
  );
}

// Private:

function planOf(k: RunKey): RunPlan {
  return { details: k.details, fields: k.prefetch ?? [], scalars: k.scalars };
}
