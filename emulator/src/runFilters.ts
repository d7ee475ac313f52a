/**
 * Translation of W&B run filters (`Project.runs(filters:)`, `Project.runCount(filters:)`) into
 * SQL over the `runs` table, aliased `r` in the final query.
 *
 * The Python client sends `json.dumps(filters)` verbatim, so the input is a MongoDB-style query
 * document: logical operators (`$and`, `$or`, `$nor`, `$not`) over field conditions whose keys are
 * run attributes (`state`, `createdAt`, `config.lr`, `summary_metrics.loss`, `tags`, ...).
 *
 * SECURITY CONTRACT: nothing from the input is ever concatenated into SQL text. Every value and
 * every JSON path travels as a bound `?` parameter; the SQL text is assembled only from string
 * literals in this file, chosen by looking input keys and operators up in fixed tables. Input that
 * does not fit those tables is rejected with {@link QueryInputError} before any SQL is produced.
 *
 * Semantics follow MongoDB where W&B does: `$ne`/`$nin` match runs where the field is missing,
 * `$not` matches where the inner condition is false or unknown, `$exists` tests presence (a JSON
 * null counts as present), and comparisons only match values of the operand's type (a string
 * never equals a number, `true` never equals `1`).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { RE2JS } from 're2js';

/** A value that can be bound to a better-sqlite3 statement parameter (no JS booleans). */
export type SqlValue = string | number | bigint | null;

/** A piece of SQL text plus the values for its `?` placeholders, in placeholder order. */
export interface SqlFragment {
  sql: string;
  params: SqlValue[];
}

/**
 * Raised for any filter or order input we cannot translate. The message says what was expected and
 * what arrived, so the GraphQL layer can return it to the client verbatim (W&B itself often answers
 * with an opaque HTTP 500 for the same input).
 */
export class QueryInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryInputError';
  }
}

/** Maximum nesting of logical operators / `$not`, so hostile input cannot exhaust the stack. */
const MAX_DEPTH = 32;
/** Maximum number of leaf comparisons (each `$in` element counts), bounding SQL size and params. */
const MAX_LEAVES = 1000;
/** Maximum `$regex` pattern length; JS regexes backtrack, so long patterns are a DoS risk. */
const MAX_REGEX_LENGTH = 256;
/** Bounds on JSON-path keys; real config/summary keys are far shorter. */
const MAX_KEY_LENGTH = 512;
const MAX_PATH_SEGMENTS = 32;

// ---------------------------------------------------------------------------------------------
// Small SQL helpers
// ---------------------------------------------------------------------------------------------

const TRUE_SQL: SqlFragment = { sql: '1', params: [] };
const FALSE_SQL: SqlFragment = { sql: '0', params: [] };

function frag(sql: string, ...params: SqlValue[]): SqlFragment {
  return { sql, params };
}

/** A single bound value, for use as a `{}` part of {@link compose}. */
function param(value: SqlValue): SqlFragment {
  return { sql: '?', params: [value] };
}

/** Joins fragments with AND/OR, keeping params in placeholder order. */
function join(parts: SqlFragment[], op: 'AND' | 'OR'): SqlFragment {
  if (parts.length === 1) return parts[0];
  return {
    sql: parts.map((p) => `(${p.sql})`).join(` ${op} `),
    params: parts.flatMap((p) => p.params),
  };
}

/**
 * Mongo-style negation: true when the inner condition is false OR unknown (NULL), which is what
 * makes `$not`/`$ne`/`$nin`/`$nor` match runs where the field is missing.
 */
function negate(inner: SqlFragment): SqlFragment {
  return { sql: `NOT COALESCE((${inner.sql}), 0)`, params: [...inner.params] };
}

/** Builds `template` where each `{}` is replaced, in order, by the given fragments' SQL. */
function compose(template: string, ...parts: SqlFragment[]): SqlFragment {
  const pieces = template.split('{}');
  if (pieces.length !== parts.length + 1) throw new Error(`compose: template/arity mismatch: ${template}`);
  let sql = pieces[0];
  const params: SqlValue[] = [];
  parts.forEach((p, i) => {
    sql += p.sql + pieces[i + 1];
    params.push(...p.params);
  });
  return { sql, params };
}

/** `?, ?, ?` for n values: placeholders are generated from the count only, never from content. */
function placeholders(n: number): string {
  return new Array<string>(n).fill('?').join(', ');
}

