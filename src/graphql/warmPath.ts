/**
 * The warm path: a query that already ran compiled (executor.ts) is
 * answered again without Apollo Server's request pipeline, when the
 * request needs nothing of that pipeline.
 *
 * Apollo's pipeline hashes the document, runs a dozen plugin hooks, copies
 * the context and builds the response for every request. Skipping it took
 * 0.3–1.5 ms of CPU off a request at 50 ms upstream delay, side by side
 * (README, Benchmarks). A warm operation was parsed, validated (depth, cost,
 * document limits) and run by Apollo before; only what depends on the
 * request is done again:
 * - its cost and list arguments with these variables (the same checks as
 *   Apollo's plugins, limits.ts and documentLimits.ts);
 * - variable coercion, by the compiled query as in the executor;
 * - the request state for the log line and metrics, the Cache-Control
 *   hint, Apollo's content negotiation and its response text (the JSON
 *   and a newline).
 *
 * Everything else goes to Apollo, as before:
 * - a request that is not a JSON POST of `query`, `operationName` and
 *   `variables`: GET, batches, APQ and other extensions;
 * - one asking for a federated trace (apollo-federation-include-trace);
 * - variables over the limits, or that do not coerce: nothing has run,
 *   and Apollo refuses them with its own errors;
 * - a result with any error: Apollo finishes it, with the result already
 *   computed (the executor returns `Context.precomputed`), so that error
 *   masking, logging and codes stay Apollo's.
 */
import type { IncomingHttpHeaders } from 'node:http';
import Negotiator from 'negotiator';
import type { DocumentNode, ExecutionResult, OperationDefinitionNode } from 'graphql';
import type { CompiledQuery } from 'graphql-jit';
import type { Context } from '../context.js';
import type { Executor } from '../observability/metrics.js';
import { cacheControlOf } from './cacheHints.js';
import { placed } from './rawJson.js';
import { isObject } from '../objects.js';

/** Warm operations kept, least recently used dropped first. */
export const maxWarm = 500;
/** Longest document kept warm, in characters: an entry's key is the document's text (500 × 16 KiB at most). */
export const maxWarmSourceLength = 16_384;
/** Accept headers whose negotiated content type is remembered. */
const maxAcceptValues = 64;

/** An operation that ran compiled: what the warm path needs to run it again. */
export interface WarmOperation {
  compiled: CompiledQuery;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** The operation's own name, for the log line. */
  name: string | null;
}

/** A request the warm path can serve. */
export interface WarmRequest {
  warm: WarmOperation;
  variables: Record<string, unknown>;
  /** The response's content type, as Apollo negotiates it. */
  contentType: string;
}

/**
 * What came of running a warm request: its response (status 200); a result
 * with errors, left in `Context.precomputed` for Apollo to finish; or
 * declined, when nothing ran and Apollo must answer.
 */
export type WarmOutcome = { kind: 'answered'; text: string; headers: [string, string][] } | { kind: 'finish' } | { kind: 'declined' };

/** True when the operation's variables are within the limits (cost, list arguments). */
export type VariablesCheck = (document: DocumentNode, operation: OperationDefinitionNode, variables: Record<string, unknown>) => boolean;

export interface WarmPath {
  /** Called by the executor when a query ran compiled: `source` and the requested operation name now run warm. */
  remember(source: string, requestedName: string | undefined, warm: WarmOperation): void;
  /** The warm request a parsed POST body and its headers make; null when Apollo must serve it. */
  match(body: unknown, headers: IncomingHttpHeaders): WarmRequest | null;
  /** Runs a warm request in `context` (its request state is updated as Apollo's plugins would). */
  run(request: WarmRequest, context: Context): Promise<WarmOutcome>;
}

