import type { RunHistoryConnectionResolvers } from '../src/generated/subgraph.js';
import type { StepRow } from '../src/history/history.js';
import { encodeCursor, pageInfoOf } from '../src/wandb/cursor.js';
import { rawOr, type RawJsonSink } from '../src/graphql/rawJson.js';

/** A page of history rows as Run.history read it. */
export interface RunHistoryConnectionParent {
  rows: StepRow[];
  /** The keys asked for, or null for whole rows. */
  keys: string[] | null;
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** Where whole rows go as W&B's text (see rawJson.ts); parsed rows when absent. */
  raw?: RawJsonSink;
}

export const RunHistoryConnection: RunHistoryConnectionResolvers = {
  edges: (c) =>
    c.rows.map(({ step, row, text }) => ({
      // Encoded only when selected.
      get cursor() {
        return encodeCursor('history', step);
      },
      node: {
        step,
        timestamp: typeof row._timestamp === 'number' ? row._timestamp : null,
        runtime: typeof row._runtime === 'number' ? row._runtime : null,
        values: c.keys ? Object.fromEntries(c.keys.filter((k) => k in row).map((k) => [k, row[k]])) : text !== undefined ? rawOr(c.raw, text, row) : row,
      },
    })),
  pageInfo: (c) => pageInfoOf('history', [c.rows[0]?.step, c.rows[c.rows.length - 1]?.step].filter((s): s is number => s !== undefined), c.hasNextPage, c.hasPreviousPage),
};
