import type { QueryResolvers } from '../../src/generated/subgraph.js';
import { RunsPageDocument } from '../../src/generated/upstream.js';
import { runsFilterJson, runsOrder } from '../../src/wandb/filters.js';
import { runFieldsVariables } from '../../src/wandb/batch.js';
import { runDetailsSelected, selects } from '../../src/graphql/selection.js';
import { decodeCursor } from '../../src/wandb/cursor.js';
import { inRange } from '../../src/wandb/paths.js';
import { badInput } from '../../src/errors.js';
import type { RunConnectionParent } from '../RunConnection.js';

export const runs: NonNullable<QueryResolvers['runs']> = async (_, args, ctx, info) => {
  if (!args.entity || !args.project) throw badInput('entity and project must not be empty');
  const first = inRange('first', args.first, 1, 1000);
  const filters = runsFilterJson(args.filters);
  const order = runsOrder(args.order);
  const after = args.after != null ? decodeCursor('runs', args.after) : null;
  const details = runDetailsSelected(info, [['nodes'], ['edges', 'node']]);
  const data = await ctx.upstream.request(RunsPageDocument, {
    entity: args.entity,
    project: args.project,
    filters,
    order,
    first,
    after,
    withCount: selects(info, [], 'totalCount'),
    ...runFieldsVariables(details),
  });
  const edges = data.project?.runs?.edges ?? [];
  const parent: RunConnectionParent = {
    runs: edges.map((e) => ({ ...e.node, entity: args.entity, project: args.project })),
    cursors: edges.map((e) => e.cursor),
    hasNextPage: data.project?.runs?.pageInfo.hasNextPage ?? false,
    hasPreviousPage: after !== null,
    totalCount: data.project?.runCount ?? 0,
  };
  return parent;
};