/** Quotes user text for an error message, bounded so a huge key cannot bloat the message. */
function show(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Human name of a JSON value's type, for "expected X, got Y" messages. */
function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

type Scalar = string | number | boolean | null;

function isScalar(value: unknown): value is Scalar {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

/** better-sqlite3 refuses JS booleans; SQLite (and json_extract) represent them as 1/0. */
function bindable(value: string | number | boolean): SqlValue {
  return typeof value === 'boolean' ? (value ? 1 : 0) : value;
}

// ---------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------

/** How a key's values are compared: plain SQL/JSON values, ISO timestamps, or the tags array. */
type KeyKind = 'value' | 'time' | 'tags';

interface ResolvedKey {
  /** Normalized key text, e.g. `created_at`, `config.lr.value`, `summary_metrics.loss`. */
  canonical: string;
  kind: KeyKind;
  /** The value expression. */
  value: SqlFragment;
  /**
   * SQL type name of the value: `typeof()` for columns, `json_type()` for JSON paths. Both yield
   * 'null'/'integer'/'real'/'text'; json_type adds 'true'/'false'/'object'/'array' and is NULL
   * for a missing path, which is what lets comparisons stay type-strict.
   */
  type: SqlFragment;
  /** Condition that the key is present (JSON null counts as present for JSON paths). */
  present: SqlFragment;
}

interface ColumnKey {
  canonical: string;
  kind: KeyKind;
  sql: string;
}

const USERNAME_SQL = '(SELECT u.username FROM users u WHERE u.id = r.user_id)';
const ENTITY_SQL =
  '(SELECT e.name FROM projects p JOIN entities e ON e.id = p.entity_id WHERE p.id = r.project_id)';
// Timestamps are whole seconds, so rounding removes julianday floating-point noise exactly.
const DURATION_SQL =
  'CAST(round((julianday(coalesce(r.heartbeat_at, r.created_at)) - julianday(r.created_at)) * 86400) AS INTEGER)';

function column(canonical: string, sql: string, kind: KeyKind = 'value'): ColumnKey {
  return { canonical, kind, sql };
}

/** Fixed (non-JSON) keys. A Map, so input like "constructor" cannot hit Object.prototype. */
const COLUMN_KEYS: ReadonlyMap<string, ColumnKey> = new Map<string, ColumnKey>([
  ['name', column('name', 'r.name')],
  ['display_name', column('display_name', 'r.display_name')],
  ['displayName', column('display_name', 'r.display_name')],
  ['state', column('state', 'r.state')],
  ['group', column('group', 'r.group_name')],
  ['jobType', column('job_type', 'r.job_type')],
  ['job_type', column('job_type', 'r.job_type')],
  ['host', column('host', 'r.host')],
  ['commit', column('commit', 'r.commit_hash')],
  ['notes', column('notes', 'r.notes')],
  ['description', column('description', 'r.description')],
  ['sweep', column('sweep', 'r.sweep_name')],
  ['sweepName', column('sweep', 'r.sweep_name')],
  ['createdAt', column('created_at', 'r.created_at', 'time')],
  ['created_at', column('created_at', 'r.created_at', 'time')],
  ['heartbeatAt', column('heartbeat_at', 'r.heartbeat_at', 'time')],
  ['heartbeat_at', column('heartbeat_at', 'r.heartbeat_at', 'time')],
  ['username', column('username', USERNAME_SQL)],
  ['entity', column('entity', ENTITY_SQL)],
  ['duration', column('duration', DURATION_SQL)],
  ['tags', column('tags', 'r.tags', 'tags')],
]);

const KNOWN_KEYS_TEXT = [...COLUMN_KEYS.keys(), 'config.<key>', 'summary_metrics.<key>'].join(', ');

/** JSON-path prefixes: the column holding the JSON, and whether values are `{value: v}`-wrapped. */
const JSON_PREFIXES: ReadonlyArray<{ prefix: string; canonical: string; column: string; wrapped: boolean }> = [
  { prefix: 'config.', canonical: 'config', column: 'r.config', wrapped: true },
  { prefix: 'summary_metrics.', canonical: 'summary_metrics', column: 'r.summary', wrapped: false },
  { prefix: 'summaryMetrics.', canonical: 'summary_metrics', column: 'r.summary', wrapped: false },
];

const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function resolveJsonKey(key: string, rest: string, spec: (typeof JSON_PREFIXES)[number]): ResolvedKey {
  if (key.length > MAX_KEY_LENGTH) {
    throw new QueryInputError(`filter key ${show(key)} is too long (max ${MAX_KEY_LENGTH} characters)`);
  }
  const segments = rest.split('.');
  if (segments.length > MAX_PATH_SEGMENTS) {
    throw new QueryInputError(`filter key ${show(key)} has too many path segments (max ${MAX_PATH_SEGMENTS})`);
  }
  for (const seg of segments) {
    if (seg === '') throw new QueryInputError(`invalid key ${show(key)}: empty path segment`);
    // Rejected so the bound path can never be re-interpreted by SQLite's JSON-path parser.
    if (seg.includes('"') || CONTROL_CHARS.test(seg)) {
      throw new QueryInputError(`invalid key ${show(key)}: path segments must not contain quotes or control characters`);
    }
  }
  let pathSegments = segments;
  let canonical = `${spec.canonical}.${segments.join('.')}`;
  if (spec.wrapped) {
    // W&B stores config as {k: {value: v, desc}}; clients write both `config.k` and
    // `config.k.value`, so the `.value` after the first segment is optional and normalized in.
    const [first, ...more] = segments;
    const tail = more[0] === 'value' ? more.slice(1) : more;
    pathSegments = [first, 'value', ...tail];
    canonical = `${spec.canonical}.${pathSegments.join('.')}`;
  }
  // JSON.stringify escapes backslashes, which SQLite decodes inside quoted path labels.
  const path = '$' + pathSegments.map((s) => `.${JSON.stringify(s)}`).join('');
  return {
    canonical,
    kind: 'value',
    value: frag(`json_extract(${spec.column}, ?)`, path),
    type: frag(`json_type(${spec.column}, ?)`, path),
    present: frag(`json_type(${spec.column}, ?) IS NOT NULL`, path),
  };
}

function resolveKey(key: string, usage: 'filter' | 'order'): ResolvedKey {
  const col = COLUMN_KEYS.get(key);
  if (col) {
    return {
      canonical: col.canonical,
      kind: col.kind,
      value: frag(col.sql),
      type: frag(`typeof(${col.sql})`),
      present: frag(`${col.sql} IS NOT NULL`),
    };
  }
  for (const spec of JSON_PREFIXES) {
    if (key.startsWith(spec.prefix)) return resolveJsonKey(key, key.slice(spec.prefix.length), spec);
  }
  throw new QueryInputError(`unknown ${usage} key ${show(key)}; expected one of: ${KNOWN_KEYS_TEXT}`);
}

/**
 * Maps a filter or order key to a SQL expression over alias `r` (shared with runOrder.ts).
 *
 * Accepts the fixed keys (`name`, `display_name`/`displayName`, `state`, `group`, `jobType`/
 * `job_type`, `host`, `commit`, `notes`, `description`, `sweep`/`sweepName`, `createdAt`/
 * `created_at`, `heartbeatAt`/`heartbeat_at`, `username`, `entity`, `duration`, `tags`) and the JSON
 * paths `config.<k>[.value][.<more>]` and `summary_metrics.<k>[.<more>]` (alias `summaryMetrics.`).
 * JSON paths become `json_extract(r.config|r.summary, ?)` with the path bound as a parameter.
 * `tags` yields the raw JSON array text. Throws {@link QueryInputError} for anything else.
 */
export function runKeyExpression(key: string): SqlFragment {
  const { value } = resolveKey(key, 'filter');
  return { sql: value.sql, params: [...value.params] };
}

/**
 * Normalized form of a key accepted by {@link runKeyExpression}: aliases collapse to one spelling
 * (`createdAt` → `created_at`, `summaryMetrics.x` → `summary_metrics.x`) and config keys gain
 * their `.value` segment (`config.lr` → `config.lr.value`). Stable, so cursors can embed it.
 * Throws {@link QueryInputError} for unknown keys.
 */
export function canonicalRunKey(key: string, usage: 'filter' | 'order' = 'filter'): string {
  return resolveKey(key, usage).canonical;
}

// ---------------------------------------------------------------------------------------------
// Regular expressions
// ---------------------------------------------------------------------------------------------

const POSIX_CLASSES: ReadonlyMap<string, string> = new Map([
  ['alnum', '0-9A-Za-z'],
  ['alpha', 'A-Za-z'],
  ['ascii', '\\x00-\\x7F'],
  ['blank', '\\t '],
  ['cntrl', '\\x00-\\x1F\\x7F'],
  ['digit', '0-9'],
  ['graph', '!-~'],
  ['lower', 'a-z'],
  ['print', ' -~'],
  ['punct', '!-\\/:-@\\[-`{-~'],
  ['space', '\\t\\n\\v\\f\\r '],
  ['upper', 'A-Z'],
  ['word', '0-9A-Za-z_'],
  ['xdigit', '0-9A-Fa-f'],
]);

/**
 * Rewrites an RE2 pattern (the syntax W&B's Go backend accepts) into an equivalent JS RegExp
 * source, rejecting RE2 constructs JS would silently read differently and JS-only constructs
 * (backreferences, lookaround) that RE2 refuses.
 */
function translateRe2(pattern: string, where: string): { source: string; flags: string } {
  let flags = '';
  let body = pattern;
  const lead = /^\(\?([a-zA-Z]+)\)/.exec(body);
  if (lead) {
    for (const f of lead[1]) {
      if (f !== 'i' && f !== 'm' && f !== 's') {
        throw new QueryInputError(`${where}: inline flag "${f}" is not supported (only i, m, s)`);
      }
      flags += f;
    }
    body = body.slice(lead[0].length);
  }
  const bad = (what: string): never => {
    throw new QueryInputError(`${where}: ${what} are not supported in $regex (RE2 syntax)`);
  };
  let out = '';
  let inClass = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '\\') {
      const n = body[i + 1];
      if (n === undefined) {
        out += c; // trailing backslash: kept so RegExp reports it
        break;
      }
      if (!inClass && n >= '1' && n <= '9') bad('backreferences');
      if (!inClass && n === 'k' && body[i + 2] === '<') bad('backreferences');
      if (n === 'p' || n === 'P') bad('Unicode classes (\\p{...})');
      if (n === 'Q' || n === 'E') bad('quoted literals (\\Q...\\E)');
      if (n === 'C') bad('byte matchers (\\C)');
      if (!inClass && n === 'A') {
        out += '(?<![\\s\\S])';
      } else if (!inClass && n === 'z') {
        out += '(?![\\s\\S])';
      } else {
        out += c + n;
      }
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && body[i + 1] === ':') {
        const end = body.indexOf(':]', i + 2);
        const name = end < 0 ? undefined : body.slice(i + 2, end);
        const expansion = name === undefined ? undefined : POSIX_CLASSES.get(name);
        if (expansion === undefined) bad('this POSIX class form');
        out += expansion;
        i = end + 1;
        continue;
      }
      if (c === ']') inClass = false;
      out += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      if (body[i + 1] === '^') {
        out += '^';
        i++;
      }
      continue;
    }
    if (c === '(' && body[i + 1] === '?') {
      const rest = body.slice(i + 2, i + 4);
      if (rest.startsWith('=') || rest.startsWith('!') || rest === '<=' || rest === '<!') bad('lookaround assertions');
      if (rest.startsWith('P<')) {
        out += '(?<'; // RE2/Python named group (?P<name>...) is (?<name>...) in JS
        i += 3;
        continue;
      }
    }
    out += c;
  }
  return { source: out, flags };
}

