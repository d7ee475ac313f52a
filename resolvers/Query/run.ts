import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { parseRunPath, runPath } from '../../src/wandb/paths.js';
import { recallRun, rememberRun } from '../../src/history/readAhead.js';
import type { RunParent } from '../../src/loaders/runLoader.js';
import type { RunField } from '../../src/wandb/batch.js';
import { runDetailsSelected, runFieldsAhead } from '../../src/graphql/selection.js';
import { hasEnded, hintIfEnded, selectsOnlyImmutable } from '../../src/graphql/cacheHints.js';

/**
 * A query asking only for an ended run's immutable data (e.g. the next page
 * of its history) is served from what was read ahead for this caller, when
 * all of it is there: no upstream request.
 */
export const run: NonNullable<QueryResolvers['run']> = async (_, { path }, ctx, info) => {
  const ref = parseRunPath(path);
  const details = runDetailsSelected(info);
  // The run page's files, artifacts and histories come with the run: one upstream request.
  const prefetch = runFieldsAhead(info);
  const immutable = selectsOnlyImmutable(info);
  const remembered = { cache: ctx.readAhead, principal: ctx.principal };
  const recalled = immutable ? await recallRun<RunParent, RunField>(remembered, runPath(ref), details, prefetch) : undefined;
  const found = recalled ?? (await ctx.loaders.runLoader.load({ ref, details, prefetch }));
  if (found && !recalled && immutable && hasEnded(found)) rememberRun(remembered, runPath(ref), details, found);
  hintIfEnded(info, found, immutable);
  return found;
};
