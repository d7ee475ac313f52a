import type { UpstreamClient } from '../wandb/client.js';
import { createRunLoader } from './runLoader.js';
import { createRunFieldLoader } from './runFieldLoader.js';
import { createSweepLoader } from './sweepLoader.js';
import { createArtifactLoader } from './artifactLoader.js';

/** Called once per batch a loader sends upstream, with the loader's name and the number of keys (for metrics). */
export type OnBatch = (loader: 'run' | 'run_field' | 'sweep' | 'artifact', size: number) => void;

/** The per-request DataLoaders, built with that request's upstream client (and so its credentials). */
export function createLoaders(client: UpstreamClient, onBatch?: OnBatch) {
  return {
    runLoader: createRunLoader(client, onBatch),
    runFieldLoader: createRunFieldLoader(client, onBatch),
    sweepLoader: createSweepLoader(client, onBatch),
    artifactLoader: createArtifactLoader(client, onBatch),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
