/**
 * Every GraphQL document the dashboard sends. Each view's first load is one
 * of these queries; `npm run codegen` types them from the published SDL into
 * ./gql.
 */
import { graphql } from './gql';

/** The runs table: one page of a project's runs with their config and summary. */
export const ProjectRunsQuery = graphql(`
  query ProjectRuns($entity: String!, $project: String!, $first: Int!, $after: String, $where: RunWhere, $order: String) {
    runs(entity: $entity, project: $project, first: $first, after: $after, where: $where, order: $order) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          path
          runId
          displayName
          state
          tags
          createdAt
          config
          summary
        }
      }
    }
  }
`);

/** The rows of a history page, for charts. */
export const HistoryPageFragment = graphql(`
  fragment HistoryPage on RunHistoryConnection {
    edges {
      cursor
      node {
        step
        values
      }
    }
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
  }
`);

/** Artifact columns shown on the run page. */
export const ArtifactRowFragment = graphql(`
  fragment ArtifactRow on Artifact {
    id
    qualifiedName
    type
    aliases
    sizeBytes
    createdAt
  }
`);

/** The run page: everything but the later history pages, in one request. */
export const RunPageQuery = graphql(`
  query RunPage($path: String!, $historyFirst: Int!) {
    run(path: $path) {
      id
      path
      runId
      displayName
      state
      url
      createdAt
      heartbeatAt
      notes
      tags
      group
      jobType
      username
      lastStep
      config
      summary
      systemMetrics
      historyKeys {
        key
        types
      }
      history(first: $historyFirst) {
        ...HistoryPage
      }
      systemHistory: sampledHistory(stream: SYSTEM, samples: 300)
      files(first: 100) {
        totalCount
        edges {
          node {
            id
            name
            sizeBytes
            url
          }
        }
      }
      loggedArtifacts(first: 50) {
        totalCount
        edges {
          node {
            ...ArtifactRow
          }
        }
      }
      usedArtifacts(first: 50) {
        totalCount
        edges {
          node {
            ...ArtifactRow
          }
        }
      }
    }
  }
`);

/** The next page of a run's history, after the rows the chart already has. */
export const HistoryMoreQuery = graphql(`
  query HistoryMore($path: String!, $historyFirst: Int!, $after: String) {
    run(path: $path) {
      id
      path
      lastStep
      history(first: $historyFirst, after: $after) {
        ...HistoryPage
      }
    }
  }
`);

/**
 * A running run as it changes: state, heartbeat, last step and summary; for
 * a run longer than one page, also its latest rows (history(last:)), which
 * its live chart shows. The first event comes at once.
 */
export const RunUpdatedSubscription = graphql(`
  subscription RunUpdated($path: String!, $withTail: Boolean!, $tail: Int!) {
    runUpdated(path: $path) {
      id
      path
      state
      heartbeatAt
      lastStep
      summary
      tail: history(last: $tail) @include(if: $withTail) {
        ...HistoryPage
      }
    }
  }
`);

/** Notes and tags edited on the run page. */
export const UpdateRunMutation = graphql(`
  mutation UpdateRunNotesTags($path: String!, $notes: String, $tags: [String!]) {
    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {
      run {
        id
        path
        notes
        tags
      }
    }
  }
`);

/** Compare: the sampled history of the chosen runs, in one request. */
export const CompareRunsQuery = graphql(`
  query CompareRuns($entity: String!, $project: String!, $runIds: [String!]!, $first: Int!, $keys: [String!], $samples: Int!) {
    runs(entity: $entity, project: $project, where: { runIdIn: $runIds }, first: $first) {
      nodes {
        id
        path
        runId
        displayName
        state
        sampledHistory(keys: $keys, samples: $samples)
      }
    }
  }
`);
