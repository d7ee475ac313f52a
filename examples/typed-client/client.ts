/**
 * A tiny typed GraphQL client over `fetch`: the document's generated types give
 * `request()` its variables and result types, with nothing written by hand.
 * Any client that accepts a TypedDocumentNode (urql, Apollo Client,
 * graphql-request…) works the same way; this one shows there is no magic.
 */
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { getOperationAST, print, type DocumentNode } from 'graphql';

/** One GraphQL error of a response: its message and `extensions.code` (e.g. BAD_USER_INPUT). */
export interface GraphQLErrorInfo {
  message: string;
  code: string | undefined;
  path: readonly (string | number)[] | undefined;
}

/** A request that came back with GraphQL errors, or without data. */
export class GraphQLRequestError extends Error {
  constructor(
    /** The operation's name, or "anonymous". */
    readonly operationName: string,
    /** The HTTP status of the response. */
    readonly status: number,
    /** The response's errors; empty when the response had neither data nor errors. */
    readonly errors: readonly GraphQLErrorInfo[],
  ) {
    const detail = errors.length ? errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)).join('; ') : `HTTP ${status} without data`;
    super(`${operationName} failed: ${detail}`);
    this.name = 'GraphQLRequestError';
  }

  /** The distinct error codes, e.g. ['BAD_USER_INPUT']. */
  get codes(): string[] {
    return [...new Set(this.errors.flatMap((e) => (e.code ? [e.code] : [])))];
  }
}

/**
 * POSTs `document` with `variables` to `url` and returns the typed `data`.
 * With `apiKey`, authenticates as that W&B user (`Authorization: Basic api:<key>`,
 * as the W&B clients do). Throws a GraphQLRequestError when the response has
 * any error (even next to partial data) or no data, and a TypeError when the
 * server cannot be reached.
 */
export async function request<TResult, TVariables>(
  url: string | URL,
  document: TypedDocumentNode<TResult, TVariables>,
  variables: TVariables,
  apiKey?: string,
): Promise<TResult> {
  const { query, operationName } = printed(document);
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (apiKey) headers.authorization = `Basic ${btoa(`api:${apiKey}`)}`;
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, operationName, variables }) });
  const body = await readBody(res);
  const errors = (body?.errors ?? []).map(errorInfo);
  if (errors.length > 0 || body?.data == null) throw new GraphQLRequestError(operationName ?? 'anonymous', res.status, errors);
  return body.data as TResult;
}

// Private:

interface ResponseBody {
  data?: unknown;
  errors?: { message?: unknown; path?: unknown; extensions?: { code?: unknown } }[];
}

/** Documents are printed once: the generated ones are module constants. */
const cache = new WeakMap<DocumentNode, { query: string; operationName: string | undefined }>();

function printed(document: DocumentNode): { query: string; operationName: string | undefined } {
  let entry = cache.get(document);
  if (!entry) {
    entry = { query: print(document), operationName: getOperationAST(document)?.name?.value };
    cache.set(document, entry);
  }
  return entry;
}

/** The JSON body, or null when the server answered something else (a proxy's HTML error page, say). */
async function readBody(res: Response): Promise<ResponseBody | null> {
  const text = await res.text();
  try {
    const body: unknown = JSON.parse(text);
    return typeof body === 'object' && body !== null ? (body as ResponseBody) : null;
  } catch {
    return null;
  }
}

function errorInfo(e: NonNullable<ResponseBody['errors']>[number]): GraphQLErrorInfo {
  return {
    message: typeof e?.message === 'string' ? e.message : JSON.stringify(e),
    code: typeof e?.extensions?.code === 'string' ? e.extensions.code : undefined,
    path: Array.isArray(e?.path) ? (e.path as (string | number)[]) : undefined,
  };
}
