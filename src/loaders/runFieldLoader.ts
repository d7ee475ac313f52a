import DataLoader from 'dataloader';
import type { OnBatch } from './index.js';
import type { UpstreamClient } from '../wandb/client.js';
import { fieldError } from '../wandb/client.js';
import { runFieldsDocument, type RunField } from '../wandb/batch.js';
import type { RunRef } from '../wandb/ids.js';
import { notFound } from '../errors.js';

export interface RunFieldKey {
  ref: RunRef;
  field: RunField;
}

/**
 * Per-run fields (history, sampled history, events, files, artifacts, and
 * config/summary/system metrics/history keys when the run was fetched
 * without them), for any number of runs: ONE upstream document per batch,
 * one alias per run and per field. A field W&B failed to resolve rejects
 * only its own key; a run that no longer exists is NOT_FOUND.
 */
export function createRunFieldLoader(client: UpstreamClient, onBatch?: OnBatch): DataLoader<RunFieldKey, unknown, string> {
  return new DataLoader<RunFieldKey, unknown, string>(
    async (keys) => {
      onBatch?.('run_field', keys.length);
      const { query, variables, locations } = runFieldsDocument(keys);
      const { data, errors } = await client.requestPartial<Record<string, { run: Record<string, unknown> | null } | null>>(query, variables);
      return keys.map(({ ref }, i) => {
        const at = locations[i];
        const error = errors.find((e) => !e.path || (e.path[0] === at.run && (e.path.length < 3 || e.path[2] === at.field)));
        if (error) return fieldError(error);
        const run = data?.[at.run]?.run;
        if (!run) return notFound(`run ${ref.entity}/${ref.project}/${ref.runId} not found`);
        const value = run[at.field];
        return at.spec >= 0 ? (value as unknown[])[at.spec] : value;
      });
    },
    { cacheKeyFn: (k) => JSON.stringify([k.ref.entity, k.ref.project, k.ref.runId, k.field]), maxBatchSize: 1000 },
  );
}
