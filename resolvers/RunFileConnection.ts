import type { RunFileConnectionResolvers } from '../src/generated/subgraph.js';
import type { FileFieldsFragment } from '../src/generated/upstream.js';
import { Edge, KindCursors, PageInfo } from '../src/wandb/cursor.js';

/** A page of a run's files as Run.files fetched it. */
export interface RunFileConnectionParent {
  files: FileFieldsFragment[];
  cursors: string[];
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  /** W&B's file count, when all files were listed. */
  totalCount: number | null;
  /** Counts the named files, when names were given. */
  countNamed: (() => Promise<number>) | null;
}

export const RunFileConnection: RunFileConnectionResolvers = {
  edges: (c) => {
    const cursors = new KindCursors('files', c.cursors);
    return c.files.map((node, i) => new Edge(node, cursors, i));
  },
  pageInfo: (c) => new PageInfo(new KindCursors('files', c.cursors), c.hasNextPage, c.hasPreviousPage),
  totalCount: (c) => (c.countNamed ? c.countNamed() : (c.totalCount ?? 0)),
};
