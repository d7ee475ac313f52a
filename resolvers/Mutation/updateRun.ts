import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { requireRun, forgetReads } from '../../src/wandb/lookups.js';
import { runRefOf } from '../../src/wandb/paths.js';
import { badInput, codedError } from '../../src/errors.js';
import { encodeRunId } from '../../src/wandb/ids.js';
import { checkedEdit, editedConfig, editedSummary, editedTags, editedText } from '../../src/wandb/runEdits.js';
import { oneWriteAtATime } from '../../src/wandb/runWrites.js';

/**
 * Config replaces the old one and summary is merged into it; null clears a
 * text field or the tags (runEdits.ts). Everything goes upstream in one
 * upsertBucket, so a failure changes nothing.
 */
export const updateRun: NonNullable<MutationResolvers['updateRun']> = async (_, { input }, ctx) => {
  const ref = runRefOf(input.id, input.path);
  const config = input.config != null ? checkedEdit(input.config, 'config') : null;
  const summary = input.summary != null ? checkedEdit(input.summary, 'summary') : null;
  if (input.tags?.some((t) => t.length === 0 || t.length > 256)) throw badInput('tags must be 1 to 256 characters each');
  // Read and written back with no other write of this run in between (the summary is merged into the one read).
  const { run: bucket } = await oneWriteAtATime(ref, async () => {
    const current = await requireRun(ctx, ref, { config: config ? ['_wandb'] : false, summary: summary ? null : false, systemMetrics: false, historyKeys: false });
    return ctx.wandb.upsertRun(ref, {
      id: encodeRunId(ref),
      displayName: editedText(input.displayName),
      notes: editedText(input.notes),
      tags: editedTags(input.tags),
      groupName: editedText(input.group),
      jobType: editedText(input.jobType),
      config: config ? editedConfig(current.config, config) : undefined,
      summaryMetrics: summary ? editedSummary(current.summaryMetrics, summary) : undefined,
    });
  }, ctx.runLocks).finally(() => forgetReads(ctx));
  if (!bucket) throw codedError('UPSTREAM_UNAVAILABLE', 'W&B did not return the updated run');
  return { run: { ...bucket, entity: ref.entity, project: ref.project } };
};
