import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { runsFilterJson, runsOrder } from '../../src/wandb/filters.js';
import { runPlanSelected, selects } from '../../src/graphql/selection.js';
import { decodeCursor } from '../../src/wandb/cursor.js';
import { inRange } from '../../src/wandb/paths.js';
import { badInput } from '../../src/errors.js';
import type { RunConnectionParent } from '../RunConnection.js';

/** A page of runs and every call their selection makes, in one upstream request. */
export const runs: NonNullable<QueryResolvers['runs']> = async (_, args, ctx, info) => {
  if (!args.entity || !args.project) throw badInput('entity and project must not be empty');
  const first = inRange('first', args.first, 1, 1000);
  const after = args.after != null ? decodeCursor('runs', args.after) : null;
  const page = await ctx.wandb.runsPage(
    { entity: args.entity, project: args.project, filters: runsFilterJson(args.filters), order: runsOrder(args.order), first, after, withCount: selects(info, [], 'totalCount') },
    runPlanSelected(info, [['nodes'], ['edges', 'node']], true),
  );
  const parent: RunConnectionParent = { ...page, hasPreviousPage: after !== null };
  return parent;
};
