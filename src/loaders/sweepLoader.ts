import DataLoader from 'dataloader';
import type { OnBatch } from './index.js';
import type { UpstreamClient } from '../wandb/client.js';
import { fieldError } from '../wandb/client.js';
import { sweepsDocument } from '../wandb/batch.js';
import type { SweepFieldsFragment } from '../generated/upstream.js';

export interface SweepKey {
  entity: string;
  project: string;
  name: string;
}

/** Sweeps by project and name: each distinct sweep once, all in one upstream request. */
export function createSweepLoader(client: UpstreamClient, onBatch?: OnBatch): DataLoader<SweepKey, SweepFieldsFragment | null, string> {
  return new DataLoader<SweepKey, SweepFieldsFragment | null, string>(
    async (keys) => {
      onBatch?.('sweep', keys.length);
      const { query, variables } = sweepsDocument(keys);
      const { data, errors } = await client.requestPartial<Record<string, { sweep: SweepFieldsFragment | null } | null>>(query, variables);
      return keys.map((_, i) => {
        const error = errors.find((e) => !e.path || e.path[0] === `s${i}`);
        return error ? fieldError(error) : (data?.[`s${i}`]?.sweep ?? null);
      });
    },
    { cacheKeyFn: (k) => `${k.entity}/${k.project}/${k.name}`, maxBatchSize: 1000 },
  );
}
