import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { DeleteRunDocument } from '../../src/generated/upstream.js';
import { requireRun, forgetReads } from '../../src/lookups.js';
import { runRefOf } from '../../src/paths.js';
import { encodeRunId } from '../../src/upstream/ids.js';

export const deleteRun: NonNullable<MutationResolvers['deleteRun']> = async (_, { input }, ctx) => {
  const ref = runRefOf(input.id, input.path);
  await requireRun(ctx, ref);
  const id = encodeRunId(ref);
  const deleteArtifacts = input.deleteArtifacts ?? false;
  await ctx.upstream.request(DeleteRunDocument, { id, deleteArtifacts });
  forgetReads(ctx);
  return { id, deletedArtifacts: deleteArtifacts };
};
