import type { RunConnectionResolvers } from '../src/generated/subgraph.js';
import type { RunsPage } from '../src/wandb/api.js';
import { encodeCursor, pageInfoOf } from '../src/wandb/cursor.js';
import { sampledHistory } from './Run.js';

/** A page of runs as Query.runs fetched it. */
export interface RunConnectionParent extends RunsPage {
  hasPreviousPage: boolean;
}

export const RunConnection: RunConnectionResolvers = {
  nodes: (c) => c.runs,
  edges: (c) => c.runs.map((node, i) => ({ node, cursor: encodeCursor('runs', c.cursors[i]) })),
  pageInfo: (c) => pageInfoOf('runs', c.cursors, c.hasNextPage, c.hasPreviousPage),
  totalCount: (c) => c.totalCount ?? 0,
  /** Every run's sampled history (read with the page), each row with runId. */
  histories: async (c, args, ctx) => {
    const pages = await Promise.all(c.runs.map((run) => sampledHistory(run, args, ctx)));
    return pages.flatMap((rows, i) => rows.map((row) => ({ ...(row as object), runId: c.runs[i].name })));
  },
};
