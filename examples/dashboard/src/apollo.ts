/**
 * The dashboard's Apollo Client: queries and mutations over HTTP, the
 * `runUpdated` subscription over graphql-ws, both on the subgraph's /graphql
 * (same origin as the app unless VITE_SUBGRAPH_URL says otherwise).
 */
import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { getMainDefinition, relayStylePagination } from '@apollo/client/utilities';
import { createClient } from 'graphql-ws';

export const graphqlUrl = new URL(import.meta.env.VITE_SUBGRAPH_URL ?? 'graphql', new URL('/', window.location.href)).href;

export function createApolloClient(): ApolloClient {
  const http = new HttpLink({ uri: graphqlUrl });
  const ws = new GraphQLWsLink(createClient({ url: graphqlUrl.replace(/^http/, 'ws'), lazy: true, retryAttempts: 5 }));
  const link = ApolloLink.split(
    ({ query }) => {
      const definition = getMainDefinition(query);
      return definition.kind === 'OperationDefinition' && definition.operation === 'subscription';
    },
    ws,
    http,
  );
  const cache = new InMemoryCache({
    typePolicies: {
      Query: {
        fields: {
          // One list per project, filter and order; `after` pages are appended.
          runs: relayStylePagination(['entity', 'project', 'filters', 'where', 'order']),
          // run(path) reads a run already in the cache (e.g. from the runs table) by its path.
          run: { read: (existing, { args, toReference }) => existing ?? (args?.path ? toReference({ __typename: 'Run', path: args.path }) : undefined) },
        },
      },
      // Runs are keyed by path: the table, the run page and the subscription
      // all know it, and W&B's storage id is derived from it anyway.
      Run: {
        keyFields: ['path'],
        fields: {
          // One row list per key set, step range and tail size; `after` pages are appended.
          history: relayStylePagination(['keys', 'minStep', 'maxStep', 'last']),
          files: relayStylePagination(['names']),
          loggedArtifacts: relayStylePagination(),
          usedArtifacts: relayStylePagination(),
        },
      },
      RunFile: { keyFields: ['id'] },
      Artifact: { keyFields: ['id'] },
      // History rows and edges have no id; they live inside their run's list.
      RunHistoryRow: { keyFields: false },
    },
  });
  return new ApolloClient({ link, cache });
}
