import { isObjectType, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { badInput } from '../errors.js';

/** The entities this subgraph resolves, with the key fields a representation may carry. */
const keys: Record<string, readonly string[]> = { Run: ['id', 'path'], Artifact: ['id'] };

/**
 * Checks `_entities` representations before @apollo/subgraph resolves them:
 * each must name one of our entity types and carry one of its keys as a
 * string. Anything else is BAD_USER_INPUT naming the representation, where
 * the library would throw an unexplained error.
 */
export function guardEntities(schema: GraphQLSchema): GraphQLSchema {
  const field = schema.getQueryType()?.getFields()._entities;
  if (!field?.resolve) return schema;
  const resolve = field.resolve as GraphQLFieldResolver<unknown, unknown, { representations?: unknown }>;
  field.resolve = (source, args, context, info) => {
    const representations: unknown[] = Array.isArray(args.representations) ? args.representations : [];
    representations.forEach((rep, i) => {
      const r = rep as Record<string, unknown> | null;
      const type = r && typeof r === 'object' ? r.__typename : undefined;
      const fields = typeof type === 'string' ? keys[type] : undefined;
      if (!fields || !isObjectType(schema.getType(type as string))) {
        throw badInput(`representation ${i} must have __typename ${Object.keys(keys).map((k) => `"${k}"`).join(' or ')}`);
      }
      if (!fields.some((k) => typeof r![k] === 'string')) {
        throw badInput(`representation ${i} of ${String(type)} must carry ${fields.map((k) => `"${k}"`).join(' or ')} as a string`);
      }
    });
    return resolve(source, args, context, info);
  };
  return schema;
}
