import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Context } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { queryLimitRules, queryLimitsPlugin, type QueryLimits } from './limits.js';
import { maskError } from './masking.js';
import { requestStatePlugin } from './plugins/requestState.js';
import { cacheControlPlugin } from './cacheHints.js';
import { tracingPlugin } from '../observability/tracingPlugin.js';

/** What a fleet (or tracing) adds to the Apollo server. */
export interface ApolloExtras {
  /** APQ's cache shared by the fleet (default: Apollo's in-process LRU). */
  cache?: KeyValueCache<string>;
  /** Names the request's span after its operation (tracing on only). */
  traced?: boolean;
}

/** The Apollo server of the subgraph's schema: limits, cache control, inline traces, request state and error masking. */
export function createApolloServer(schema: GraphQLSchema, logger: Logger, queryLimits: Partial<QueryLimits> | undefined, extras: ApolloExtras = {}): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema,
    includeStacktraceInErrorResponses: false,
    // Depth and cost limits refuse oversized queries before any upstream call.
    validationRules: queryLimitRules(queryLimits),
    // Shutdown is ours (close(), called by main on SIGTERM/SIGINT): Apollo's own handler would stop it mid-drain and re-raise the signal.
    stopOnTerminationSignals: false,
    // APQ: shared by the fleet (a bounded local LRU in front of Redis), kept a day at most.
    ...(extras.cache ? { cache: extras.cache, persistedQueries: { ttl: 86_400 } } : {}),
    plugins: [
      ...(extras.traced ? [tracingPlugin()] : []),
      // Cache-Control from the hints resolvers set (immutable history of ended runs); none otherwise.
      ApolloServerPluginCacheControlDisabled(),
      cacheControlPlugin(),
      // Inline traces are sent only when a router asks for them (apollo-federation-include-trace).
      ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
      requestStatePlugin(logger),
      // Re-costs with the request's variables (validation sees only their defaults).
      queryLimitsPlugin(queryLimits),
    ],
    logger: logger.child({ component: 'apollo' }),
    formatError: (formatted: GraphQLFormattedError) => maskError(formatted),
  });
}
