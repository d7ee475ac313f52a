import { GraphQLScalarType, Kind, valueFromASTUntyped } from 'graphql';
import { badInput } from '../src/errors.js';

const iso = /^(\d{4})-(\d\d)-(\d\d)T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;

/** True for an ISO-8601 date-time of a day the calendar has (no 2026-02-30, no month 13). */
function isDateTime(value: string): boolean {
  const m = iso.exec(value);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return month >= 1 && month <= 12 && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export const DateTime = new GraphQLScalarType({
  name: 'DateTime',
  description: 'An ISO-8601 date-time string in UTC, e.g. 2026-11-22T11:34:35Z.',
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== 'string' || !isDateTime(value)) throw badInput(`expected an ISO-8601 date-time, got ${JSON.stringify(value)}`);
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.STRING || !isDateTime(ast.value)) throw badInput('expected an ISO-8601 date-time string');
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