export function createWarmPath(withinLimits: VariablesCheck, onExecute: (executor: Executor) => void = () => {}): WarmPath {
  const operations = new Map<string, WarmOperation>();
  const contentTypes = new Map<string, string | null>();

  const contentTypeFor = (accept: string | undefined): string | null => {
    if (!accept) return jsonType;
    let type = contentTypes.get(accept);
    if (type === undefined) {
      type = negotiate(accept);
      if (contentTypes.size < maxAcceptValues) contentTypes.set(accept, type);
    }
    return type;
  };

  return {
    remember(source, requestedName, warm) {
      if (source.length > maxWarmSourceLength) return;
      const key = keyOf(source, requestedName);
      if (operations.has(key)) return;
      if (operations.size >= maxWarm) operations.delete(operations.keys().next().value!);
      operations.set(key, warm);
    },

    match(body, headers) {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
      const { query, operationName, variables, extensions } = body as Record<string, unknown>;
      if (typeof query !== 'string' || query.length > maxWarmSourceLength) return null;
      if (operationName !== undefined && operationName !== null && typeof operationName !== 'string') return null;
      if (variables !== undefined && variables !== null && !isObject(variables)) return null;
      if (extensions !== undefined && extensions !== null && !(isObject(extensions) && Object.keys(extensions).length === 0)) return null;
      if (!isJson(headers['content-type']) || headers['apollo-federation-include-trace'] !== undefined) return null;
      const key = keyOf(query, typeof operationName === 'string' ? operationName : undefined);
      const warm = operations.get(key);
      if (!warm) return null;
      const contentType = contentTypeFor(headers.accept);
      if (contentType === null) return null;
      // Least recently used first out.
      operations.delete(key);
      operations.set(key, warm);
      return { warm, variables: (variables as Record<string, unknown> | null | undefined) ?? {}, contentType };
    },

    async run({ warm, variables, contentType }, context) {
      if (!withinLimits(warm.document, warm.operation, variables)) return declined;
      let result: ExecutionResult;
      try {
        result = (await warm.compiled.query(undefined, context, variables)) as ExecutionResult;
      } catch {
        // Compiled queries report their resolvers' errors in the result: this is unexpected, and Apollo runs it again from the start.
        return declined;
      }
      // No data: the variables did not coerce, and nothing ran.
      if (result.data === undefined) return declined;
      placed(result, context);
      if (result.errors?.length || context.fieldErrors?.length) {
        context.precomputed = result;
        return finish;
      }
      onExecute('compiled');
      const state = context.request;
      if (state) {
        state.operationType = 'query';
        if (warm.name) state.operationName = warm.name;
      }
      const headers: [string, string][] = [['content-type', contentType]];
      const cacheControl = cacheControlOf(context, 'query', result.data, undefined);
      if (cacheControl) headers.push(['cache-control', cacheControl]);
      // Apollo's response text: the result's fields in its order (no errors, no extensions here), then a newline.
      return { kind: 'answered', text: `${JSON.stringify({ data: result.data })}\n`, headers };
    },
  };
}

// Private:

const declined: WarmOutcome = { kind: 'declined' };
const finish: WarmOutcome = { kind: 'finish' };

/** Apollo's media types for a single result (ApolloServer.ts MEDIA_TYPES), in its order of preference. */
const jsonType = 'application/json; charset=utf-8';
const singleResultTypes = [jsonType, 'application/graphql-response+json; charset=utf-8', 'application/json; callbackSpec=1.0; charset=utf-8'];

/** The content type Apollo answers a single result with for this Accept header; null when it accepts none (Apollo answers 406). */
function negotiate(accept: string): string | null {
  return new Negotiator({ headers: { accept } }).mediaType(singleResultTypes) ?? null;
}

/** Operation names cannot hold a newline: the name and the document's text, one key ("" names no operation, and Apollo refuses it). */
function keyOf(source: string, requestedName: string | undefined): string {
  return requestedName === undefined ? source : `${requestedName}\n${source}`;
}

/** A content type of application/json (any parameters): Apollo's CSRF check lets it through. */
function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const essence = contentType.split(';', 1)[0].trim().toLowerCase();
  return essence === 'application/json';
}
