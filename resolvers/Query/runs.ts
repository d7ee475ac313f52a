import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { RunsPageDocument } from '../../src/generated/upstream.js';
import { runsFilterJson, runsOrder } from '../../src/wandb/filters.js';
import { runFieldsVariables } from '../../src/wandb/batch.js';
import { pageRuns, withSortKey } from '../../src/wandb/runsPaging.js';
import { runDetailsSelected, selects } from '../../src/graphql/selection.js';
import { inRange } from '../../src/wandb/paths.js';
import { badInput } from '../../src/errors.js';
import type { RunConnectionParent } from '../RunConnection.js';

export const runs: NonNullable<QueryResolvers['runs']> = async (_, args, ctx, info) => {
  if (!args.entity || !args.project) throw badInput('entity and project must not be empty');
  const first = inRange('first', args.first, 1, 1000);
  const filters = runsFilterJson(args.filters);
  const order = runsOrder(args.order);
  const fields = runFieldsVariables(withSortKey(runDetailsSelected(info, [['nodes'], ['edges', 'node']]), order));
  let withCount = selects(info, [], 'totalCount');
  let totalCount: number | null = null;
  const page = await pageRuns(
    async (read) => {
      // Only the page's first read counts (reads may be sent side by side).
      const count = withCount;
      withCount = false;
      const data = await ctx.upstream.request(RunsPageDocument, { entity: args.entity, project: args.project, ...read, countFilters: filters, withCount: count, ...fields });
      if (count) totalCount = data.project?.runCount ?? 0;
      const runs = data.project?.runs;
      return { runs: runs?.edges.map((e) => e.node) ?? [], hasNextPage: runs?.pageInfo.hasNextPage ?? false };
    },
    { filters, order, first, after: args.after ?? null },
  );
  const parent: RunConnectionParent = {
    runs: page.runs.map((run) => ({ ...run, entity: args.entity, project: args.project })),
    cursors: page.cursors,
    hasNextPage: page.hasNextPage,
    hasPreviousPage: args.after != null,
    totalCount,
  };
  return parent;
};
