import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { runsFilterJson, runsOrder } from '../../src/wandb/filters.js';
import { bothFilters, runWhereFilter } from '../../src/wandb/runWhere.js';
import { pageRuns, withSortKey } from '../../src/wandb/runsPaging.js';
import { runPlanSelected, selects } from '../../src/graphql/selection.js';
import { inRange } from '../../src/wandb/paths.js';
import { badInput } from '../../src/errors.js';
import type { RunParent } from '../../src/loaders/runLoader.js';
import type { RunConnectionParent } from '../RunConnection.js';

/** The run fields each order reads its runs by (besides name), for runsPaging. */
const sortFields: Record<string, string> = { heartbeat_at: 'heartbeatAt', display_name: 'displayName' };

/** A page of runs and every call their selection makes: one upstream request per read (one read for most pages). */
export const runs: NonNullable<QueryResolvers['runs']> = async (_, args, ctx, info) => {
  if (!args.entity || !args.project) throw badInput('entity and project must not be empty');
  const first = inRange('first', args.first, 1, 1000);
  const filters = runsFilterJson(bothFilters(args.filters, runWhereFilter(args.where)));
  const order = runsOrder(args.order);
  const sortField = sortFields[order.slice(1)];
  const plan = runPlanSelected(info, [['nodes'], ['edges', 'node']], true, ['createdAt', ...(sortField ? [sortField] : [])]);
  const details = withSortKey(plan.details, order);
  let withCount = selects(info, [], 'totalCount');
  let totalCount: number | null = null;
  const page = await pageRuns<RunParent>(
    async (read) => {
      // Only the page's first read counts (reads may be sent side by side).
      const count = withCount;
      withCount = false;
      const answer = await ctx.wandb.runsPage({ entity: args.entity, project: args.project, ...read, countFilters: filters, withCount: count }, { ...plan, details });
      if (count) totalCount = answer.totalCount ?? 0;
      return { runs: answer.runs, hasNextPage: answer.hasNextPage };
    },
    { entity: args.entity, project: args.project, filters, order, first, after: args.after ?? null },
  );
  const parent: RunConnectionParent = { runs: page.runs, cursors: page.cursors, hasNextPage: page.hasNextPage, hasPreviousPage: args.after != null, totalCount };
  return parent;
};
