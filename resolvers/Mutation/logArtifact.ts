import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { requireArtifact, requireRun, forgetReads } from '../../src/wandb/lookups.js';
import { runRefOf } from '../../src/wandb/paths.js';
import { badInput, codedError } from '../../src/errors.js';

/** W&B records it as a new log of the same digest, deduplicated to the existing version. */
export const logArtifact: NonNullable<MutationResolvers['logArtifact']> = async (_, { input }, ctx) => {
  const ref = runRefOf(input.runId, input.runPath, ['runId', 'runPath']);
  const aliases = input.aliases ?? [];
  for (const alias of aliases) {
    if (!/^[A-Za-z0-9_.-]{1,128}$/.test(alias)) throw badInput(`alias ${JSON.stringify(alias.slice(0, 140))} must be 1 to 128 letters, digits, _ . -`);
    // W&B gives version aliases (v0, v1, …) to versions itself: it would leave such an alias where it is.
    if (/^v\d+$/.test(alias)) throw badInput(`alias ${JSON.stringify(alias)} is a version alias, which W&B gives each version itself`);
  }
  const [run, artifact] = await Promise.all([requireRun(ctx, ref), requireArtifact(ctx, input.artifactId, input.artifactName)]);
  const { entityName, name: projectName } = artifact.artifactSequence.project;
  if (entityName !== ref.entity || projectName !== ref.project) {
    throw badInput(`artifact belongs to ${entityName}/${projectName}; a run logs artifacts of its own project (${ref.entity}/${ref.project})`);
  }
  const collection = artifact.artifactSequence.name;
  const logged = await ctx.wandb.createArtifact({
    artifactTypeName: artifact.artifactType.name,
    artifactCollectionNames: [collection],
    entityName,
    projectName,
    runName: ref.runId,
    digest: artifact.digest,
    digestAlgorithm: 'MANIFEST_MD5',
    enableDigestDeduplication: true,
    aliases: aliases.map((alias) => ({ alias, artifactCollectionName: collection })),
  });
  forgetReads(ctx);
  if (!logged) throw codedError('UPSTREAM_UNAVAILABLE', 'W&B did not return the logged artifact');
  return { run, artifact: logged };
};
