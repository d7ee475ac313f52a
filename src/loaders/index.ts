import type { WandbApi } from '../wandb/api.js';
import { createRunLoader } from './runLoader.js';
import { createRunFieldLoader } from './runFieldLoader.js';
import { createSweepLoader } from './sweepLoader.js';
import { createArtifactLoader } from './artifactLoader.js';

/** Called once per batch a loader sends upstream, with the loader's name and the number of keys (for metrics). */
export type OnBatch = (loader: 'run' | 'run_field' | 'sweep' | 'artifact', size: number) => void;

/** The per-request DataLoaders, over that request's W&B reads (and so its credentials). */
export function createLoaders(api: WandbApi, onBatch?: OnBatch) {
  return {
    runLoader: createRunLoader(api, onBatch),
    runFieldLoader: createRunFieldLoader(api, onBatch),
    sweepLoader: createSweepLoader(api, onBatch),
    artifactLoader: createArtifactLoader(api, onBatch),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
