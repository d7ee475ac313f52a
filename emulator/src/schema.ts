import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, isInterfaceType, isObjectType, isUnionType, type GraphQLFieldResolver, type GraphQLSchema, type GraphQLTypeResolver } from 'graphql';
import { resolvers } from './resolvers/index.js';

/** Path of the W&B API subset this emulator serves. */
export const upstreamSchemaPath = fileURLToPath(new URL('../../schema/upstream/wandb.graphql', import.meta.url));

/** The emulator's executable schema: the W&B subset SDL with the resolver map attached. */
export function createEmulatorSchema(): GraphQLSchema {
  const schema = buildSchema(readFileSync(upstreamSchemaPath, 'utf8'));
  for (const [typeName, fields] of Object.entries(resolvers)) {
    const type = schema.getType(typeName);
    if (!type) throw new Error(`resolver for unknown type ${typeName}`);
    for (const [fieldName, resolve] of Object.entries(fields as Record<string, unknown>)) {
      if (fieldName === '__resolveType' && (isInterfaceType(type) || isUnionType(type))) {
        type.resolveType = resolve as GraphQLTypeResolver<unknown, unknown>;
      } else if (isObjectType(type) && type.getFields()[fieldName]) {
        type.getFields()[fieldName].resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
      } else {
        throw new Error(`resolver for unknown field ${typeName}.${fieldName}`);
      }
    }
  }
  return schema;
}
