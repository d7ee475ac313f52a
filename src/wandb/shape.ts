/**
 * The shape check of every W&B answer, against W&B's schema
 * (schema/upstream/wandb.graphql) and the document that asked for it. A
 * string where an Int is due, an Int beyond 32 bits, a null where W&B's
 * schema says non-null, an object where a list is due... becomes an error
 * at that path (coded UPSTREAM_UNAVAILABLE), and the value is nulled up to
 * its nearest nullable parent, exactly as a GraphQL server would have done;
 * a field the document asked for and the answer lacks is an error too;
 * keys the document did not ask for are dropped. The loaders then fail only
 * the fields under that path. Values of W&B's JSON scalars pass as they are
 * (their depth is checked where they are read, see trust.ts).
 *
 * Each document is compiled once into a plan that the answer is walked
 * along (shapePlan.ts): on the emulator's 51-run page (config and summary,
 * 70 kB) the check takes about 40 µs of CPU against about 410-480 µs
 * through graphql-js execution, and 330 µs against 3.8 ms for ten times the
 * runs (2 shared vCPU, Node 24, NODE_ENV=production, medians of rounds).
 * Documents the plan does not cover are checked through graphql-js
 * execution, as they always were: the data run through executeSync with
 * each field read back by its response key, result coercion doing the
 * checking.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, executeSync, getNamedType, GraphQLInt, GraphQLScalarType, parse, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema, type GraphQLTypeResolver } from 'graphql';
import type { UpstreamFieldError } from './client.js';
import { compileShapePlan, countFields, isCount, shapeError, wandbScalars, type ShapePlan } from './shapePlan.js';
import { WeighedMemo } from '../memo.js';

const schemaPath = fileURLToPath(new URL('../../schema/upstream/wandb.graphql', import.meta.url));
let schema: GraphQLSchema | undefined;

/**
 * Documents by text, parsed and compiled (null: checked by execution):
 * typed documents repeat, batches repeat in shape. At most 500, and 512 kB
 * of their text (their trees hold about 25 times that), oldest out first.
 */
const documents = new WeighedMemo<string, { document: DocumentNode; plan: ShapePlan | null }>(500, 512 * 1024);

/** The data checked against W&B's schema, and the errors found (at their paths). */
export function checkShape(query: string, variables: Record<string, unknown>, data: unknown): { data: Record<string, unknown> | null; errors: UpstreamFieldError[] } {
  if (data === null || data === undefined) return { data: null, errors: [] };
  if (typeof data !== 'object' || Array.isArray(data)) return { data: null, errors: [{ message: 'W&B sent data that is not an object', extensions: { code: 'UPSTREAM_UNAVAILABLE' } }] };
  schema ??= wandbSchema();
  const entry = documents.get(query, query.length, () => {
    const document = parse(query, { noLocation: true });
    return { document, plan: compileShapePlan(schema!, document) };
  });
  if (entry.plan) {
    const checked = entry.plan.check(variables, data as Record<string, unknown>);
    if (checked) return checked;
    // The plan does not cover this document (over its budget, introspection): execution checks it from now on.
    entry.plan = null;
  }
  return checkByExecution(schema, entry.document, variables, data);
}

// Private:

function checkByExecution(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, data: unknown): { data: Record<string, unknown> | null; errors: UpstreamFieldError[] } {
  const result = executeSync({ schema, document, rootValue: data, variableValues: variables, fieldResolver: byResponseKey, typeResolver: byTypename });
  return { data: (result.data as Record<string, unknown> | null | undefined) ?? null, errors: (result.errors ?? []).map((e) => shapeError(e.path)) };
}

/**
 * Each field is read from the answer under its response key (its alias,
 * when it has one); an absent one, or a count that is not one, is an error
 * at its path, as in the compiled check.
 */
export const byResponseKey: GraphQLFieldResolver<unknown, unknown> = (source, _args, _ctx, info) => {
  const value = source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[info.path.key as string] : undefined;
  if (value === undefined) throw new Error('absent');
  if (value !== null && countFields.has(info.fieldName) && !isCount(value, getNamedType(info.returnType) === GraphQLInt)) throw new Error('not a count');
  return value;
};

/** W&B's schema, its own scalars checked as the compiled check does. */
function wandbSchema(): GraphQLSchema {
  return withWandbScalars(buildSchema(readFileSync(schemaPath, 'utf8')));
}

/** `schema` (built from W&B's SDL) with W&B's own scalars checked as the compiled check does: buildSchema's would pass anything. */
export function withWandbScalars(schema: GraphQLSchema): GraphQLSchema {
  for (const [name, holds] of Object.entries(wandbScalars)) {
    const type = schema.getType(name);
    if (!(type instanceof GraphQLScalarType)) continue;
    type.serialize = (value: unknown) => {
      if (!holds(value)) throw new TypeError(`not a ${name}`);
      return value;
    };
  }
  return schema;
}

/** An abstract type's concrete type: the answer's __typename, else the first possible one. */
const byTypename: GraphQLTypeResolver<unknown, unknown> = (value, _ctx, info, abstractType) => {
  const named = (value as { __typename?: unknown } | null)?.__typename;
  return typeof named === 'string' ? named : info.schema.getPossibleTypes(abstractType)[0]?.name;
};
