import DataLoader from 'dataloader';
import type { OnBatch } from './index.js';
import type { UpstreamClient } from '../wandb/client.js';
import { fieldError } from '../wandb/client.js';
import { artifactsDocument } from '../wandb/batch.js';
import type { ArtifactFieldsFragment } from '../generated/upstream.js';

/** Artifacts by W&B id, all of a batch in one upstream request; null when absent. */
export function createArtifactLoader(client: UpstreamClient, onBatch?: OnBatch): DataLoader<string, ArtifactFieldsFragment | null> {
  return new DataLoader<string, ArtifactFieldsFragment | null>(
    async (ids) => {
      onBatch?.('artifact', ids.length);
      const { query, variables } = artifactsDocument(ids);
      const { data, errors } = await client.requestPartial<Record<string, ArtifactFieldsFragment | null>>(query, variables);
      return ids.map((_, i) => {
        const error = errors.find((e) => !e.path || e.path[0] === `a${i}`);
        return error ? fieldError(error) : (data?.[`a${i}`] ?? null);
      });
    },
    { maxBatchSize: 1000 },
  );
}
