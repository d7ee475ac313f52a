import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Context } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { queryLimitRules, queryLimitsPlugin, type QueryLimits } from './limits.js';
import { defaultDocumentLimits, documentLimitRules, listArgumentsPlugin, type DocumentLimits } from './documentLimits.js';
import { maskError } from './masking.js';
import { requestStatePlugin } from './plugins/requestState.js';

/** The validation rules of every operation, over HTTP and WebSocket: document limits, then depth and cost. */
export function validationRulesOf(queryLimits: Partial<QueryLimits> | undefined, documentLimits: Partial<DocumentLimits> | undefined) {
  return [...documentLimitRules(documentLimits), ...queryLimitRules(queryLimits)];
}

/** The Apollo server of the subgraph's schema: limits, cache control, inline traces, request state and error masking. */
export function createApolloServer(
  schema: GraphQLSchema,
  logger: Logger,
  queryLimits: Partial<QueryLimits> | undefined,
  options: { documentLimits?: Partial<DocumentLimits>; introspection?: boolean } = {},
): ApolloServer<Context> {
  const documentLimits = { ...defaultDocumentLimits, ...options.documentLimits };
  return new ApolloServer<Context>({
    schema,
    includeStacktraceInErrorResponses: false,
    // Introspection maps the schema for anyone: the caller decides (off in front of a real W&B by default).
    introspection: options.introspection ?? true,
    // The parser stops at maxTokens, before building an AST: nothing later walks a huge document.
    parseOptions: { maxTokens: documentLimits.maxTokens },
    // Aliases, directives, fragments, depth and cost limits refuse oversized queries before any upstream call.
    validationRules: validationRulesOf(queryLimits, documentLimits),
    // Shutdown is ours (close(), called by main on SIGTERM/SIGINT): Apollo's own handler would stop it mid-drain and re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      // Cache-Control from the hints resolvers set (immutable history of ended runs); none otherwise.
      ApolloServerPluginCacheControl({ defaultMaxAge: 0 }),
      // Inline traces are sent only when a router asks for them (apollo-federation-include-trace).
      ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
      requestStatePlugin(logger),
      // Re-costs with the request's variables (validation sees only their defaults).
      queryLimitsPlugin(queryLimits),
      // Caps list arguments (keys, names) with the request's variables, before anything is sent upstream.
      listArgumentsPlugin(documentLimits),
    ],
    logger: logger.child({ component: 'apollo' }),
    formatError: (formatted: GraphQLFormattedError) => maskError(formatted),
  });
}
