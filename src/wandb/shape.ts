/**
 * The shape check of every W&B answer: the data is run through graphql-js
 * against W&B's schema (schema/upstream/wandb.graphql) and the document
 * that asked for it, each field read back by its response key. Result
 * coercion does the checking: a string where an Int is due, an Int beyond
 * 32 bits, a null where W&B's schema says non-null, an object where a list
 * is due... becomes an error at that path (coded UPSTREAM_UNAVAILABLE),
 * and the value is nulled up to its nearest nullable parent, exactly as a
 * GraphQL server would have done. The loaders then fail only the fields
 * under that path. Values of W&B's JSON scalars pass as they are (their
 * depth is checked where they are read, see trust.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, executeSync, parse, type DocumentNode, type GraphQLFieldResolver, type GraphQLSchema, type GraphQLTypeResolver } from 'graphql';
import type { UpstreamFieldError } from './client.js';

const schemaPath = fileURLToPath(new URL('../../schema/upstream/wandb.graphql', import.meta.url));
let schema: GraphQLSchema | undefined;

/** Parsed documents by text: typed documents repeat, batches repeat in shape; at most 500 kept. */
const documents = new Map<string, DocumentNode>();

/** The data checked against W&B's schema, and the errors found (at their paths). */
export function checkShape(query: string, variables: Record<string, unknown>, data: unknown): { data: Record<string, unknown> | null; errors: UpstreamFieldError[] } {
  if (data === null || data === undefined) return { data: null, errors: [] };
  if (typeof data !== 'object' || Array.isArray(data)) return { data: null, errors: [{ message: 'W&B sent data that is not an object', extensions: { code: 'UPSTREAM_UNAVAILABLE' } }] };
  schema ??= buildSchema(readFileSync(schemaPath, 'utf8'));
  let document = documents.get(query);
  if (!document) {
    document = parse(query);
    if (documents.size >= 500) documents.delete(documents.keys().next().value!);
    documents.set(query, document);
  }
  const result = executeSync({ schema, document, rootValue: data, variableValues: variables, fieldResolver: byResponseKey, typeResolver: byTypename });
  const errors = (result.errors ?? []).map((e) => ({
    message: `W&B sent an answer of the wrong shape at ${(e.path ?? []).join('.')}`,
    ...(e.path ? { path: e.path } : {}),
    extensions: { code: 'UPSTREAM_UNAVAILABLE' },
  }));
  return { data: (result.data as Record<string, unknown> | null | undefined) ?? null, errors };
}

// Private:

/** Each field is read from the answer under its response key (its alias, when it has one). */
const byResponseKey: GraphQLFieldResolver<unknown, unknown> = (source, _args, _ctx, info) =>
  source !== null && typeof source === 'object' ? (source as Record<string, unknown>)[info.path.key as string] : undefined;

/** An abstract type's concrete type: the answer's __typename, else the first possible one. */
const byTypename: GraphQLTypeResolver<unknown, unknown> = (value, _ctx, info, abstractType) => {
  const named = (value as { __typename?: unknown } | null)?.__typename;
  return typeof named === 'string' ? named : info.schema.getPossibleTypes(abstractType)[0]?.name;
};