/** Validates a `$regex` (+ `$options`) and returns the JS source and flags `regexp()` expects. */
function compileRegex(pattern: unknown, options: unknown, label: string): { source: string; flags: string } {
  const where = `filter on ${show(label)}`;
  if (typeof pattern !== 'string') {
    throw new QueryInputError(`${where}: $regex expects a string pattern, got ${typeName(pattern)}`);
  }
  if (pattern.length > MAX_REGEX_LENGTH) {
    throw new QueryInputError(`${where}: $regex pattern is too long (${pattern.length} > ${MAX_REGEX_LENGTH} characters)`);
  }
  let optionFlags = '';
  if (options !== undefined) {
    if (typeof options !== 'string') {
      throw new QueryInputError(`${where}: $options expects a string of flags, got ${typeName(options)}`);
    }
    for (const f of options) {
      if (f !== 'i' && f !== 'm' && f !== 's') {
        throw new QueryInputError(`${where}: $options flag ${show(f)} is not supported (only i, m, s)`);
      }
    }
    optionFlags = options;
  }
  const { source, flags: inline } = translateRe2(pattern, where);
  const flags = [...new Set(inline + optionFlags)].sort().join('');
  try {
    // Checked by both engines: JavaScript's names what RE2 syntax the emulator refuses, RE2's is the one that matches.
    new RegExp(source, flags);
    re2(pattern, flags);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    throw new QueryInputError(`${where}: invalid $regex ${show(pattern)}: ${reason}`);
  }
  // Matched as W&B matches, with RE2 (re2js): in linear time, where JavaScript's engine would backtrack for
  // seconds per run on a pattern such as (a|a)*$ or (a+)+$.
  return { source: pattern, flags };
}

