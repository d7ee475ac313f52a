import type { RunFileConnectionResolvers } from '../src/generated/subgraph.js';
import type { FileFieldsFragment } from '../src/generated/upstream.js';
import { lazyEdge, pageInfoOf } from '../src/wandb/cursor.js';

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
  edges: (c) => c.files.map((node, i) => lazyEdge(node, 'files', c.cursors[i])),
  pageInfo: (c) => pageInfoOf('files', c.cursors, c.hasNextPage, c.hasPreviousPage),
  totalCount: (c) => (c.countNamed ? c.countNamed() : (c.totalCount ?? 0)),
};
