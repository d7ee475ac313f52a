import { GraphQLError } from 'graphql';

/**
 * The error codes clients see in `extensions.code`. Expected input problems
 * are BAD_USER_INPUT; upstream failures are mapped to the rest; anything
 * unexpected is masked as INTERNAL_SERVER_ERROR.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'RATE_LIMITED'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_UNAVAILABLE'
  | 'INTERNAL_SERVER_ERROR';

/**
 * Codes that reach clients as they are: ours, and Apollo Server's own for
 * malformed requests. Any other error is masked as INTERNAL_SERVER_ERROR.
 */
export const clientErrorCodes: ReadonlySet<string> = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** A GraphQL error with a code (and extra extensions such as retryAfter). */
export function codedError(code: ErrorCode, message: string, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions } });
}

/** BAD_USER_INPUT: the message says what was expected and what arrived. */
export function badInput(message: string): GraphQLError {
  return codedError('BAD_USER_INPUT', message);
}

/** NOT_FOUND for a missing run, artifact or file. */
export function notFound(message: string): GraphQLError {
  return codedError('NOT_FOUND', message);
}

/** True when the error carries this code. */
export function hasCode(error: unknown, code: ErrorCode): boolean {
  return error instanceof GraphQLError && error.extensions.code === code;
}