/** `regexp(?, expr[, ?])` over a value expression; flags are bound only when present. */
function regexpCall(re: { source: string; flags: string }, value: SqlFragment): SqlFragment {
  return re.flags
    ? { sql: `regexp(?, ${value.sql}, ?)`, params: [re.source, ...value.params, re.flags] }
    : { sql: `regexp(?, ${value.sql})`, params: [re.source, ...value.params] };
}

/**
 * Registers the SQL function `regexp(pattern, value[, flags])` used by compiled `$regex` filters
 * (it also backs SQLite's `value REGEXP pattern` operator). `pattern` is RE2 syntax, matched with
 * RE2 (re2js) as W&B matches it; `flags` may hold `i`, `m`, `s`. Deterministic; returns 1/0;
 * a NULL value or pattern gives 0; numbers are matched by their text. Compiled patterns are kept in
 * a small per-database cache because the same pattern is evaluated once per row.
 */
export function registerRegexp(db: BetterSqlite3.Database): void {
  const cache = new Map<string, RE2JS>();
  const CACHE_LIMIT = 64;
  db.function('regexp', { deterministic: true, varargs: true }, (...args: unknown[]): number => {
    const [pattern, value, flags] = args;
    if (typeof pattern !== 'string' || value === null || value === undefined) return 0;
    const flagText = typeof flags === 'string' ? flags : '';
    let text: string;
    if (typeof value === 'string') text = value;
    else if (typeof value === 'number' || typeof value === 'bigint') text = String(value);
    else return 0; // blobs never match
    const cacheKey = `${flagText}/${pattern}`;
    let re = cache.get(cacheKey);
    if (!re) {
      re = re2(pattern, flagText);
      if (cache.size >= CACHE_LIMIT) {
        const oldest = cache.keys().next();
        if (!oldest.done) cache.delete(oldest.value);
      }
      cache.set(cacheKey, re);
    }
    return re.matcher(text).find() ? 1 : 0;
  });
}

