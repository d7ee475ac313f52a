/**
 * Query depth and cost limits: oversized queries are refused while the
 * document is validated, before any resolver runs and so before any
 * upstream call.
 *
 * Depth is counted in depth.ts, cost estimated in cost.ts.
 *
 * Environment (read by the config owner): MAX_QUERY_DEPTH (default 12),
 * MAX_QUERY_COST (default 20000); see {@link queryLimitsFromEnv}.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError, type DocumentNode, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule } from 'graphql';
import { CostCache, operationCost } from './cost.js';
import { queryDepth } from './depth.js';

/** Default deepest field nesting (MAX_QUERY_DEPTH). */
export const defaultMaxDepth = 12;
/** Default largest estimated cost (MAX_QUERY_COST). */
export const defaultMaxCost = 20000;

/** The environment variables {@link queryLimitsFromEnv} reads. */
export const maxQueryDepthEnv = 'MAX_QUERY_DEPTH';
export const maxQueryCostEnv = 'MAX_QUERY_COST';

export interface QueryLimits {
  /** Deepest field nesting allowed; a root field is at depth 1. */
  maxDepth: number;
  /** Largest estimated cost allowed. */
  maxCost: number;
}

/**
 * The limits from MAX_QUERY_DEPTH and MAX_QUERY_COST, defaults when unset
 * or empty. Throws an Error naming the variable when a value is not a
 * positive integer.
 */
export function queryLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): QueryLimits {
  return {
    maxDepth: positiveInt(env, maxQueryDepthEnv, defaultMaxDepth),
    maxCost: positiveInt(env, maxQueryCostEnv, defaultMaxCost),
  };
}

/**
 * graphql-js validation rules for Apollo Server's `validationRules`: one
 * refuses an operation nested deeper than `maxDepth`, the other one whose
 * estimated cost exceeds `maxCost`. Validation does not see variable values,
 * so a variable slicing argument counts as its default (see the module
 * comment); add {@link queryLimitsPlugin} to cost the actual values too.
 */
export function queryLimitRules(options: Partial<QueryLimits> = {}): ValidationRule[] {
  const { maxDepth, maxCost } = withDefaults(options);
  const depthRule: ValidationRule = (context) => ({
    OperationDefinition(operation) {
      const depth = queryDepth(operation, (name) => context.getFragment(name) ?? undefined);
      if (depth > maxDepth) context.reportError(depthError(depth, maxDepth, operation));
    },
  });
  const costRule: ValidationRule = (context) => ({
    OperationDefinition(operation) {
      const cost = operationCost(context.getSchema(), operation, (name) => context.getFragment(name) ?? undefined, undefined);
      if (cost > maxCost) context.reportError(costError(cost, maxCost, operation));
    },
  });
  return [depthRule, costRule];
}

/** The error of an operation whose cost with the request's variables is over the limit; null when within it. */
export type CostCheck = (schema: GraphQLSchema, operation: OperationDefinitionNode, document: DocumentNode, variables: Record<string, unknown> | undefined) => GraphQLError | null;

/**
 * {@link CostCheck} for `maxCost`, remembering each operation's cost per
 * variable shape (CostCache). Its error is BAD_USER_INPUT with HTTP 400.
 */
export function costCheck(options: Partial<QueryLimits> = {}): CostCheck {
  const { maxCost } = withDefaults(options);
  const costs = new CostCache();
  return (schema, operation, document, variables) => {
    const cost = costs.cost(schema, operation, document, variables);
    if (cost <= maxCost) return null;
    const error = costError(cost, maxCost, operation);
    return new GraphQLError(error.message, { nodes: error.nodes, extensions: { ...error.extensions, http: { status: 400 } } });
  };
}

/**
 * An Apollo Server plugin that re-estimates the cost of the operation about
 * to run with the request's actual variable values (validation, which is
 * cached per document, cannot see them), and refuses it with
 * BAD_USER_INPUT (HTTP 400) before execution. Complements
 * {@link queryLimitRules}; it does not check depth, which variables cannot
 * change.
 */
export function queryLimitsPlugin(options: Partial<QueryLimits> = {}, check: CostCheck = costCheck(options)): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          if (!rc.operation) return;
          const error = check(rc.schema, rc.operation, rc.document, rc.request.variables ?? undefined);
          if (error) throw error;
        },
      };
    },
  };
}

// Private:

function withDefaults(options: Partial<QueryLimits>): QueryLimits {
  const maxDepth = options.maxDepth ?? defaultMaxDepth;
  const maxCost = options.maxCost ?? defaultMaxCost;
  if (!Number.isInteger(maxDepth) || maxDepth < 1) throw new Error(`maxDepth must be a positive integer, got ${maxDepth}`);
  if (!Number.isInteger(maxCost) || maxCost < 1) throw new Error(`maxCost must be a positive integer, got ${maxCost}`);
  return { maxDepth, maxCost };
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

function limitError(message: string, kind: 'depth' | 'cost', value: number, limit: number, operation: OperationDefinitionNode | null | undefined): GraphQLError {
  return new GraphQLError(message, {
    nodes: operation ? [operation] : undefined,
    extensions: { code: 'BAD_USER_INPUT', queryLimit: { kind, value, limit } },
  });
}

function depthError(depth: number, limit: number, operation: OperationDefinitionNode): GraphQLError {
  return limitError(
    `query depth ${depth} exceeds the limit of ${limit} (nested field levels; __typename and introspection are not counted)`,
    'depth',
    depth,
    limit,
    operation,
  );
}

function costError(cost: number, limit: number, operation: OperationDefinitionNode | null | undefined): GraphQLError {
  return limitError(
    `query cost ${cost} exceeds the limit of ${limit} (estimated from @cost and @listSize: ask for smaller pages with \`first\`, or fewer nested lists)`,
    'cost',
    cost,
    limit,
    operation,
  );
}

