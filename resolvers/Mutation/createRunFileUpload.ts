import type { MutationResolvers } from '../../src/generated/subgraph.js';
import { requireRun, forgetReads } from '../../src/wandb/lookups.js';
import { runRefOf } from '../../src/wandb/paths.js';
import { badInput, codedError } from '../../src/errors.js';

export const createRunFileUpload: NonNullable<MutationResolvers['createRunFileUpload']> = async (_, { input }, ctx) => {
  const ref = runRefOf(input.runId, input.runPath, ['runId', 'runPath']);
  const name = input.name;
  if (name.length === 0 || name.length > 512 || name.startsWith('/') || name.split('/').some((s) => s === '' || s === '.' || s === '..') || /[\u0000-\u001f\\]/.test(name)) {
    throw badInput(`file name ${JSON.stringify(name.slice(0, 140))} must be a relative path without empty, "." or ".." segments`);
  }
  await requireRun(ctx, ref);
  const created = await ctx.wandb.createRunFiles(ref, [name]);
  forgetReads(ctx);
  const file = created?.files[0];
  if (!file?.uploadUrl) throw codedError('UPSTREAM_UNAVAILABLE', 'W&B returned no upload URL');
  const { uploadUrl, ...fields } = file;
  return { uploadUrl, uploadHeaders: created!.uploadHeaders, file: fields };
};
