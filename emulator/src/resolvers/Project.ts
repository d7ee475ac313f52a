import type { ProjectResolvers } from '../generated/wandb.js';
import { encodeNodeId } from '../../../src/wandb/protocol.js';
import { countRuns, findRun, listRuns } from '../store/runs.js';
import { findSweep } from '../store/sweeps.js';
import { artifactByName } from '../store/artifacts.js';
import { QueryInputError } from '../runFilters.js';
import { connectionOf } from '../cursor.js';

/** "collection", "collection:alias" or "collection:v<N>", bounded in length. */
function checkArtifactName(name: string): string {
  if (name.length === 0 || name.length > 512) throw new QueryInputError(`artifact name must be 1 to 512 characters, got ${name.length}`);
  return name;
}

export const Project: ProjectResolvers = {
  id: (p) => encodeNodeId('Project', p.id),
  internalId: (p) => encodeNodeId('ProjectInternalId', p.id),
  name: (p) => p.name,
  entityName: (p) => p.entity_name,
  entity: (p) => ({ id: p.entity_id, name: p.entity_name, is_team: 0 }),
  createdAt: (p) => p.created_at,
  readOnly: () => false,
  isBenchmark: () => false,
  user: () => null,
  run: (p, { name }, ctx) => findRun(ctx.db, p.id, name),
  bucket: (p, { name }, ctx) => {
    const run = findRun(ctx.db, p.id, name);
    return run && { ...run, upload_context: true };
  },
  runCount: (p, { filters }, ctx) => countRuns(ctx.db, p.id, filters),
  runs: (p, args, ctx) => connectionOf(listRuns(ctx.db, p.id, args, ctx.paging)),
  sweep: (p, { sweepName }, ctx) => findSweep(ctx.db, p.id, sweepName),
  /** `enableTracking` asks W&B to count a use for analytics; nothing is recorded here. */
  artifact: (p, { name }, ctx) => artifactByName(ctx.db, p.id, checkArtifactName(name)),
  artifactCollectionMembership: (p, { name }, ctx) => artifactByName(ctx.db, p.id, checkArtifactName(name)),
};
