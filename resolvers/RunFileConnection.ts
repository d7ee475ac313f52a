import type { RunFileConnectionResolvers } from '../src/generated/subgraph.js';
import type { FileFieldsFragment } from '../src/generated/upstream.js';
import type { Context } from '../src/context.js';
import type { RunParent } from '../src/loaders/runLoader.js';
import type { filesCalls } from '../src/graphql/runCalls.js';
import { callOn, withCalls } from '../src/loaders/calls.js';
import { Edge, KindCursors, PageInfo } from '../src/wandb/cursor.js';

/** A files page as read: cursors and page info only when the query pages (see filesCalls). */
export interface FilesPage {
  edges: { cursor?: string; node: FileFieldsFragment | null }[];
  pageInfo?: { hasNextPage: boolean; endCursor: string | null };
}

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

/**
 * Run.files: the page its call read and, without names, W&B's count (one
 * read with the run); `after` says whether the page follows a cursor.
 */
export function filesConnection(ctx: Context, r: RunParent, { page: pageCall, count: countCall }: ReturnType<typeof filesCalls>, after: boolean): RunFileConnectionParent | Promise<RunFileConnectionParent> {
  const names = pageCall.kind === 'files' ? pageCall.names : null;
  return withCalls(ctx.loaders, r, [pageCall, countCall && !names ? countCall : null], ([value, count]): RunFileConnectionParent => {
    const page = value as FilesPage | null;
    return {
      files: page?.edges.map((e) => e.node).filter((n): n is FileFieldsFragment => n !== null) ?? [],
      // W&B's cursors are asked for only when the query reads a cursor or page info, and are there then.
      cursors: page?.edges.map((e) => e.cursor as string) ?? [],
      hasNextPage: page?.pageInfo?.hasNextPage ?? false,
      hasPreviousPage: after,
      totalCount: names ? null : ((count as number | null) ?? 0),
      // With names, W&B counts all the run's files; the named ones are read back and counted instead.
      countNamed: names && countCall ? async () => ((await callOn(ctx.loaders, r, countCall)) as FilesPage | null)?.edges.length ?? 0 : null,
    };
  });
}

export const RunFileConnection: RunFileConnectionResolvers = {
  edges: (c) => {
    const cursors = new KindCursors('files', c.cursors);
    return c.files.map((node, i) => new Edge(node, cursors, i));
  },
  pageInfo: (c) => new PageInfo(new KindCursors('files', c.cursors), c.hasNextPage, c.hasPreviousPage),
  totalCount: (c) => (c.countNamed ? c.countNamed() : (c.totalCount ?? 0)),
};
