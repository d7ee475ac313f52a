import type { ArtifactConnectionResolvers } from '../src/generated/subgraph.js';
import type { ArtifactFieldsFragment } from '../src/generated/upstream.js';
import type { Context } from '../src/context.js';
import type { RunParent } from '../src/loaders/runLoader.js';
import type { RunField } from '../src/wandb/documents.js';
import { withCalls } from '../src/loaders/calls.js';
import { Edge, KindCursors, PageInfo } from '../src/wandb/cursor.js';

/** A page of a run's logged or used artifacts as W&B returned it (cursors and page info only when the query pages). */
export interface ArtifactConnectionParent {
  page: {
    totalCount: number;
    edges?: { cursor?: string; node: ArtifactFieldsFragment | null }[];
    pageInfo?: { hasNextPage: boolean; endCursor: string | null };
  } | null;
  hasPreviousPage: boolean;
}

/** Run.loggedArtifacts or Run.usedArtifacts: the page its call read (with the run, or now). */
export function artifactsConnection(ctx: Context, r: RunParent, field: Extract<RunField, { kind: 'outputArtifacts' | 'inputArtifacts' }>): ArtifactConnectionParent | Promise<ArtifactConnectionParent> {
  return withCalls(ctx.loaders, r, [field], ([page]) => ({ page: page as ArtifactConnectionParent['page'], hasPreviousPage: field.after !== null }));
}

export const ArtifactConnection: ArtifactConnectionResolvers = {
  edges: (c) => {
    const edges = (c.page?.edges ?? []).filter((e): e is { cursor: string; node: ArtifactFieldsFragment } => e.node !== null);
    const cursors = new KindCursors('artifacts', edges.map((e) => e.cursor));
    return edges.map((e, i) => new Edge(e.node, cursors, i));
  },
  pageInfo: (c) => new PageInfo(new KindCursors('artifacts', (c.page?.edges ?? []).map((e) => e.cursor!)), c.page?.pageInfo?.hasNextPage ?? false, c.hasPreviousPage),
  totalCount: (c) => c.page?.totalCount ?? 0,
};
