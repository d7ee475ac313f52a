import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { requireRun, forgetReads } from '../../src/wandb/lookups.js';
import { runRefOf } from '../../src/wandb/paths.js';
import { badInput, codedError } from '../../src/errors.js';
import { encodeRunId } from '../../src/wandb/ids.js';

/**
 * Config replaces the old one (values wrapped {value, desc} as W&B stores
 * them, W&B's own _wandb key kept); summary is merged into the old one and
 * a key set to null is removed. Both go upstream in one upsertBucket, so
 * a failure changes nothing.
 */
export const updateRun: NonNullable<MutationResolvers['updateRun']> = async (_, { input }, ctx) => {
  const ref = runRefOf(input.id, input.path);
  if (input.config != null && !isObject(input.config)) throw badInput('config must be a JSON object');
  if (input.summary != null && !isObject(input.summary)) throw badInput('summary must be a JSON object');
  if (input.tags?.some((t) => t.length === 0 || t.length > 256)) throw badInput('tags must be 1 to 256 characters each');
  const current = await requireRun(ctx, ref, { config: input.config != null ? ['_wandb'] : false, summary: input.summary != null ? null : false, systemMetrics: false, historyKeys: false });

  let config: string | undefined;
  if (input.config != null) {
    const wrapped: Record<string, unknown> = {};
    const kept = JSON.parse(current.config ?? '{}') as Record<string, unknown>;
    if (kept._wandb !== undefined) setOwn(wrapped, '_wandb', kept._wandb);
    for (const [k, v] of Object.entries(input.config)) setOwn(wrapped, k, { value: v, desc: null });
    config = JSON.stringify(wrapped);
  }
  let summaryMetrics: string | undefined;
  if (input.summary != null) {
    const merged = JSON.parse(current.summaryMetrics ?? '{}') as Record<string, unknown>;
    for (const [k, v] of Object.entries(input.summary)) {
      if (v === null) delete merged[k];
      else setOwn(merged, k, v);
    }
    summaryMetrics = JSON.stringify(merged);
  }
  const bucket = await ctx.wandb.upsertRun({
    id: encodeRunId(ref),
    displayName: input.displayName,
    notes: input.notes,
    tags: input.tags,
    groupName: input.group,
    jobType: input.jobType,
    config,
    summaryMetrics,
  });
  forgetReads(ctx);
  if (!bucket) throw codedError('UPSTREAM_UNAVAILABLE', 'W&B did not return the updated run');
  return { run: { ...bucket, entity: ref.entity, project: ref.project } };
};

/** Sets a key as an own property, so that a key such as "__proto__" is stored, not taken as the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