/** An RE2 pattern compiled with the flags i, m and s (case-insensitive, multi-line, dot matches newline). */
function re2(pattern: string, flags: string): RE2JS {
  const bits = (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) | (flags.includes('m') ? RE2JS.MULTILINE : 0) | (flags.includes('s') ? RE2JS.DOTALL : 0);
  return RE2JS.compile(pattern, bits);
}

// ---------------------------------------------------------------------------------------------
// Timestamps
// ---------------------------------------------------------------------------------------------

const ISO_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*([Zz]|[+-]\d{2}:?\d{2})?$/;

/** SQLite normalization of a stored timestamp to the same shape as {@link normalizeTimestamp}. */
function timeValue(expr: SqlFragment): SqlFragment {
  return { sql: `strftime('%Y-%m-%dT%H:%M:%fZ', ${expr.sql})`, params: [...expr.params] };
}

/**
 * Parses an ISO-8601 operand (date only, naive = UTC, `Z` or `±HH:MM` offsets, fractions) into
 * `YYYY-MM-DDTHH:MM:SS.sssZ`, the shape `timeValue` gives stored values, so a plain string
 * comparison is a correct time comparison whatever format the client used.
 */
function normalizeTimestamp(value: string, label: string, op: string): string {
  const m = ISO_RE.exec(value.trim());
  const fail = (): never => {
    throw new QueryInputError(`${label} ${op} expects an ISO-8601 string such as "2024-01-31T12:00:00Z", got ${show(value)}`);
  };
  if (!m) return fail();
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', tz] = m;
  const year = Number(y), month = Number(mo), day = Number(d);
  const hour = Number(h), minute = Number(mi), second = Number(s);
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  // Round-trip check rejects impossible dates like 2024-02-30 that Date would roll over.
  if (
    date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day ||
    date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second
  ) {
    return fail();
  }
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const offH = Number(digits.slice(0, 2)), offM = Number(digits.slice(2, 4));
    if (offH > 23 || offM > 59) return fail();
    date.setTime(date.getTime() - sign * (offH * 60 + offM) * 60_000);
  }
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) return fail();
  return date.toISOString();
}

// ---------------------------------------------------------------------------------------------
// Compilation
// ---------------------------------------------------------------------------------------------

const LOGICAL_OPS = new Set(['$and', '$or', '$nor', '$not']);
const FIELD_OPS = new Set([
  '$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists', '$regex', '$options', '$not', '$all',
]);
const FIELD_OPS_TEXT = [...FIELD_OPS].join(', ');
const COMPARISONS: ReadonlyMap<string, string> = new Map([
  ['$gt', '>'],
  ['$gte', '>='],
  ['$lt', '<'],
  ['$lte', '<='],
]);

class Compiler {
  private leaves = 0;

