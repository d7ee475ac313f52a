import type { RunConnectionResolvers } from '../src/generated/subgraph.js';
import type { RunParent } from '../src/loaders/runLoader.js';
import { encodeCursor, pageInfoOf } from '../src/wandb/cursor.js';
import { sampledHistory } from './Run.js';

/** A page of runs as Query.runs fetched it. */
export interface RunConnectionParent {
  runs: RunParent[];
  /** Upstream cursors, one per run. */
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number | null;
}

export const RunConnection: RunConnectionResolvers = {
  nodes: (c) => c.runs,
  edges: (c) => c.runs.map((node, i) => ({ node, cursor: encodeCursor('runs', c.cursors[i]) })),
  pageInfo: (c) => pageInfoOf('runs', c.cursors, c.hasNextPage, c.hasPreviousPage),
  totalCount: (c) => c.totalCount ?? 0,
  /** Every run's sampled history in one upstream request (the loader batches them), each row with runId. */
  histories: async (c, args, ctx) => {
    const pages = await Promise.all(c.runs.map((run) => sampledHistory(run, args, ctx)));
    return pages.flatMap((rows, i) => rows.map((row) => ({ ...(row as object), runId: c.runs[i].name })));
  },
};
