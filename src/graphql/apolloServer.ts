import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import type { KeyValueCache } from '@apollo/utils.keyvaluecache';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import type { GraphQLFormattedError, GraphQLSchema } from 'graphql';
import type { Context } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { costCheck, queryLimitRules, queryLimitsPlugin, type QueryLimits } from './limits.js';
import { defaultDocumentLimits, documentLimitRules, listArgumentProblem, listArgumentsPlugin, type DocumentLimits } from './documentLimits.js';
import { maskError } from './masking.js';
import { requestStatePlugin } from './plugins/requestState.js';
import { httpOperationsPlugin } from './plugins/httpOperations.js';
import { cacheControlPlugin } from './cacheHints.js';
import { tracingPlugin } from '../observability/tracingPlugin.js';
import { compilingGateway } from './executor.js';
import { createWarmPath, type WarmPath } from './warmPath.js';
import type { Executor } from '../observability/metrics.js';

/** What a fleet (or tracing) adds to the Apollo server, the document limits, introspection and warm path settings. */
export interface ApolloExtras {
  /** APQ's cache shared by the fleet (default: Apollo's in-process LRU). */
  cache?: KeyValueCache<string>;
  /** Names the request's span after its operation (tracing on only). */
  traced?: boolean;
  /** Tokens, aliases, directives, fragments and list arguments per document (defaults: documentLimits.ts). */
  documentLimits?: Partial<DocumentLimits>;
  /** Schema introspection (default on; off in front of a real W&B unless configured). */
  introspection?: boolean;
  /** Told how each operation executed (compiled or graphql-js), for the metrics. */
  onExecute?: (executor: Executor) => void;
  /** Serve queries that already ran compiled without Apollo's request pipeline (warmPath.ts); default on. */
  warmPath?: boolean;
}

/** The subgraph's GraphQL server: Apollo, and the warm path beside it (null when off). */
export interface GraphQLServer {
  apollo: ApolloServer<Context>;
  warmPath: WarmPath | null;
}

/** The validation rules of every operation, over HTTP and WebSocket: document limits, then depth and cost. */
export function validationRulesOf(queryLimits: Partial<QueryLimits> | undefined, documentLimits: Partial<DocumentLimits> | undefined) {
  return [...documentLimitRules(documentLimits), ...queryLimitRules(queryLimits)];
}

/**
 * The Apollo server of the subgraph's schema (limits, cache control, inline
 * traces, request state and error masking), and the warm path, which makes
 * the same variable-dependent checks with the same limits.
 */
export function createGraphQLServer(schema: GraphQLSchema, logger: Logger, queryLimits: Partial<QueryLimits> | undefined, extras: ApolloExtras = {}): GraphQLServer {
  const documentLimits = { ...defaultDocumentLimits, ...extras.documentLimits };
  const overCost = costCheck(queryLimits);
  // With tracing on, Apollo's plugins name each request's span after its operation: every request goes through them.
  const warmPath =
    extras.warmPath === false || extras.traced
      ? null
      : createWarmPath((document, operation, variables) => !overCost(schema, operation, document, variables) && !listArgumentProblem(schema, document, operation, variables, documentLimits), extras.onExecute);
  const apollo = new ApolloServer<Context>({
    // Hot queries run compiled (executor.ts); Apollo takes a custom executor only as a gateway.
    gateway: compilingGateway(schema, extras.onExecute, warmPath),
    includeStacktraceInErrorResponses: false,
    // Introspection maps the schema for anyone: the caller decides (off in front of a real W&B by default).
    introspection: extras.introspection ?? true,
    // The parser stops at maxTokens, before building an AST: nothing later walks a huge document.
    parseOptions: { maxTokens: documentLimits.maxTokens },
    // Aliases, directives, fragments, depth and cost limits refuse oversized queries before any upstream call.
    validationRules: validationRulesOf(queryLimits, documentLimits),
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
      httpOperationsPlugin(),
      // Re-costs with the request's variables (validation sees only their defaults).
      queryLimitsPlugin(queryLimits, overCost),
      // Caps list arguments (keys, names) with the request's variables, before anything is sent upstream.
      listArgumentsPlugin(documentLimits),
    ],
    logger: logger.child({ component: 'apollo' }),
    formatError: (formatted: GraphQLFormattedError) => maskError(formatted),
  });
  return { apollo, warmPath };
}
