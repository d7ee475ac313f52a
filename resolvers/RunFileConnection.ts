import type { RunFileConnectionResolvers } from '../src/generated/subgraph.js';
import type { FileFieldsFragment } from '../src/generated/upstream.js';
import { encodeCursor } from '../src/cursor.js';

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
  edges: (c) => c.files.map((node, i) => ({ node, cursor: encodeCursor('files', c.cursors[i]) })),
  pageInfo: (c) => ({
    hasNextPage: c.hasNextPage,
    hasPreviousPage: c.hasPreviousPage,
    startCursor: c.cursors.length ? encodeCursor('files', c.cursors[0]) : null,
    endCursor: c.cursors.length ? encodeCursor('files', c.cursors[c.cursors.length - 1]) : null,
  }),
  totalCount: (c) => (c.countNamed ? c.countNamed() : (c.totalCount ?? 0)),
};
