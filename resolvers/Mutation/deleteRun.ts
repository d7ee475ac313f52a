import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { requireRun, forgetReads } from '../../src/wandb/lookups.js';
import { runRefOf } from '../../src/wandb/paths.js';
import { encodeRunId } from '../../src/wandb/ids.js';

export const deleteRun: NonNullable<MutationResolvers['deleteRun']> = async (_, { input }, ctx) => {
  const ref = runRefOf(input.id, input.path);
  await requireRun(ctx, ref);
  const id = encodeRunId(ref);
  const deleteArtifacts = input.deleteArtifacts ?? false;
  await ctx.wandb.deleteRun(id, deleteArtifacts);
  forgetReads(ctx);
  return { id, deletedArtifacts: deleteArtifacts };
};
