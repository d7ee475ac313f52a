import { randomBytes } from 'node:crypto';
import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { forgetReads } from '../../src/wandb/lookups.js';
import { parseRunPath, runPath } from '../../src/wandb/paths.js';
import { badInput, codedError } from '../../src/errors.js';
import { oneWriteAtATime } from '../../src/wandb/runWrites.js';

export const createRun: NonNullable<MutationResolvers['createRun']> = async (_, { input }, ctx) => {
  if (input.state === 'UNKNOWN') throw badInput('state UNKNOWN is reported, never set: use PENDING or RUNNING');
  const runId = input.runId ?? newRunId();
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(runId)) throw badInput(`runId ${JSON.stringify(runId.slice(0, 140))} must be 1 to 128 letters, digits, - or _`);
  const ref = parseRunPath(`${input.entity}/${input.project}/${runId}`);
  const exists = () => codedError('CONFLICT', `run ${runPath(ref)} already exists`);
  // Checked and created with no other write of this run in between; a replica's create at the same moment is seen in `inserted`.
  const { run: bucket, inserted } = await oneWriteAtATime(ref, async () => {
    if (await ctx.loaders.runLoader.load({ ref, details: { config: false, summary: false, systemMetrics: false, historyKeys: false } })) throw exists();
    return ctx.wandb.upsertRun(ref, { entityName: ref.entity, modelName: ref.project, name: runId, displayName: input.displayName, state: (input.state ?? 'RUNNING').toLowerCase() });
  }, ctx.runLocks).finally(() => forgetReads(ctx));
  if (inserted === false) throw exists();
  if (!bucket) throw codedError('UPSTREAM_UNAVAILABLE', 'W&B did not return the created run');
  return { run: { ...bucket, entity: ref.entity, project: ref.project } };
};

/** 8 lowercase base-36 characters, as wandb's runid.generate_id makes. */
function newRunId(): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(8), (b) => alphabet[b % 36]).join('');
}
