import type { UpstreamClient } from '../upstream/client.js';
import { createRunLoader } from './runLoader.js';
import { createRunFieldLoader } from './runFieldLoader.js';
import { createSweepLoader } from './sweepLoader.js';
import { createArtifactLoader } from './artifactLoader.js';

/** The per-request DataLoaders, built with that request's upstream client (and so its credentials). */
export function createLoaders(client: UpstreamClient) {
  return {
    runLoader: createRunLoader(client),
    runFieldLoader: createRunFieldLoader(client),
    sweepLoader: createSweepLoader(client),
    artifactLoader: createArtifactLoader(client),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