  /** Counts leaf conditions; `n` > 1 for `$in`-style lists so huge lists are bounded too. */
  private leaf(n = 1): void {
    this.leaves += Math.max(1, n);
    if (this.leaves > MAX_LEAVES) {
      throw new QueryInputError(`filters have too many conditions (max ${MAX_LEAVES})`);
    }
  }

  /** A filter document: every key is ANDed. */
  document(doc: unknown, depth: number, where: string): SqlFragment {
    if (depth > MAX_DEPTH) throw new QueryInputError(`filters are nested too deeply (max depth ${MAX_DEPTH})`);
    if (!isPlainObject(doc)) {
      throw new QueryInputError(`${where} must be a JSON object, got ${typeName(doc)}`);
    }
    const parts: SqlFragment[] = [];
    for (const [key, value] of Object.entries(doc)) {
      if (key.startsWith('$')) parts.push(this.logical(key, value, depth));
      else parts.push(this.field(key, value, depth));
    }
    return parts.length === 0 ? TRUE_SQL : join(parts, 'AND');
  }

  private logical(op: string, value: unknown, depth: number): SqlFragment {
    if (op === '$not') {
      return negate(this.document(value, depth + 1, '$not operand'));
    }
    if (op === '$and' || op === '$or' || op === '$nor') {
      if (!Array.isArray(value) || value.length === 0) {
        throw new QueryInputError(`${op} expects a non-empty array of filter objects, got ${Array.isArray(value) ? 'empty array' : typeName(value)}`);
      }
      const parts = value.map((v, i) => this.document(v, depth + 1, `${op}[${i}]`));
      if (op === '$and') return join(parts, 'AND');
      const either = join(parts, 'OR');
      return op === '$or' ? either : negate(either);
    }
    if (FIELD_OPS.has(op)) {
      throw new QueryInputError(`operator ${show(op)} must be applied to a field, e.g. {"summary_metrics.loss": {${show(op)}: ...}}`);
    }
    throw new QueryInputError(`unknown filter operator ${show(op)}; expected one of: ${[...LOGICAL_OPS].join(', ')} or a field key`);
  }

  private field(label: string, value: unknown, depth: number): SqlFragment {
    const key = resolveKey(label, 'filter');
    if (Array.isArray(value)) {
      if (key.kind === 'tags') {
        throw new QueryInputError(
          `filter on "tags" got a bare array; use {"tags": {"$in": [...]}} (any of) or {"tags": {"$all": [...]}} (all of)`,
        );
      }
      throw new QueryInputError(`filter on ${show(label)} got an array; expected a scalar or an operator object like {"$in": [...]}`);
    }
    if (isPlainObject(value)) {
      return this.operators(key, label, value, depth);
    }
    if (key.kind === 'tags') return this.tagsOp(label, '$eq', value, undefined);
    return this.eq(key, label, '$eq', value);
  }

  /** An operator object `{"$gt": 1, "$lt": 5}`: every operator is ANDed. */
  private operators(key: ResolvedKey, label: string, ops: Record<string, unknown>, depth: number): SqlFragment {
    if (depth > MAX_DEPTH) throw new QueryInputError(`filters are nested too deeply (max depth ${MAX_DEPTH})`);
    const names = Object.keys(ops);
    if (names.length === 0 || names.some((n) => !n.startsWith('$'))) {
      throw new QueryInputError(
        `filter on ${show(label)} got an object without operators (${show(ops)}); expected a scalar or an operator object like {"$gt": 1}`,
      );
    }
    if ('$options' in ops && !('$regex' in ops)) {
      throw new QueryInputError(`filter on ${show(label)}: $options is only allowed next to $regex`);
    }
    const parts: SqlFragment[] = [];
    for (const [op, operand] of Object.entries(ops)) {
      if (op === '$options') continue;
      if (!FIELD_OPS.has(op)) {
        throw new QueryInputError(`unknown filter operator ${show(op)} on ${show(label)}; expected one of: ${FIELD_OPS_TEXT}`);
      }
      if (op === '$not') {
        if (!isPlainObject(operand)) {
          throw new QueryInputError(`filter on ${show(label)}: $not expects an operator object like {"$gt": 1}, got ${typeName(operand)}`);
        }
        parts.push(negate(this.operators(key, label, operand, depth + 1)));
        continue;
      }
      if (key.kind === 'tags') parts.push(this.tagsOp(label, op, operand, ops['$options']));
      else parts.push(this.valueOp(key, label, op, operand, ops['$options']));
    }
    return join(parts, 'AND');
  }

