import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { clientErrorCodes } from '../errors.js';
import { scrub } from '../security/credentials.js';

/** Errors with a known code pass; anything else is masked so no internals leak (requestStatePlugin logs it). */
export function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (isApolloCallerMistake(formatted)) return { message: formatted.message, extensions: { code: 'BAD_REQUEST' } };
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && clientErrorCodes.has(code)) {
    const { stacktrace: _, ...extensions } = formatted.extensions ?? {};
    // Messages may quote what W&B said: no credential leaves in one.
    return { ...formatted, message: scrub(formatted.message), extensions };
  }
  return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/**
 * Apollo's answers (HTTP 400, coded as internal errors) to an APQ hash that
 * does not match its query and to an APQ version it does not know: the
 * caller's mistakes, coded BAD_REQUEST and not logged as faults.
 */
export function isApolloCallerMistake(error: { message: string; extensions?: Readonly<Record<string, unknown>> }): boolean {
  return apolloCallerMistakes.has(error.message) && (error.extensions?.code ?? 'INTERNAL_SERVER_ERROR') === 'INTERNAL_SERVER_ERROR';
}

const apolloCallerMistakes = new Set(['provided sha does not match query', 'Unsupported persisted query version']);

/** maskError for GraphQLErrors (subscriptions over WebSocket). */
export function maskGraphQLError(error: GraphQLError): GraphQLError {
  const code = error.extensions?.code;
  if (typeof code === 'string' && clientErrorCodes.has(code)) {
    const message = scrub(error.message);
    return message === error.message ? error : new GraphQLError(message, { nodes: error.nodes, path: error.path, extensions: error.extensions });
  }
  return new GraphQLError('Internal server error', { nodes: error.nodes, path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
