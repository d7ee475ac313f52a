import { GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import { badInput } from '../src/errors.js';

const iso = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/;

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 date-time string in UTC, e.g. 2026-11-22T11:34:35Z.',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || !iso.test(value)) throw badInput(`expected an ISO-8601 date-time, got ${JSON.stringify(value)}`);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !iso.test(ast.value)) throw badInput('expected an ISO-8601 date-time string');
    return ast.value;
  },
});

export const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value (object, array, string, number, boolean or null).',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: (ast, variables) => valueFromASTUntyped(ast, variables),
});
