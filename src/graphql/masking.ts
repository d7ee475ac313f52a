import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { clientErrorCodes } from '../errors.js';
import { scrub } from '../security/credentials.js';

/** Errors with a known code pass; anything else is masked so no internals leak (requestStatePlugin logs it). */
export function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && clientErrorCodes.has(code)) {
    const { stacktrace: _, ...extensions } = formatted.extensions ?? {};
    // Messages may quote what W&B said: no credential leaves in one.
    return { ...formatted, message: scrub(formatted.message), extensions };
  }
  return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}

/** maskError for GraphQLErrors (subscriptions over WebSocket). */
export function maskGraphQLError(error: GraphQLError): GraphQLError {
  const code = error.extensions?.code;
  if (typeof code === 'string' && clientErrorCodes.has(code)) {
    const message = scrub(error.message);
    return message === error.message ? error : new GraphQLError(message, { nodes: error.nodes, path: error.path, extensions: error.extensions });
  }
  return new GraphQLError('Internal server error', { nodes: error.nodes, path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
