/* eslint-disable */
import * as types from './graphql.js';
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
    "\n  fragment RunRow on Run {\n    path\n    displayName\n    state\n    createdAt\n    tags\n    summary(keys: $summaryKeys)\n    config(keys: $configKeys)\n    username\n  }\n": typeof types.RunRowFragmentDoc,
    "\n  query RunsTable(\n    $entity: String!\n    $project: String!\n    $filters: JSON\n    $order: String\n    $first: Int\n    $after: String\n    $summaryKeys: [String!]\n    $configKeys: [String!]\n  ) {\n    runs(entity: $entity, project: $project, filters: $filters, order: $order, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n": typeof types.RunsTableDocument,
    "\n  query RunPage($path: String!, $keys: [String!], $samples: Int) {\n    run(path: $path) {\n      id\n      path\n      displayName\n      state\n      url\n      notes\n      tags\n      createdAt\n      heartbeatAt\n      lastStep\n      historyKeys {\n        key\n        types\n      }\n      sampledHistory(keys: $keys, samples: $samples)\n      files(first: 20) {\n        totalCount\n        edges {\n          node {\n            name\n            sizeBytes\n            url\n          }\n        }\n      }\n      loggedArtifacts(first: 10) {\n        totalCount\n        edges {\n          node {\n            qualifiedName\n            type\n            aliases\n          }\n        }\n      }\n      usedArtifacts(first: 10) {\n        totalCount\n        edges {\n          node {\n            qualifiedName\n            type\n            aliases\n          }\n        }\n      }\n    }\n  }\n": typeof types.RunPageDocument,
    "\n  query HistoryScan($path: String!, $keys: [String!], $first: Int, $after: String) {\n    run(path: $path) {\n      history(keys: $keys, first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            step\n            timestamp\n            values\n          }\n        }\n      }\n    }\n  }\n": typeof types.HistoryScanDocument,
    "\n  mutation UpdateRunNotes($path: String!, $notes: String, $tags: [String!]) {\n    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {\n      run {\n        path\n        notes\n        tags\n      }\n    }\n  }\n": typeof types.UpdateRunNotesDocument,
    "\n  mutation CreateRun($input: CreateRunInput!) {\n    createRun(input: $input) {\n      run {\n        path\n        state\n      }\n    }\n  }\n": typeof types.CreateRunDocument,
    "\n  mutation StartFileUpload($runPath: String!, $name: String!) {\n    createRunFileUpload(input: { runPath: $runPath, name: $name }) {\n      uploadUrl\n      uploadHeaders\n      file {\n        name\n        sizeBytes\n      }\n    }\n  }\n": typeof types.StartFileUploadDocument,
};
const documents: Documents = {
    "\n  fragment RunRow on Run {\n    path\n    displayName\n    state\n    createdAt\n    tags\n    summary(keys: $summaryKeys)\n    config(keys: $configKeys)\n    username\n  }\n": types.RunRowFragmentDoc,
    "\n  query RunsTable(\n    $entity: String!\n    $project: String!\n    $filters: JSON\n    $order: String\n    $first: Int\n    $after: String\n    $summaryKeys: [String!]\n    $configKeys: [String!]\n  ) {\n    runs(entity: $entity, project: $project, filters: $filters, order: $order, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n": types.RunsTableDocument,
    "\n  query RunPage($path: String!, $keys: [String!], $samples: Int) {\n    run(path: $path) {\n      id\n      path\n      displayName\n      state\n      url\n      notes\n      tags\n      createdAt\n      heartbeatAt\n      lastStep\n      historyKeys {\n        key\n        types\n      }\n      sampledHistory(keys: $keys, samples: $samples)\n      files(first: 20) {\n        totalCount\n        edges {\n          node {\n            name\n            sizeBytes\n            url\n          }\n        }\n      }\n      loggedArtifacts(first: 10) {\n        totalCount\n        edges {\n          node {\n            qualifiedName\n            type\n            aliases\n          }\n        }\n      }\n      usedArtifacts(first: 10) {\n        totalCount\n        edges {\n          node {\n            qualifiedName\n            type\n            aliases\n          }\n        }\n      }\n    }\n  }\n": types.RunPageDocument,
    "\n  query HistoryScan($path: String!, $keys: [String!], $first: Int, $after: String) {\n    run(path: $path) {\n      history(keys: $keys, first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            step\n            timestamp\n            values\n          }\n        }\n      }\n    }\n  }\n": types.HistoryScanDocument,
    "\n  mutation UpdateRunNotes($path: String!, $notes: String, $tags: [String!]) {\n    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {\n      run {\n        path\n        notes\n        tags\n      }\n    }\n  }\n": types.UpdateRunNotesDocument,
    "\n  mutation CreateRun($input: CreateRunInput!) {\n    createRun(input: $input) {\n      run {\n        path\n        state\n      }\n    }\n  }\n": types.CreateRunDocument,
    "\n  mutation StartFileUpload($runPath: String!, $name: String!) {\n    createRunFileUpload(input: { runPath: $runPath, name: $name }) {\n      uploadUrl\n      uploadHeaders\n      file {\n        name\n        sizeBytes\n      }\n    }\n  }\n": types.StartFileUploadDocument,
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
export function graphql(source: "\n  fragment RunRow on Run {\n    path\n    displayName\n    state\n    createdAt\n    tags\n    summary(keys: $summaryKeys)\n    config(keys: $configKeys)\n    username\n  }\n"): (typeof documents)["\n  fragment RunRow on Run {\n    path\n    displayName\n    state\n    createdAt\n    tags\n    summary(keys: $summaryKeys)\n    config(keys: $configKeys)\n    username\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunsTable(\n    $entity: String!\n    $project: String!\n    $filters: JSON\n    $order: String\n    $first: Int\n    $after: String\n    $summaryKeys: [String!]\n    $configKeys: [String!]\n  ) {\n    runs(entity: $entity, project: $project, filters: $filters, order: $order, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunsTable(\n    $entity: String!\n    $project: String!\n    $filters: JSON\n    $order: String\n    $first: Int\n    $after: String\n    $summaryKeys: [String!]\n    $configKeys: [String!]\n  ) {\n    runs(entity: $entity, project: $project, filters: $filters, order: $order, first: $first, after: $after) {\n      totalCount\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n      edges {\n        cursor\n        node {\n          ...RunRow\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RunPage($path: String!, $keys: [String!], $samples: Int) {\n    run(path: $path) {\n      id\n      path\n      displayName\n      state\n      url\n      notes\n      tags\n      createdAt\n      heartbeatAt\n      lastStep\n      historyKeys {\n        key\n        types\n      }\n      sampledHistory(keys: $keys, samples: $samples)\n      files(first: 20) {\n        totalCount\n        edges {\n          node {\n            name\n            sizeBytes\n            url\n          }\n        }\n      }\n      loggedArtifacts(first: 10) {\n        totalCount\n        edges {\n          node {\n            qualifiedName\n            type\n            aliases\n          }\n        }\n      }\n      usedArtifacts(first: 10) {\n        totalCount\n        edges {\n          node {\n            qualifiedName\n            type\n            aliases\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query RunPage($path: String!, $keys: [String!], $samples: Int) {\n    run(path: $path) {\n      id\n      path\n      displayName\n      state\n      url\n      notes\n      tags\n      createdAt\n      heartbeatAt\n      lastStep\n      historyKeys {\n        key\n        types\n      }\n      sampledHistory(keys: $keys, samples: $samples)\n      files(first: 20) {\n        totalCount\n        edges {\n          node {\n            name\n            sizeBytes\n            url\n          }\n        }\n      }\n      loggedArtifacts(first: 10) {\n        totalCount\n        edges {\n          node {\n            qualifiedName\n            type\n            aliases\n          }\n        }\n      }\n      usedArtifacts(first: 10) {\n        totalCount\n        edges {\n          node {\n            qualifiedName\n            type\n            aliases\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query HistoryScan($path: String!, $keys: [String!], $first: Int, $after: String) {\n    run(path: $path) {\n      history(keys: $keys, first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            step\n            timestamp\n            values\n          }\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query HistoryScan($path: String!, $keys: [String!], $first: Int, $after: String) {\n    run(path: $path) {\n      history(keys: $keys, first: $first, after: $after) {\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n        edges {\n          node {\n            step\n            timestamp\n            values\n          }\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation UpdateRunNotes($path: String!, $notes: String, $tags: [String!]) {\n    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {\n      run {\n        path\n        notes\n        tags\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation UpdateRunNotes($path: String!, $notes: String, $tags: [String!]) {\n    updateRun(input: { path: $path, notes: $notes, tags: $tags }) {\n      run {\n        path\n        notes\n        tags\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateRun($input: CreateRunInput!) {\n    createRun(input: $input) {\n      run {\n        path\n        state\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateRun($input: CreateRunInput!) {\n    createRun(input: $input) {\n      run {\n        path\n        state\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation StartFileUpload($runPath: String!, $name: String!) {\n    createRunFileUpload(input: { runPath: $runPath, name: $name }) {\n      uploadUrl\n      uploadHeaders\n      file {\n        name\n        sizeBytes\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation StartFileUpload($runPath: String!, $name: String!) {\n    createRunFileUpload(input: { runPath: $runPath, name: $name }) {\n      uploadUrl\n      uploadHeaders\n      file {\n        name\n        sizeBytes\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;