/**
 * How operations execute: queries a process serves again and again run as
 * compiled functions (graphql-jit), everything else through graphql-js.
 *
 * graphql-js walks the document for every value it completes; a page of
 * 1,000 history rows or 100 runs costs a few milliseconds of that walk
 * alone. graphql-jit compiles a document once into a function specialised
 * to its selection, with the same resolvers, errors and null propagation.
 * Measured on the 1,000-row history page and the 50-run table (BENCHMARKS.md),
 * it is the largest single CPU cut per request.
 *
 * Apollo Server runs a custom executor only through its gateway interface:
 * this module is that "gateway", serving the subgraph's own schema. Apollo's
 * parsing, validation, limits, plugins, APQ and error formatting stay as
 * they are. graphql-js still runs:
 * - a document's first execution (one seen once is not worth compiling);
 * - mutations and subscriptions (rare; run in order by graphql-js);
 * - introspection;
 * - requests for a federated trace (`apollo-federation-include-trace`),
 *   whose per-field timings come from Apollo's resolver hooks;
 * - documents of more than `maxCompiledFields` fields or longer than
 *   `maxWarmSourceLength` characters, and any document graphql-jit cannot
 *   compile;
 * - documents arriving while this second's compile budget is spent.
 * Documents are remembered by Apollo's query hash, at most `maxCompiled`.
 * A query that ran compiled is handed to the warm path (warmPath.ts),
 * which serves it again without Apollo's request pipeline.
 */
import type { GatewayExecutor, GatewayInterface } from '@apollo/server-gateway-interface';
import { execute, Kind, type DocumentNode, type ExecutionResult, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type SelectionNode } from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import type { Executor } from '../observability/metrics.js';
import { placed } from './rawJson.js';
import { maxWarmSourceLength, type WarmPath } from './warmPath.js';

/** Documents remembered at once (seen, or compiled), least recently used dropped first. */
export const maxCompiled = 500;
/**
 * Largest operation compiled, in fields selected (fragments counted where
 * spread). Compiling costs about 80 µs per field (a 1,600-field document:
 * 125 ms, measured on 2 vCPU); larger ones run through graphql-js.
 */
export const maxCompiledFields = 200;
/** CPU spent compiling per second, at most (ms): past it, documents wait for the next second. */
export const compileBudgetMs = 50;

interface Entry {
  seen: number;
  compiled?: CompiledQuery | null;
}

/** The gateway Apollo runs the subgraph's schema through, with its executor. */
export function compilingGateway(schema: GraphQLSchema, onExecute: (executor: Executor) => void = () => {}, warmPath: WarmPath | null = null): GatewayInterface {
  const entries = new Map<string, Entry>();
  // A client sending new documents cannot make compiling take more than compileBudgetMs per second.
  let budgetSince = 0;
  let spent = 0;

  const compiledFor = (queryHash: string, document: DocumentNode, operation: OperationDefinitionNode, operationName: string | null): CompiledQuery | null => {
    const key = operationName ? `${queryHash}:${operationName}` : queryHash;
    let entry = entries.get(key);
    if (entry) entries.delete(key);
    else if (entries.size >= maxCompiled) entries.delete(entries.keys().next().value!);
    entries.set(key, (entry ??= { seen: 0 }));
    if (entry.compiled !== undefined) return entry.compiled;
    if (++entry.seen < 2) return null;
    // A long source is not compiled (nor served warm, see maxWarmSourceLength): kept compiled, its tree and code would hold its text many times over.
    const long = (document.loc?.end ?? 0) > maxWarmSourceLength;
    if (long || !compilable(operation) || fieldCount(document, operation.selectionSet.selections, maxCompiledFields + 1) > maxCompiledFields) {
      entry.compiled = null;
      return null;
    }
    const started = performance.now();
    if (started - budgetSince >= 1000) {
      budgetSince = started;
      spent = 0;
    }
    if (spent >= compileBudgetMs) return null;
    const compiled = compileQuery(schema, document, operationName ?? undefined, { disablingCapturingStackErrors: true });
    spent += performance.now() - started;
    entry.compiled = isCompiledQuery(compiled) ? compiled : null;
    return entry.compiled;
  };

  const executor: GatewayExecutor = async (requestContext) => {
    const { document, operation, request, context: contextValue, queryHash } = requestContext;
    // Run by the warm path already, with errors that Apollo finishes (warmPath.ts).
    if (contextValue.precomputed) {
      onExecute('compiled');
      return contextValue.precomputed;
    }
    const operationName = requestContext.operationName ?? request.operationName ?? null;
    const traced = request.http?.headers.get('apollo-federation-include-trace') === 'ftv1';
    const compiled = traced ? null : compiledFor(queryHash, document, operation, operationName);
    if (compiled) {
      const result = (await compiled.query(undefined, contextValue, request.variables ?? {})) as ExecutionResult;
      // No data: the variables failed coercion (nothing ran). graphql-js words those errors the way
      // Apollo recognises as BAD_USER_INPUT, so it answers them.
      if (result.data !== undefined) {
        onExecute('compiled');
        warmPath?.remember(requestContext.source, request.operationName, { compiled, document, operation, name: operationName });
        return placed(result, contextValue);
      }
    }
    onExecute('graphql_js');
    return placed((await execute({ schema, document, contextValue, variableValues: request.variables, operationName })) as ExecutionResult, contextValue);
  };

  return {
    async load() {
      return { schema, executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}

// Private:

/** Fields an operation selects, fragments counted where spread; counting stops past `stop`. */
function fieldCount(document: DocumentNode, selections: readonly SelectionNode[], stop: number, counted = 0): number {
  for (const s of selections) {
    if (counted > stop) return counted;
    if (s.kind === Kind.FIELD) counted = s.selectionSet ? fieldCount(document, s.selectionSet.selections, stop, counted + 1) : counted + 1;
    else if (s.kind === Kind.INLINE_FRAGMENT) counted = fieldCount(document, s.selectionSet.selections, stop, counted);
    else {
      const fragment = document.definitions.find((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === s.name.value);
      if (fragment) counted = fieldCount(document, fragment.selectionSet.selections, stop, counted);
    }
  }
  return counted;
}

/** A query with no introspection at its root. */
function compilable(operation: OperationDefinitionNode): boolean {
  if (operation.operation !== 'query') return false;
  return !operation.selectionSet.selections.some((s) => s.kind === Kind.FIELD && (s.name.value === '__schema' || s.name.value === '__type'));
}
