import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';

/**
 * Refuses a subscription sent over HTTP, before execution, with
 * BAD_REQUEST (HTTP 400): subscriptions are served over WebSocket only
 * (src/live/subscriptionServer.ts).
 */
export function httpOperationsPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation === 'subscription') {
            throw new GraphQLError('subscriptions are served over WebSocket (graphql-ws) on this URL, not over HTTP', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
          }
        },
      };
    },
  };
}
