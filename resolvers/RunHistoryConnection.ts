import type { RunHistoryConnectionResolvers } from '../src/generated/subgraph.js';
import type { StepRow } from '../src/history/history.js';
import { pageInfoOf } from '../src/wandb/cursor.js';
import type { RawJsonSink } from '../src/graphql/rawJson.js';
import { historyEdges } from '../src/history/historyEdges.js';

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
  edges: (c) => historyEdges(c.rows, c.keys, c.raw),
  pageInfo: (c) => pageInfoOf('history', [c.rows[0]?.step, c.rows[c.rows.length - 1]?.step].filter((s): s is number => s !== undefined), c.hasNextPage, c.hasPreviousPage),
};
