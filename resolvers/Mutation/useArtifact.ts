import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { requireArtifact, requireRun, forgetReads } from '../../src/wandb/lookups.js';
import { runRefOf } from '../../src/wandb/paths.js';
import { codedError } from '../../src/errors.js';

export const useArtifact: NonNullable<MutationResolvers['useArtifact']> = async (_, { input }, ctx) => {
  const ref = runRefOf(input.runId, input.runPath, ['runId', 'runPath']);
  const [run, artifact] = await Promise.all([requireRun(ctx, ref), requireArtifact(ctx, input.artifactId, input.artifactName)]);
  const { entityName, name: projectName } = artifact.artifactSequence.project;
  const used = await ctx.wandb.useArtifact({
    entityName: ref.entity,
    projectName: ref.project,
    runName: ref.runId,
    artifactID: artifact.id,
    usedAs: input.useAs ?? `${artifact.artifactSequence.name}:v${artifact.versionIndex ?? 0}`,
    artifactEntityName: entityName,
    artifactProjectName: projectName,
  });
  forgetReads(ctx);
  if (!used) throw codedError('UPSTREAM_UNAVAILABLE', 'W&B did not return the used artifact');
  return { run, artifact: used };
};
