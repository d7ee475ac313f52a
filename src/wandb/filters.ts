import { badInput } from '../errors.js';
import { isObject } from '../objects.js';

// The contract's operators, as W&B documents them (UPSTREAM.md §8); anything else is BAD_USER_INPUT.
const operators = new Set(['$and', '$or', '$nor', '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex']);
const keys = new Set(['state', 'displayName', 'display_name', 'name', 'tags', 'group', 'jobType', 'username', 'createdAt', 'sweep']);
const prefixes = ['config.', 'summary_metrics.'];
const orders = /^[+-](created_at|heartbeat_at|display_name|config\.[^"\\]+\.value|summary_metrics\.[^"\\]+)$/;

/**
 * Checks a runs filter against the operators and keys the contract allows
 * and returns it as the JSON string W&B expects. Throws BAD_USER_INPUT
 * naming the first unknown operator or key.
 */
export function runsFilterJson(filters: unknown): string {
  if (filters === null || filters === undefined) return '{}';
  check(filters, 0, 'filters');
  try {
    return JSON.stringify(filters);
  } catch (error) {
    // Operand values are not walked by `check`: a value nested thousands deep overflows here.
    if (error instanceof RangeError) throw badInput('filters are nested too deeply');
    throw error;
  }
}

/** Checks a runs order string; throws BAD_USER_INPUT with the accepted forms. */
export function runsOrder(order: string | null | undefined): string {
  const value = order ?? '+created_at';
  if (!orders.test(value)) {
    throw badInput(
      `order ${JSON.stringify(value)} is not supported: expected "+created_at", "-created_at", "±heartbeat_at", "±display_name", "±config.<key>.value" or "±summary_metrics.<key>"`,
    );
  }
  return value;
}

// Private:

/** A filter document: logical operators over filter documents, or key conditions. */
function check(doc: unknown, depth: number, where: string): void {
  if (depth > 32) throw badInput('filters are nested too deeply (more than 32 levels)');
  if (!isObject(doc)) throw badInput(`${where} must be an object, got ${kindOf(doc)}`);
  for (const [key, value] of Object.entries(doc)) {
    if (key === '$and' || key === '$or' || key === '$nor') {
      if (!Array.isArray(value) || value.length === 0) throw badInput(`${key} expects a non-empty array of filters`);
      value.forEach((v, i) => check(v, depth + 1, `${key}[${i}]`));
    } else if (key.startsWith('$')) {
      throw badInput(`unknown filter operator ${JSON.stringify(key)}; expected one of ${[...operators].join(' ')}`);
    } else {
      checkKey(key);
      checkCondition(key, value, depth + 1);
    }
  }
}

function checkKey(key: string): void {
  if (keys.has(key)) return;
  const prefix = prefixes.find((p) => key.startsWith(p));
  if (prefix && key.length > prefix.length) return;
  throw badInput(`unknown filter key ${JSON.stringify(key)}; expected one of ${[...keys].join(', ')}, config.<key>, summary_metrics.<key>`);
}

/**
 * A key's condition: a plain value (equality) or an object of operators,
 * each with an operand of the type the key holds (W&B answers a mistyped
 * one with an HTTP 500): the contract's own keys hold text (dates as ISO
 * 8601 text), config and summary keys any scalar; comparisons take a
 * number or text.
 */
function checkCondition(key: string, value: unknown, depth: number): void {
  if (depth > 32) throw badInput('filters are nested too deeply (more than 32 levels)');
  if (Array.isArray(value)) throw badInput(`filter on ${JSON.stringify(key)} cannot be a bare list; use {"$in": [...]}`);
  if (!isObject(value)) return checkOperand(key, '$eq', value);
  const entries = Object.entries(value);
  if (entries.length === 0 || !entries.every(([op]) => op.startsWith('$'))) {
    throw badInput(`filter on ${JSON.stringify(key)} must be a value or an object of operators such as {"$gt": 1}`);
  }
  for (const [op, operand] of entries) {
    if (!operators.has(op) || op === '$and' || op === '$or' || op === '$nor') {
      throw badInput(`unknown filter operator ${JSON.stringify(op)} on ${JSON.stringify(key)}`);
    }
    if (op === '$in' || op === '$nin') {
      if (!Array.isArray(operand)) throw badInput(`${op} on ${JSON.stringify(key)} expects an array`);
      for (const item of operand) checkOperand(key, op, item);
    } else if (op === '$exists' && typeof operand !== 'boolean') throw badInput(`$exists on ${JSON.stringify(key)} expects true or false`);
    else if (op === '$regex' && (typeof operand !== 'string' || operand.length > maxRegexLength)) {
      throw badInput(`${op} on ${JSON.stringify(key)} expects a string of at most ${maxRegexLength} characters`);
    } else if (op !== '$exists' && op !== '$regex') checkOperand(key, op, operand);
  }
}

/** Longest `$regex` accepted. */
const maxRegexLength = 1000;

/** An operand of `op` on `key` (see checkCondition). */
function checkOperand(key: string, op: string, operand: unknown): void {
  const text = keys.has(key);
  const comparison = op === '$gt' || op === '$gte' || op === '$lt' || op === '$lte';
  const ok = comparison
    ? typeof operand === 'string' || (!text && typeof operand === 'number')
    : operand === null || typeof operand === 'string' || (!text && (typeof operand === 'number' || typeof operand === 'boolean'));
  if (ok) return;
  const expected = comparison ? (text ? 'text' : 'a number or text') : text ? 'text or null' : 'a string, number, boolean or null';
  throw badInput(`${op} on ${JSON.stringify(key)} expects ${expected}, got ${kindOf(operand)}`);
}

/** What a value is, for a message: named, not printed (a value may nest thousands deep). */
function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
