/**
 * The operations a frontend writes against the runs subgraph. Each `graphql()`
 * call is read by graphql-codegen (see codegen.ts), which types it from the
 * published SDL: the call returns a TypedDocumentNode whose result and
 * variables types follow the selection, so `request()` in client.ts needs no
 * hand-written types.
 *
 * After changing a document here, run
 * `npx graphql-codegen --config examples/typed-client/codegen.ts`.
 */
import { graphql } from './gql/index.js';

/**
 * One row of a runs table. Fragment masking is on: a query that spreads
 * `...RunRow` gets an opaque reference to these fields, and only
 * `getFragmentData(RunRow, ref)` reveals them, so the code that renders a row
 * owns what it reads. (`getFragmentData` is the client-preset's `useFragment`
 * under a name that does not look like a React hook; see codegen.ts.)
 */
export const RunRow = graphql(`
  fragment RunRow on Run {
    path
    displayName
    state
    createdAt
    tags
    summary(keys: $summaryKeys)
    config(keys: $configKeys)
    username
  }
`);

/** A page of a project's runs, filtered (Mongo-style JSON, as in the Python API) and ordered. */
export const RunsTable = graphql(`
  query RunsTable(
    $entity: String!
    $project: String!
    $filters: JSON
    $order: String
    $first: Int
    $after: String
    $summaryKeys: [String!]
    $configKeys: [String!]
  ) {
    runs(entity: $entity, project: $project, filters: $filters, order: $order, first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          ...RunRow
        }
      }
    }
  }
`);

/** Everything a run page shows, with sampled chart data for `keys`. */
export const RunPage = graphql(`
  query RunPage($path: String!, $keys: [String!], $samples: Int) {
    run(path: $path) {
      id
      path
      displayName
      state
      url
      notes
      tags
      createdAt
      heartbeatAt
      lastStep
      historyKeys {
        key
        types
      }
      sampledHistory(keys: $keys, samples: $samples)
      files(first: 20) {
        totalCount
        edges {
          node {
            name
            sizeBytes
            url
          }
        }
      }
      loggedArtifacts(first: 10) {
        totalCount
        edges {
          node {
            qualifiedName
            type
            aliases
          }
        }
      }
      usedArtifacts(first: 10) {
        totalCount
        edges {
          node {
            qualifiedName
            type
            aliases
          }
        }
      }
    }
  }
`);

/** Every history row holding `keys`, page by page, for a full-resolution chart. */
export const HistoryScan = graphql(`
  query HistoryScan($path: String!, $keys: [String!], $first: Int, $after: String) {
    run(path: $path) {
      history(keys: $keys, first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        edges {
          node {
            step
            timestamp
            values
          }
        }
      }
    }
  }
`);

/** Replaces a run's notes and tags. */
export const UpdateRunNotes = graphql(`
  mutation UpdateRunNotes($path: String!, $notes: String, $tags: [String!]) {
    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {
      run {
        path
        notes
        tags
      }
    }
  }
`);

/** Creates a run (RUNNING unless `state` says otherwise). */
export const CreateRun = graphql(`
  mutation CreateRun($input: CreateRunInput!) {
    createRun(input: $input) {
      run {
        path
        state
      }
    }
  }
`);

/** Asks where to PUT a file's bytes; the file is the run's once the PUT completes. */
export const StartFileUpload = graphql(`
  mutation StartFileUpload($runPath: String!, $name: String!) {
    createRunFileUpload(input: { runPath: $runPath, name: $name }) {
      uploadUrl
      uploadHeaders
      file {
        name
        sizeBytes
      }
    }
  }
`);
