import type { RunConnectionResolvers } from '../src/generated/subgraph.js';
import type { RunParent } from '../src/loaders/runLoader.js';
import { sampledHistory } from './Run.js';

/** A page of runs as Query.runs fetched it. */
export interface RunConnectionParent {
  runs: RunParent[];
  /** This subgraph's cursors (runsCursor.ts), one per run. */
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  totalCount: number | null;
}

export const RunConnection: RunConnectionResolvers = {
  nodes: (c) => c.runs,
  edges: (c) => c.runs.map((node, i) => ({ node, cursor: c.cursors[i] })),
  pageInfo: (c) => ({
    hasNextPage: c.hasNextPage,
    hasPreviousPage: c.hasPreviousPage,
    startCursor: c.cursors[0] ?? null,
    endCursor: c.cursors[c.cursors.length - 1] ?? null,
  }),
  totalCount: (c) => c.totalCount ?? 0,
  /** Every run's sampled history (read with the page), each row with runId. */
  histories: async (c, args, ctx) => {
    const pages = await Promise.all(c.runs.map((run) => sampledHistory(run, args, ctx)));
    return pages.flatMap((rows, i) => rows.map((row) => ({ ...(row as object), runId: c.runs[i].name })));
  },
};