  private valueOp(key: ResolvedKey, label: string, op: string, operand: unknown, options: unknown): SqlFragment {
    switch (op) {
      case '$eq':
        return this.eq(key, label, op, operand);
      case '$ne':
        return negate(this.eq(key, label, op, operand));
      case '$in':
        return this.in(key, label, op, operand);
      case '$nin':
        return negate(this.in(key, label, op, operand));
      case '$exists':
        this.leaf();
        return this.existsFlag(label, operand) ? key.present : negate(key.present);
      case '$regex': {
        this.leaf();
        const re = compileRegex(operand, options, label);
        // Regexes only match strings (as in Mongo); the guard also skips JSON objects/arrays,
        // which json_extract would otherwise hand over as JSON text.
        return compose("{} = 'text' AND {}", key.type, regexpCall(re, key.value));
      }
      case '$all':
        throw new QueryInputError(`filter on ${show(label)}: $all is only supported for "tags"`);
      default: {
        const cmp = COMPARISONS.get(op);
        if (cmp === undefined) throw new QueryInputError(`unknown filter operator ${show(op)} on ${show(label)}`);
        if (typeof operand !== 'string' && typeof operand !== 'boolean' && !(typeof operand === 'number' && Number.isFinite(operand))) {
          throw new QueryInputError(`filter on ${show(label)}: ${op} expects a string, number or boolean, got ${typeName(operand)}`);
        }
        this.leaf();
        if (key.kind === 'time') {
          const iso = this.timeOperand(label, op, operand);
          return compose(`{} ${cmp} {}`, timeValue(key.value), param(iso));
        }
        return compose(`{} AND {} ${cmp} {}`, typeGuard(key, operand), key.value, param(bindable(operand)));
      }
    }
  }

  private existsFlag(label: string, operand: unknown): boolean {
    if (typeof operand !== 'boolean') {
      throw new QueryInputError(`filter on ${show(label)}: $exists expects true or false, got ${typeName(operand)}`);
    }
    return operand;
  }

  private timeOperand(label: string, op: string, operand: unknown): string {
    if (typeof operand !== 'string') {
      throw new QueryInputError(`${label} expects an ISO-8601 string, got ${typeName(operand)} (in ${op})`);
    }
    return normalizeTimestamp(operand, label, op);
  }

  /** Equality with a scalar; `null` means missing or null, as in Mongo. */
  private eq(key: ResolvedKey, label: string, op: string, operand: unknown): SqlFragment {
    if (!isScalar(operand)) {
      throw new QueryInputError(
        `filter on ${show(label)}: ${op} expects a string, number, boolean or null, got ${typeName(operand)}`,
      );
    }
    this.leaf();
    if (operand === null) return compose('{} IS NULL', key.value);
    if (key.kind === 'time') {
      return compose('{} = {}', timeValue(key.value), param(this.timeOperand(label, op, operand)));
    }
    return compose('{} AND {} = {}', typeGuard(key, operand), key.value, param(bindable(operand)));
  }

  /** `$in`: OR over type groups, each an `IN (?, ...)` list whose size comes from the count only. */
  private in(key: ResolvedKey, label: string, op: string, operand: unknown): SqlFragment {
    if (!Array.isArray(operand)) {
      throw new QueryInputError(`filter on ${show(label)}: ${op} expects an array, got ${typeName(operand)}`);
    }
    this.leaf(operand.length);
    if (operand.length === 0) return FALSE_SQL;
    const strings: string[] = [];
    const numbers: number[] = [];
    const bools: number[] = [];
    let hasNull = false;
    for (const item of operand) {
      if (!isScalar(item)) {
        throw new QueryInputError(`filter on ${show(label)}: ${op} expects an array of scalars, got an element of type ${typeName(item)}`);
      }
      if (item === null) hasNull = true;
      else if (typeof item === 'string') strings.push(item);
      else if (typeof item === 'number') numbers.push(item);
      else bools.push(item ? 1 : 0);
    }
    const parts: SqlFragment[] = [];
    if (hasNull) parts.push(compose('{} IS NULL', key.value));
    if (key.kind === 'time') {
      if (numbers.length > 0 || bools.length > 0) {
        throw new QueryInputError(`${label} expects ISO-8601 strings, got ${numbers.length > 0 ? 'number' : 'boolean'} (in ${op})`);
      }
      if (strings.length > 0) {
        const iso = strings.map((s) => normalizeTimestamp(s, label, op));
        parts.push({ sql: `${timeValue(key.value).sql} IN (${placeholders(iso.length)})`, params: [...key.value.params, ...iso] });
      }
      return join(parts, 'OR');
    }
    const group = (values: SqlValue[], sample: string | number | boolean): void => {
      if (values.length === 0) return;
      const list = { sql: `(${placeholders(values.length)})`, params: values };
      parts.push(compose('{} AND {} IN {}', typeGuard(key, sample), key.value, list));
    };
    group(strings, '');
    group(numbers, 0);
    group(bools, true);
    return join(parts, 'OR');
  }

