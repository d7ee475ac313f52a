import { badInput } from '../errors.js';
import type { RunWhere, KeyCondition } from '../generated/subgraph.js';

const MAX_LIST = 100;
const MAX_TEXT = 256;
const MAX_CONTAINS = 100;
const MAX_CONDITIONS = 50;

/**
 * Compiles `Query.runs(where:)` to W&B's MongoDB-style filter object (what
 * `filters` takes), one clause per field given, joined with $and. Null
 * when nothing is given. Throws BAD_USER_INPUT naming the offending field.
 */
export function runWhereFilter(where: RunWhere | null | undefined): Record<string, unknown> | null {
  if (!where) return null;
  const clauses: Record<string, unknown>[] = [];
  if (where.state != null) clauses.push({ state: settable('state', where.state) });
  if (where.stateIn != null) clauses.push({ state: { $in: list('stateIn', where.stateIn).map((s) => settable('stateIn', s)) } });
  if (where.tagsAny != null) clauses.push({ tags: { $in: texts('tagsAny', where.tagsAny) } });
  if (where.tagsAll != null) for (const tag of texts('tagsAll', where.tagsAll)) clauses.push({ tags: { $in: [tag] } });
  if (where.displayName != null) clauses.push({ display_name: text('displayName', where.displayName) });
  if (where.displayNameContains != null) {
    const part = text('displayNameContains', where.displayNameContains, MAX_CONTAINS);
    clauses.push({ display_name: { $regex: part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') } });
  }
  if (where.runIdIn != null) clauses.push({ name: { $in: texts('runIdIn', where.runIdIn) } });
  if (where.group != null) clauses.push({ group: text('group', where.group) });
  if (where.jobType != null) clauses.push({ jobType: text('jobType', where.jobType) });
  if (where.username != null) clauses.push({ username: text('username', where.username) });
  if (where.createdAfter != null) clauses.push({ createdAt: { $gte: time('createdAfter', where.createdAfter) } });
  if (where.createdBefore != null) clauses.push({ createdAt: { $lt: time('createdBefore', where.createdBefore) } });
  const conditions = [...(where.config ?? []).map((c) => ['config', c] as const), ...(where.summary ?? []).map((c) => ['summary', c] as const)];
  if (conditions.length > MAX_CONDITIONS) throw badInput(`where: at most ${MAX_CONDITIONS} config and summary conditions, got ${conditions.length}`);
  for (const [kind, condition] of conditions) clauses.push(keyClause(kind, condition));
  if (clauses.length === 0) return null;
  return clauses.length === 1 ? clauses[0] : { $and: clauses };
}

/** `filters` and `where` together: a run must match both. */
export function bothFilters(filters: unknown, where: Record<string, unknown> | null): unknown {
  if (where === null) return filters;
  if (filters === null || filters === undefined) return where;
  return { $and: [filters, where] };
}

// Private:

function list<T>(field: string, values: readonly T[]): T[] {
  if (values.length === 0) throw badInput(`where.${field} must not be empty`);
  if (values.length > MAX_LIST) throw badInput(`where.${field} holds at most ${MAX_LIST} items, got ${values.length}`);
  return [...new Set(values)];
}

function text(field: string, value: string, max = MAX_TEXT): string {
  if (value.length === 0 || value.length > max) throw badInput(`where.${field} must be 1..${max} characters, got ${value.length}`);
  return value;
}

function texts(field: string, values: readonly string[]): string[] {
  return list(field, values).map((v) => text(field, v));
}

function time(field: string, value: string): string {
  const ms = Date.parse(value);
  if (typeof value !== 'string' || value.length > 64 || Number.isNaN(ms)) throw badInput(`where.${field} must be an ISO 8601 date-time, got ${JSON.stringify(String(value).slice(0, 64))}`);
  // W&B compares createdAt as an ISO 8601 text without milliseconds or zone.
  return new Date(ms).toISOString().slice(0, 19);
}

function scalar(where: string, value: unknown): string | number | boolean | null {
  if (value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) {
    if (typeof value === 'string' && value.length > MAX_TEXT) throw badInput(`${where} must be at most ${MAX_TEXT} characters`);
    return value;
  }
  throw badInput(`${where} must be a number, string, boolean or null, got ${Array.isArray(value) ? 'a list' : typeof value}`);
}

function keyClause(kind: 'config' | 'summary', c: KeyCondition): Record<string, unknown> {
  const where = `where.${kind}[${JSON.stringify(c.key.slice(0, 60))}]`;
  if (c.key.length === 0 || c.key.length > MAX_TEXT || c.key.startsWith('$') || c.key.includes('\0')) {
    throw badInput(`where.${kind}: key must be 1..${MAX_TEXT} characters and not start with $`);
  }
  const ops: Record<string, unknown> = {};
  if (c.eq !== undefined) ops.$eq = scalar(`${where}.eq`, c.eq);
  if (c.ne !== undefined) ops.$ne = scalar(`${where}.ne`, c.ne);
  for (const op of ['gt', 'gte', 'lt', 'lte'] as const) if (c[op] != null) ops[`$${op}`] = c[op];
  if (c.in != null) ops.$in = list(`${kind}.in`, c.in).map((v, i) => scalar(`${where}.in[${i}]`, v));
  if (c.exists != null) ops.$exists = c.exists;
  if (Object.keys(ops).length === 0) throw badInput(`${where}: give at least one of eq, ne, gt, gte, lt, lte, in, exists`);
  return { [kind === 'config' ? `config.${c.key}.value` : `summary_metrics.${c.key}`]: ops };
}

/** A state as W&B stores it; UNKNOWN (a state W&B reported that the schema does not know) is never one to ask for. */
function settable(name: string, state: string): string {
  if (state === 'UNKNOWN') throw badInput(`${name}: UNKNOWN is reported, never matched; ask for the states the schema names`);
  return state.toLowerCase();
}
