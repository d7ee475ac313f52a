import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { RunsPageDocument } from '../../src/generated/upstream.js';
import { runsFilterJson, runsOrder } from '../../src/wandb/filters.js';
import { bothFilters, runWhereFilter } from '../../src/wandb/runWhere.js';
import { runFieldsVariables } from '../../src/wandb/batch.js';
import { pageRuns, withSortKey } from '../../src/wandb/runsPaging.js';
import { runDetailsSelected, sampledHistoriesAhead, selects } from '../../src/graphql/selection.js';
import { inRange } from '../../src/wandb/paths.js';
import { badInput } from '../../src/errors.js';
import type { RunConnectionParent } from '../RunConnection.js';
import { checkedList, checkRunIn } from '../../src/wandb/trust.js';

export const runs: NonNullable<QueryResolvers['runs']> = async (_, args, ctx, info) => {
  if (!args.entity || !args.project) throw badInput('entity and project must not be empty');
  const first = inRange('first', args.first, 1, 1000);
  const filters = runsFilterJson(bothFilters(args.filters, runWhereFilter(args.where)));
  const order = runsOrder(args.order);
  const fields = runFieldsVariables(withSortKey(runDetailsSelected(info, [['nodes'], ['edges', 'node']]), order));
  // Sampled histories of the page's runs (e.g. a comparison chart) come with the page: one upstream request.
  const specs = sampledHistoriesAhead(info, [['nodes'], ['edges', 'node']]).flatMap((f) => (f.kind === 'sampledHistory' ? [f] : []));
  const sampled = { withSampledHistory: specs.length > 0, sampledHistorySpecs: specs.map((f) => f.spec) };
  let withCount = selects(info, [], 'totalCount');
  let totalCount: number | null = null;
  const page = await pageRuns(
    async (read) => {
      // Only the page's first read counts (reads may be sent side by side).
      const count = withCount;
      withCount = false;
      const data = await ctx.upstream.request(RunsPageDocument, { entity: args.entity, project: args.project, ...read, countFilters: filters, withCount: count, ...fields, ...sampled });
      if (count) totalCount = data.project?.runCount ?? 0;
      const runs = data.project?.runs;
      // No more runs than this read asked for, each of the project asked for.
      const edges = checkedList<NonNullable<typeof runs>['edges'][number]>(runs?.edges, read.first, 'the runs page');
      for (const e of edges) checkRunIn(e.node, args.entity, args.project);
      return { runs: edges.map((e) => e.node), hasNextPage: runs?.pageInfo.hasNextPage ?? false };
    },
    { filters, order, first, after: args.after ?? null },
  );
  const parent: RunConnectionParent = {
    runs: page.runs.map(({ sampledHistory, ...run }) => ({
      ...run,
      entity: args.entity,
      project: args.project,
      prefetched: specs.flatMap((field, i) => (Array.isArray(sampledHistory?.[i]) ? [{ field, value: sampledHistory[i] }] : [])),
    })),
    cursors: page.cursors,
    hasNextPage: page.hasNextPage,
    hasPreviousPage: args.after != null,
    totalCount,
  };
  return parent;
};
