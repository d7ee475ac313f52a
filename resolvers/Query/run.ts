import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { parseRunPath, runPath } from '../../src/wandb/paths.js';
import { recallRun, rememberRun } from '../../src/history/readAhead.js';
import type { RunParent } from '../../src/loaders/runLoader.js';
import type { RunField } from '../../src/wandb/documents.js';
import { runPlanSelected } from '../../src/graphql/selection.js';
import { hasEnded, hintIfEnded, selectsOnlyImmutable } from '../../src/graphql/cacheHints.js';

/**
 * The run and every call its selection makes, in one upstream request. A
 * query asking only for an ended run's immutable data (e.g. the next page
 * of its history) is served from what was read ahead for this caller, when
 * all of it is there: no upstream request.
 */
export const run: NonNullable<QueryResolvers['run']> = async (_, { path }, ctx, info) => {
  const ref = parseRunPath(path);
  // The state says whether the run has ended (cache hints, reading ahead).
  const { details, fields, scalars } = runPlanSelected(info, [[]], false, ['state']);
  const immutable = selectsOnlyImmutable(info);
  const remembered = { cache: ctx.readAhead, principal: ctx.principal };
  const recalled = immutable ? await recallRun<RunParent, RunField>(remembered, runPath(ref), { details, scalars }, fields) : undefined;
  const found = recalled ?? (await ctx.loaders.runLoader.load({ ref, details, prefetch: fields, scalars }));
  if (found && !recalled && immutable && hasEnded(found)) rememberRun(remembered, runPath(ref), { details, scalars }, found);
  hintIfEnded(ctx, info, found, immutable);
  return found && { ...found, readAhead: true };
};
