import DataLoader from 'dataloader';
import type { OnBatch } from './index.js';
import type { WandbApi } from '../wandb/api.js';
import type { SweepFieldsFragment } from '../generated/upstream.js';

export interface SweepKey {
  entity: string;
  project: string;
  name: string;
}

/** Sweeps by project and name: each distinct sweep once, all in one upstream request. */
export function createSweepLoader(api: WandbApi, onBatch?: OnBatch): DataLoader<SweepKey, SweepFieldsFragment | null, string> {
  return new DataLoader<SweepKey, SweepFieldsFragment | null, string>(
    async (keys) => {
      onBatch?.('sweep', keys.length);
      return api.sweeps(keys);
    },
    { cacheKeyFn: (k) => `${k.entity}/${k.project}/${k.name}`, maxBatchSize: 1000 },
  );
}
