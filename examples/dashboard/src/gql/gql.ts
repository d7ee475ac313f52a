/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query ProjectRuns($entity: String!, $project: String!, $first: Int!, $after: String, $where: RunWhere, $order: String) {\n    runs(entity: $entity, project: $project, first: $first, after: $after, where: $where, order: $order) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          path\n          runId\n          displayName\n          state\n          tags\n          createdAt\n          config\n          summary\n        }\n      }\n    }\n  }\n": typeof types.ProjectRunsDocument,
    "\n  fragment HistoryPage on RunHistoryConnection {\n    edges {\n      cursor\n      node {\n        step\n        values\n      }\n    }\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n": typeof types.HistoryPageFragmentDoc,
    "\n  fragment ArtifactRow on Artifact {\n    id\n    qualifiedName\n    type\n    aliases\n    sizeBytes\n    createdAt\n  }\n": typeof types.ArtifactRowFragmentDoc,
    "\n  query RunPage($path: String!, $historyFirst: Int!) {\n    run(path: $path) {\n      id\n      path\n      runId\n      displayName\n      state\n      url\n      createdAt\n      heartbeatAt\n      notes\n      tags\n      group\n      jobType\n      username\n      lastStep\n      config\n      summary\n      systemMetrics\n      historyKeys {\n        key\n        types\n      }\n      history(first: $historyFirst) {\n        ...HistoryPage\n      }\n      systemHistory: sampledHistory(stream: SYSTEM, samples: 300)\n      files(first: 100) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            sizeBytes\n            url\n          }\n        }\n      }\n      loggedArtifacts(first: 50) {\n        totalCount\n        edges {\n          node {\n            ...ArtifactRow\n          }\n        }\n      }\n      usedArtifacts(first: 50) {\n        totalCount\n        edges {\n          node {\n            ...ArtifactRow\n          }\n        }\n      }\n    }\n  }\n": typeof types.RunPageDocument,
    "\n  query HistoryMore($path: String!, $historyFirst: Int!, $after: String) {\n    run(path: $path) {\n      id\n      path\n      lastStep\n      history(first: $historyFirst, after: $after) {\n        ...HistoryPage\n      }\n    }\n  }\n": typeof types.HistoryMoreDocument,
    "\n  subscription RunUpdated($path: String!, $withTail: Boolean!, $tail: Int!) {\n    runUpdated(path: $path) {\n      id\n      path\n      state\n      heartbeatAt\n      lastStep\n      summary\n      tail: history(last: $tail) @include(if: $withTail) {\n        ...HistoryPage\n      }\n    }\n  }\n": typeof types.RunUpdatedDocument,
    "\n  mutation UpdateRunNotesTags($path: String!, $notes: String, $tags: [String!]) {\n    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {\n      run {\n        id\n        path\n        notes\n        tags\n      }\n    }\n  }\n": typeof types.UpdateRunNotesTagsDocument,
    "\n  query CompareRuns($entity: String!, $project: String!, $runIds: [String!]!, $first: Int!, $keys: [String!], $samples: Int!) {\n    runs(entity: $entity, project: $project, where: { runIdIn: $runIds }, first: $first) {\n      nodes {\n        id\n        path\n        runId\n        displayName\n        state\n        sampledHistory(keys: $keys, samples: $samples)\n      }\n    }\n  }\n": typeof types.CompareRunsDocument,
};
const documents: Documents = {
    "\n  query ProjectRuns($entity: String!, $project: String!, $first: Int!, $after: String, $where: RunWhere, $order: String) {\n    runs(entity: $entity, project: $project, first: $first, after: $after, where: $where, order: $order) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          path\n          runId\n          displayName\n          state\n          tags\n          createdAt\n          config\n          summary\n        }\n      }\n    }\n  }\n": types.ProjectRunsDocument,
    "\n  fragment HistoryPage on RunHistoryConnection {\n    edges {\n      cursor\n      node {\n        step\n        values\n      }\n    }\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n": types.HistoryPageFragmentDoc,
    "\n  fragment ArtifactRow on Artifact {\n    id\n    qualifiedName\n    type\n    aliases\n    sizeBytes\n    createdAt\n  }\n": types.ArtifactRowFragmentDoc,
    "\n  query RunPage($path: String!, $historyFirst: Int!) {\n    run(path: $path) {\n      id\n      path\n      runId\n      displayName\n      state\n      url\n      createdAt\n      heartbeatAt\n      notes\n      tags\n      group\n      jobType\n      username\n      lastStep\n      config\n      summary\n      systemMetrics\n      historyKeys {\n        key\n        types\n      }\n      history(first: $historyFirst) {\n        ...HistoryPage\n      }\n      systemHistory: sampledHistory(stream: SYSTEM, samples: 300)\n      files(first: 100) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            sizeBytes\n            url\n          }\n        }\n      }\n      loggedArtifacts(first: 50) {\n        totalCount\n        edges {\n          node {\n            ...ArtifactRow\n          }\n        }\n      }\n      usedArtifacts(first: 50) {\n        totalCount\n        edges {\n          node {\n            ...ArtifactRow\n          }\n        }\n      }\n    }\n  }\n": types.RunPageDocument,
    "\n  query HistoryMore($path: String!, $historyFirst: Int!, $after: String) {\n    run(path: $path) {\n      id\n      path\n      lastStep\n      history(first: $historyFirst, after: $after) {\n        ...HistoryPage\n      }\n    }\n  }\n": types.HistoryMoreDocument,
    "\n  subscription RunUpdated($path: String!, $withTail: Boolean!, $tail: Int!) {\n    runUpdated(path: $path) {\n      id\n      path\n      state\n      heartbeatAt\n      lastStep\n      summary\n      tail: history(last: $tail) @include(if: $withTail) {\n        ...HistoryPage\n      }\n    }\n  }\n": types.RunUpdatedDocument,
    "\n  mutation UpdateRunNotesTags($path: String!, $notes: String, $tags: [String!]) {\n    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {\n      run {\n        id\n        path\n        notes\n        tags\n      }\n    }\n  }\n": types.UpdateRunNotesTagsDocument,
    "\n  query CompareRuns($entity: String!, $project: String!, $runIds: [String!]!, $first: Int!, $keys: [String!], $samples: Int!) {\n    runs(entity: $entity, project: $project, where: { runIdIn: $runIds }, first: $first) {\n      nodes {\n        id\n        path\n        runId\n        displayName\n        state\n        sampledHistory(keys: $keys, samples: $samples)\n      }\n    }\n  }\n": types.CompareRunsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ProjectRuns($entity: String!, $project: String!, $first: Int!, $after: String, $where: RunWhere, $order: String) {\n    runs(entity: $entity, project: $project, first: $first, after: $after, where: $where, order: $order) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          path\n          runId\n          displayName\n          state\n          tags\n          createdAt\n          config\n          summary\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query ProjectRuns($entity: String!, $project: String!, $first: Int!, $after: String, $where: RunWhere, $order: String) {\n    runs(entity: $entity, project: $project, first: $first, after: $after, where: $where, order: $order) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          id\n          path\n          runId\n          displayName\n          state\n          tags\n          createdAt\n          config\n          summary\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment HistoryPage on RunHistoryConnection {\n    edges {\n      cursor\n      node {\n        step\n        values\n      }\n    }\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n"): (typeof documents)["\n  fragment HistoryPage on RunHistoryConnection {\n    edges {\n      cursor\n      node {\n        step\n        values\n      }\n    }\n    pageInfo {\n      hasNextPage\n      hasPreviousPage\n      startCursor\n      endCursor\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment ArtifactRow on Artifact {\n    id\n    qualifiedName\n    type\n    aliases\n    sizeBytes\n    createdAt\n  }\n"): (typeof documents)["\n  fragment ArtifactRow on Artifact {\n    id\n    qualifiedName\n    type\n    aliases\n    sizeBytes\n    createdAt\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunPage($path: String!, $historyFirst: Int!) {\n    run(path: $path) {\n      id\n      path\n      runId\n      displayName\n      state\n      url\n      createdAt\n      heartbeatAt\n      notes\n      tags\n      group\n      jobType\n      username\n      lastStep\n      config\n      summary\n      systemMetrics\n      historyKeys {\n        key\n        types\n      }\n      history(first: $historyFirst) {\n        ...HistoryPage\n      }\n      systemHistory: sampledHistory(stream: SYSTEM, samples: 300)\n      files(first: 100) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            sizeBytes\n            url\n          }\n        }\n      }\n      loggedArtifacts(first: 50) {\n        totalCount\n        edges {\n          node {\n            ...ArtifactRow\n          }\n        }\n      }\n      usedArtifacts(first: 50) {\n        totalCount\n        edges {\n          node {\n            ...ArtifactRow\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunPage($path: String!, $historyFirst: Int!) {\n    run(path: $path) {\n      id\n      path\n      runId\n      displayName\n      state\n      url\n      createdAt\n      heartbeatAt\n      notes\n      tags\n      group\n      jobType\n      username\n      lastStep\n      config\n      summary\n      systemMetrics\n      historyKeys {\n        key\n        types\n      }\n      history(first: $historyFirst) {\n        ...HistoryPage\n      }\n      systemHistory: sampledHistory(stream: SYSTEM, samples: 300)\n      files(first: 100) {\n        totalCount\n        edges {\n          node {\n            id\n            name\n            sizeBytes\n            url\n          }\n        }\n      }\n      loggedArtifacts(first: 50) {\n        totalCount\n        edges {\n          node {\n            ...ArtifactRow\n          }\n        }\n      }\n      usedArtifacts(first: 50) {\n        totalCount\n        edges {\n          node {\n            ...ArtifactRow\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HistoryMore($path: String!, $historyFirst: Int!, $after: String) {\n    run(path: $path) {\n      id\n      path\n      lastStep\n      history(first: $historyFirst, after: $after) {\n        ...HistoryPage\n      }\n    }\n  }\n"): (typeof documents)["\n  query HistoryMore($path: String!, $historyFirst: Int!, $after: String) {\n    run(path: $path) {\n      id\n      path\n      lastStep\n      history(first: $historyFirst, after: $after) {\n        ...HistoryPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription RunUpdated($path: String!, $withTail: Boolean!, $tail: Int!) {\n    runUpdated(path: $path) {\n      id\n      path\n      state\n      heartbeatAt\n      lastStep\n      summary\n      tail: history(last: $tail) @include(if: $withTail) {\n        ...HistoryPage\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription RunUpdated($path: String!, $withTail: Boolean!, $tail: Int!) {\n    runUpdated(path: $path) {\n      id\n      path\n      state\n      heartbeatAt\n      lastStep\n      summary\n      tail: history(last: $tail) @include(if: $withTail) {\n        ...HistoryPage\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateRunNotesTags($path: String!, $notes: String, $tags: [String!]) {\n    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {\n      run {\n        id\n        path\n        notes\n        tags\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateRunNotesTags($path: String!, $notes: String, $tags: [String!]) {\n    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {\n      run {\n        id\n        path\n        notes\n        tags\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CompareRuns($entity: String!, $project: String!, $runIds: [String!]!, $first: Int!, $keys: [String!], $samples: Int!) {\n    runs(entity: $entity, project: $project, where: { runIdIn: $runIds }, first: $first) {\n      nodes {\n        id\n        path\n        runId\n        displayName\n        state\n        sampledHistory(keys: $keys, samples: $samples)\n      }\n    }\n  }\n"): (typeof documents)["\n  query CompareRuns($entity: String!, $project: String!, $runIds: [String!]!, $first: Int!, $keys: [String!], $samples: Int!) {\n    runs(entity: $entity, project: $project, where: { runIdIn: $runIds }, first: $first) {\n      nodes {\n        id\n        path\n        runId\n        displayName\n        state\n        sampledHistory(keys: $keys, samples: $samples)\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;