import { GraphQLClient, ClientError } from 'graphql-request';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';
import { codedError, type ErrorCode } from '../errors.js';

/** A GraphQL error as W&B returns it, with the path of the field that failed. */
export interface UpstreamFieldError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string };
}

/** A response whose data may be partial: `errors` lists the fields that failed. */
export interface PartialResult<T> {
  data: T | null;
  errors: UpstreamFieldError[];
}

export interface UpstreamOptions {
  /** W&B API base URL, e.g. https://api.wandb.ai or the emulator's URL. */
  baseUrl: string;
  /** The Authorization header sent upstream (the caller's, or the service key's). */
  authorization: string | null;
  /** Per-attempt timeout. */
  timeoutMs?: number;
  dispatcher?: Agent;
}

/** The W&B GraphQL API, as this subgraph calls it. One per request (it carries the caller's key). */
export interface UpstreamClient {
  /** Sends a typed document; any GraphQL error fails the whole call with a coded error. */
  request<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables: V): Promise<T>;
  /** Sends a document built at run time; field errors come back with the partial data. */
  requestPartial<T>(query: string, variables: Record<string, unknown>): Promise<PartialResult<T>>;
}

/** A keep-alive connection pool shared by every request of the process. */
export function createUpstreamAgent(): Agent {
  return new Agent({ keepAliveTimeout: 30_000, connections: 64, pipelining: 1 });
}

/** Builds the upstream client for one request. */
export function createUpstreamClient(options: UpstreamOptions): UpstreamClient {
  const dispatcher = options.dispatcher ?? createUpstreamAgent();
  const timeoutMs = options.timeoutMs ?? 30_000;
  const headers: Record<string, string> = { 'user-agent': 'wandb-runs-subgraph' };
  if (options.authorization) headers.authorization = options.authorization;
  const client = new GraphQLClient(`${options.baseUrl}/graphql`, {
    headers,
    errorPolicy: 'all',
    fetch: ((input: string, init: RequestInit) =>
      undiciFetch(input, { ...(init as object), dispatcher, signal: AbortSignal.timeout(timeoutMs) })) as unknown as typeof fetch,
  });
  const printed = new WeakMap<DocumentNode, string>();
  const text = (doc: DocumentNode) => {
    let t = printed.get(doc);
    if (!t) printed.set(doc, (t = print(doc)));
    return t;
  };

  async function send<T>(query: string, variables: Record<string, unknown>): Promise<PartialResult<T>> {
    try {
      const res = await client.rawRequest<T>(query, variables);
      return { data: (res.data ?? null) as T | null, errors: (res.errors ?? []) as UpstreamFieldError[] };
    } catch (error) {
      throw upstreamError(error);
    }
  }

  return {
    async request<T, V extends Record<string, unknown>>(document: TypedDocumentNode<T, V>, variables: V): Promise<T> {
      const { data, errors } = await send<T>(text(document), variables);
      if (errors.length > 0 || data === null) throw fieldError(errors[0] ?? { message: 'W&B returned no data' });
      return data;
    },
    requestPartial: (query, variables) => send(query, variables),
  };
}

/**
 * The coded GraphQL error for a field error W&B returned. W&B's errors
 * carry messages only; the emulator adds codes, which are kept.
 */
export function fieldError(error: UpstreamFieldError) {
  const known = error.extensions?.code;
  const code: ErrorCode =
    known === 'BAD_USER_INPUT' || known === 'NOT_FOUND'
      ? known
      : known === 'PERMISSION_ERROR' || /permission denied/i.test(error.message)
        ? 'FORBIDDEN'
        : /not found/i.test(error.message)
          ? 'NOT_FOUND'
          : 'BAD_USER_INPUT';
  return codedError(code, `W&B: ${error.message}`);
}

// Private:

/** Maps a transport failure to a coded error; never includes bodies or keys. */
function upstreamError(error: unknown) {
  if (error instanceof ClientError) {
    const status = error.response.status;
    if (status === 401) return codedError('UNAUTHENTICATED', 'W&B rejected the API key (HTTP 401)');
    if (status === 403) return codedError('FORBIDDEN', 'W&B denied access (HTTP 403)');
    if (status === 404) return codedError('NOT_FOUND', 'W&B answered HTTP 404');
    if (status === 429) return codedError('RATE_LIMITED', 'W&B rate limit reached (HTTP 429)');
    if (status === 400) {
      const first = (error.response.errors ?? [])[0] as UpstreamFieldError | undefined;
      return first ? fieldError(first) : codedError('BAD_USER_INPUT', 'W&B rejected the request (HTTP 400)');
    }
    return codedError('UPSTREAM_UNAVAILABLE', `W&B answered HTTP ${status}`);
  }
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return codedError('UPSTREAM_TIMEOUT', 'W&B did not answer in time');
  return codedError('UPSTREAM_UNAVAILABLE', 'W&B could not be reached');
}
