import DataLoader from 'dataloader';
import type { OnBatch } from './index.js';
import type { WandbApi } from '../wandb/api.js';
import type { ArtifactFieldsFragment } from '../generated/upstream.js';

/** Artifacts by W&B id, all of a batch in one upstream request; null when absent. */
export function createArtifactLoader(api: WandbApi, onBatch?: OnBatch): DataLoader<string, ArtifactFieldsFragment | null> {
  return new DataLoader<string, ArtifactFieldsFragment | null>(
    async (ids) => {
      onBatch?.('artifact', ids.length);
      return api.artifacts(ids);
    },
    { maxBatchSize: 1000 },
  );
}
