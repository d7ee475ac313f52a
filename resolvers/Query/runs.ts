import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { RunsPageDocument } from '../../src/generated/upstream.js';
import { runsFilterJson, runsOrder } from '../../src/wandb/filters.js';
import { bothFilters, runWhereFilter } from '../../src/wandb/runWhere.js';
import { runFieldsVariables } from '../../src/wandb/batch.js';
import { runDetailsSelected, sampledHistoriesAhead, selects } from '../../src/graphql/selection.js';
import { decodeCursor } from '../../src/wandb/cursor.js';
import { inRange } from '../../src/wandb/paths.js';
import { badInput } from '../../src/errors.js';
import type { RunConnectionParent } from '../RunConnection.js';

export const runs: NonNullable<QueryResolvers['runs']> = async (_, args, ctx, info) => {
  if (!args.entity || !args.project) throw badInput('entity and project must not be empty');
  const first = inRange('first', args.first, 1, 1000);
  const filters = runsFilterJson(bothFilters(args.filters, runWhereFilter(args.where)));
  const order = runsOrder(args.order);
  const after = args.after != null ? decodeCursor('runs', args.after) : null;
  const details = runDetailsSelected(info, [['nodes'], ['edges', 'node']]);
  // Sampled histories of the page's runs (e.g. a comparison chart) come with the page: one upstream request.
  const specs = sampledHistoriesAhead(info, [['nodes'], ['edges', 'node']]).flatMap((f) => (f.kind === 'sampledHistory' ? [f] : []));
  const data = await ctx.upstream.request(RunsPageDocument, {
    entity: args.entity,
    project: args.project,
    filters,
    order,
    first,
    after,
    withCount: selects(info, [], 'totalCount'),
    withSampledHistory: specs.length > 0,
    sampledHistorySpecs: specs.map((f) => f.spec),
    ...runFieldsVariables(details),
  });
  const edges = data.project?.runs?.edges ?? [];
  const parent: RunConnectionParent = {
    runs: edges.map(({ node: { sampledHistory, ...node } }) => ({
      ...node,
      entity: args.entity,
      project: args.project,
      prefetched: specs.flatMap((field, i) => (Array.isArray(sampledHistory?.[i]) ? [{ field, value: sampledHistory[i] }] : [])),
    })),
    cursors: edges.map((e) => e.cursor),
    hasNextPage: data.project?.runs?.pageInfo.hasNextPage ?? false,
    hasPreviousPage: after !== null,
    totalCount: data.project?.runCount ?? 0,
  };
  return parent;
};