  /** Operators on the `tags` JSON array: membership semantics, like Mongo on an array field. */
  private tagsOp(label: string, op: string, operand: unknown, options: unknown): SqlFragment {
    const tagName = (v: unknown, where: string): string => {
      if (typeof v !== 'string') {
        throw new QueryInputError(`filter on "tags": ${where} expects a tag name string, got ${typeName(v)}`);
      }
      return v;
    };
    const tagList = (v: unknown): string[] => {
      if (!Array.isArray(v)) throw new QueryInputError(`filter on "tags": ${op} expects an array of tag names, got ${typeName(v)}`);
      this.leaf(v.length);
      return v.map((t) => tagName(t, `${op} element`));
    };
    const hasAny = (tags: string[]): SqlFragment =>
      tags.length === 0
        ? FALSE_SQL
        : { sql: `EXISTS (SELECT 1 FROM json_each(r.tags) AS t WHERE t.value IN (${placeholders(tags.length)}))`, params: tags };
    switch (op) {
      case '$eq':
        this.leaf();
        return hasAny([tagName(operand, op)]);
      case '$ne':
        this.leaf();
        return negate(hasAny([tagName(operand, op)]));
      case '$in':
        return hasAny(tagList(operand));
      case '$nin':
        return negate(hasAny(tagList(operand)));
      case '$all': {
        const tags = tagList(operand);
        // Mongo: `$all: []` matches nothing.
        return tags.length === 0 ? FALSE_SQL : join(tags.map((t) => hasAny([t])), 'AND');
      }
      case '$exists':
        this.leaf();
        // Every run has a tags array (possibly empty).
        return this.existsFlag(label, operand) ? TRUE_SQL : FALSE_SQL;
      case '$regex': {
        this.leaf();
        const re = compileRegex(operand, options, label);
        return compose(
          "EXISTS (SELECT 1 FROM json_each(r.tags) AS t WHERE t.type = 'text' AND {})",
          regexpCall(re, frag('t.value')),
        );
      }
      default:
        throw new QueryInputError(`filter on "tags": operator ${show(op)} is not supported; use $eq, $ne, $in, $nin, $all, $regex, $exists or $not`);
    }
  }
}

/** Type guard so that a comparison only matches values of the operand's JSON type. */
function typeGuard(key: ResolvedKey, sample: string | number | boolean): SqlFragment {
  if (typeof sample === 'string') return compose("{} = 'text'", key.type);
  if (typeof sample === 'number') return compose("{} IN ('integer', 'real')", key.type);
  return compose("{} IN ('true', 'false')", key.type);
}

/**
 * Parses a W&B runs filter (the JSON text the client sends, or an already parsed value) into a SQL
 * boolean expression over alias `r`. Throws {@link QueryInputError} for anything malformed.
 *
 * Accepts `null`, `undefined`, `""`, `"{}"` and `{}` (all meaning "every run", giving `1`), or a
 * JSON object using `$and`/`$or`/`$nor` (non-empty arrays), `$not` (top level or per field), and
 * per-field `$eq $ne $gt $gte $lt $lte $in $nin $exists $regex`(+`$options`), plus `$all` for
 * tags. A plain scalar field value means `$eq`. The result is parenthesized (safe to splice next
 * to other conditions) and may call `regexp()`, so the database must have had
 * {@link registerRegexp} applied. See the module comment for the SQL-safety contract.
 */
export function compileRunFilter(filters: unknown): SqlFragment {
  let doc: unknown = filters;
  if (doc === null || doc === undefined) return { ...TRUE_SQL, params: [] };
  if (typeof doc === 'string') {
    if (doc.trim() === '') return { ...TRUE_SQL, params: [] };
    try {
      doc = JSON.parse(doc);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new QueryInputError(`filters is not valid JSON: ${reason}`);
    }
    // `json.dumps(None)` is how a Python caller spells "no filter".
    if (doc === null) return { ...TRUE_SQL, params: [] };
  }
  const result = new Compiler().document(doc, 0, 'filters');
  // Parenthesized so callers can splice it next to their own conditions (`... AND <sql>`).
  return result.sql === '1' ? { sql: '1', params: [] } : { sql: `(${result.sql})`, params: [...result.params] };
}
