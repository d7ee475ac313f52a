import type { ArtifactConnectionResolvers } from '../src/generated/subgraph.js';
import type { ArtifactFieldsFragment } from '../src/generated/upstream.js';
import { lazyEdge, pageInfoOf } from '../src/wandb/cursor.js';

/** A page of a run's logged or used artifacts as W&B returned it (cursors and page info only when the query pages). */
export interface ArtifactConnectionParent {
  page: {
    totalCount: number;
    edges?: { cursor?: string; node: ArtifactFieldsFragment | null }[];
    pageInfo?: { hasNextPage: boolean; endCursor: string | null };
  } | null;
  hasPreviousPage: boolean;
}

export const ArtifactConnection: ArtifactConnectionResolvers = {
  edges: (c) =>
    (c.page?.edges ?? [])
      .filter((e): e is { cursor: string; node: ArtifactFieldsFragment } => e.node !== null)
      .map((e) => lazyEdge(e.node, 'artifacts', e.cursor)),
  pageInfo: (c) => pageInfoOf('artifacts', (c.page?.edges ?? []).map((e) => e.cursor!), c.page?.pageInfo?.hasNextPage ?? false, c.hasPreviousPage),
  totalCount: (c) => c.page?.totalCount ?? 0,
};
