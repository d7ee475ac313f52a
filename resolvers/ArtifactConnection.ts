import type { ArtifactConnectionResolvers } from '../src/generated/subgraph.js';
import type { ArtifactFieldsFragment } from '../src/generated/upstream.js';
import { encodeCursor } from '../src/cursor.js';

/** A page of a run's logged or used artifacts as W&B returned it. */
export interface ArtifactConnectionParent {
  page: {
    totalCount: number;
    edges: { cursor: string; node: ArtifactFieldsFragment | null }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  } | null;
  hasPreviousPage: boolean;
}

export const ArtifactConnection: ArtifactConnectionResolvers = {
  edges: (c) =>
    (c.page?.edges ?? [])
      .filter((e): e is { cursor: string; node: ArtifactFieldsFragment } => e.node !== null)
      .map((e) => ({ node: e.node, cursor: encodeCursor('artifacts', e.cursor) })),
  pageInfo: (c) => {
    const edges = c.page?.edges ?? [];
    return {
      hasNextPage: c.page?.pageInfo.hasNextPage ?? false,
      hasPreviousPage: c.hasPreviousPage,
      startCursor: edges.length ? encodeCursor('artifacts', edges[0].cursor) : null,
      endCursor: edges.length ? encodeCursor('artifacts', edges[edges.length - 1].cursor) : null,
    };
  },
  totalCount: (c) => c.page?.totalCount ?? 0,
};
