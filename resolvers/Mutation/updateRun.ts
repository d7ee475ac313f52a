import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { requireRun, forgetReads } from '../../src/wandb/lookups.js';
import { runRefOf } from '../../src/wandb/paths.js';
import { badInput, codedError } from '../../src/errors.js';
import { encodeRunId } from '../../src/wandb/ids.js';
import { isObject } from '../../src/objects.js';
import { editedConfig, editedSummary, editedTags, editedText } from '../../src/wandb/runEdits.js';

/**
 * Config replaces the old one and summary is merged into it; null clears a
 * text field or the tags (runEdits.ts). Everything goes upstream in one
 * upsertBucket, so a failure changes nothing.
 */
export const updateRun: NonNullable<MutationResolvers['updateRun']> = async (_, { input }, ctx) => {
  const ref = runRefOf(input.id, input.path);
  if (input.config != null && !isObject(input.config)) throw badInput('config must be a JSON object');
  if (input.summary != null && !isObject(input.summary)) throw badInput('summary must be a JSON object');
  if (input.tags?.some((t) => t.length === 0 || t.length > 256)) throw badInput('tags must be 1 to 256 characters each');
  const current = await requireRun(ctx, ref, { config: input.config != null ? ['_wandb'] : false, summary: input.summary != null ? null : false, systemMetrics: false, historyKeys: false });

  const bucket = await ctx.wandb.upsertRun(ref, {
    id: encodeRunId(ref),
    displayName: editedText(input.displayName),
    notes: editedText(input.notes),
    tags: editedTags(input.tags),
    groupName: editedText(input.group),
    jobType: editedText(input.jobType),
    config: input.config != null ? editedConfig(current.config, input.config) : undefined,
    summaryMetrics: input.summary != null ? editedSummary(current.summaryMetrics, input.summary) : undefined,
  });
  forgetReads(ctx);
  if (!bucket) throw codedError('UPSTREAM_UNAVAILABLE', 'W&B did not return the updated run');
  return { run: { ...bucket, entity: ref.entity, project: ref.project } };
};
