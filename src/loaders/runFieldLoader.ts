import DataLoader from 'dataloader';
import type { OnBatch } from './index.js';
import type { WandbApi } from '../wandb/api.js';
import { fieldKey, type RunField } from '../wandb/documents.js';
import type { RunRef } from '../wandb/ids.js';

export interface RunFieldKey {
  ref: RunRef;
  field: RunField;
}

/**
 * Calls on runs that were not read with the run (a later page of a history
 * scan, a field W&B failed the first time, runs created by a mutation),
 * for any number of runs: ONE upstream document per batch. A call W&B
 * failed rejects only its own key; a run that no longer exists is NOT_FOUND.
 */
export function createRunFieldLoader(api: WandbApi, onBatch?: OnBatch): DataLoader<RunFieldKey, unknown, string> {
  return new DataLoader<RunFieldKey, unknown, string>(
    async (keys) => {
      onBatch?.('run_field', keys.length);
      return api.runFields(keys);
    },
    { cacheKeyFn: (k) => `${k.ref.entity}\n${k.ref.project}\n${k.ref.runId}\n${fieldKey(k.field)}`, maxBatchSize: 1000 },
  );
}
