import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { UseArtifactDocument } from '../../src/generated/upstream.js';
import { requireArtifact, requireRun, forgetReads } from '../../src/wandb/lookups.js';
import { runRefOf } from '../../src/wandb/paths.js';

export const useArtifact: NonNullable<MutationResolvers['useArtifact']> = async (_, { input }, ctx) => {
  const ref = runRefOf(input.runId, input.runPath, ['runId', 'runPath']);
  const [run, artifact] = await Promise.all([requireRun(ctx, ref), requireArtifact(ctx, input.artifactId, input.artifactName)]);
  const { entityName, name: projectName } = artifact.artifactSequence.project;
  const data = await ctx.upstream.request(UseArtifactDocument, {
    input: {
      entityName: ref.entity,
      projectName: ref.project,
      runName: ref.runId,
      artifactID: artifact.id,
      usedAs: input.useAs ?? `${artifact.artifactSequence.name}:v${artifact.versionIndex ?? 0}`,
      artifactEntityName: entityName,
      artifactProjectName: projectName,
    },
  }, { idempotent: false });
  forgetReads(ctx);
  return { run, artifact: data.useArtifact!.artifact };
};
