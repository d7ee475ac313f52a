import type { RunConnectionResolvers } from '../src/generated/subgraph.js';
import type { RunParent } from '../src/loaders/runLoader.js';
import { sampledHistory } from './Run.js';
import { sampledHistoryCall } from '../src/graphql/runCalls.js';
import type { RunsCursors } from '../src/wandb/runsCursor.js';
import { Edge, PageInfo } from '../src/wandb/cursor.js';

/** A page of runs as Query.runs fetched it. */
export interface RunConnectionParent {
  runs: RunParent[];
  /** This subgraph's cursors (runsCursor.ts), one per run, encoded when read. */
  cursors: RunsCursors;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number | null;
}

export const RunConnection: RunConnectionResolvers = {
  nodes: (c) => c.runs,
  edges: (c) => c.runs.map((node, i) => new Edge(node, c.cursors, i)),
  pageInfo: (c) => new PageInfo(c.cursors, c.hasNextPage, c.hasPreviousPage),
  totalCount: (c) => c.totalCount ?? 0,
  /** Every run's sampled history (read with the page), each row with runId. */
  histories: async (c, args, ctx) => {
    const field = sampledHistoryCall(args);
    const pages = await Promise.all(c.runs.map((run) => sampledHistory(run, field, args, ctx)));
    return pages.flatMap((rows, i) => rows.map((row) => ({ ...(row as object), runId: c.runs[i].name })));
  },
};
