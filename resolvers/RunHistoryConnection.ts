import type { RunHistoryConnectionResolvers } from '../src/generated/subgraph.js';
import { KindCursors, PageInfo } from '../src/wandb/cursor.js';
import { historyEdges, type HistoryPage } from '../src/history/historyEdges.js';

/** A page of history rows as Run.history read it. */
export interface RunHistoryConnectionParent extends HistoryPage {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
}

export const RunHistoryConnection: RunHistoryConnectionResolvers = {
  edges: (c, _args, ctx, info) => historyEdges(c, info, ctx.rawPlaces),
  pageInfo: (c) => new PageInfo(new KindCursors('history', [c.rows[0]?.step, c.rows[c.rows.length - 1]?.step].filter((s): s is number => s !== undefined)), c.hasNextPage, c.hasPreviousPage),
};
