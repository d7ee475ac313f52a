/**
 * An explicit null for an argument that has a default reads as the
 * default. GraphQL passes the null through, but Relay's bidirectional
 * pagination sends `first: null` with `last`, and generated clients send
 * every declared variable: `first: null` means "not given" to them.
 */
import { defaultFieldResolver, isObjectType, type GraphQLArgument, type GraphQLField, type GraphQLSchema } from 'graphql';

/** `args` with each explicit null of a defaulted argument of `field` replaced by its default. */
export function withArgumentDefaults<T extends Record<string, unknown>>(field: Pick<GraphQLField<unknown, unknown>, 'args'>, args: T, withDefaults = defaulted(field)): T {
  let out: T | null = null;
  for (const arg of withDefaults) {
    if (args[arg.name] !== null) continue;
    out ??= { ...args };
    (out as Record<string, unknown>)[arg.name] = arg.defaultValue;
  }
  return out ?? args;
}

/** The schema with every field that has a defaulted argument resolving with {@link withArgumentDefaults}. */
export function nullMeansDefault(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const withDefaults = defaulted(field);
      if (withDefaults.length === 0) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => resolve(source, withArgumentDefaults(field, args, withDefaults), context, info);
    }
  }
  return schema;
}

function defaulted(field: Pick<GraphQLField<unknown, unknown>, 'args'>): readonly GraphQLArgument[] {
  return field.args.filter((arg) => arg.defaultValue !== undefined && arg.defaultValue !== null);
}
