/**
 * Parsing of the W&B `Project.runs(order:)` string into a SQL sort expression over alias `r`.
 *
 * The SQL comes from {@link runKeyExpression}, so the same safety contract holds: no input text
 * reaches SQL; JSON paths are bound parameters. Ties and NULL placement are left to the caller
 * (SQLite sorts NULLs first ascending and last descending, as MySQL-backed W&B does).
 */
import { canonicalRunKey, QueryInputError, runKeyExpression, type SqlFragment } from './runFilters.js';

/** A parsed order: normalized key (stable, for cursors), direction, and sort expression. */
export interface RunOrder {
  key: string;
  desc: boolean;
  expr: SqlFragment;
}

/** Fixed keys W&B accepts for ordering runs; config/summary paths are handled by prefix. */
const ORDER_KEYS: ReadonlySet<string> = new Set([
  'created_at', 'createdAt',
  'heartbeat_at', 'heartbeatAt',
  'display_name', 'displayName',
  'name',
  'state',
  'group',
  'job_type', 'jobType',
]);
const ORDER_PREFIXES = ['config.', 'summary_metrics.', 'summaryMetrics.'];
const ORDER_KEYS_TEXT = [...ORDER_KEYS, 'config.<key>[.value]', 'summary_metrics.<key>'].join(', ');

/** W&B's server-side default when no order is given: newest first. */
const DEFAULT_ORDER = '-created_at';

/**
 * Parses a W&B order string like `"+created_at"`, `"-summary_metrics.loss"`, `"config.lr.value"`.
 *
 * `null`/`undefined`/`""` mean `-created_at`. A leading `+` sorts ascending, `-` or no prefix
 * descending (W&B's QueryGenerator assumes `-`). Accepts a single key among `created_at`,
 * `heartbeat_at`, `display_name`, `name`, `state`, `group`, `job_type` (and their camelCase
 * aliases), `config.<k>[.value][.<more>]` and `summary_metrics.<k>[.<more>]`. Throws
 * {@link QueryInputError} naming the offending text for anything else, including several
 * comma-separated keys.
 */
export function parseRunOrder(order: string | null | undefined): RunOrder {
  if (order !== null && order !== undefined && typeof order !== 'string') {
    throw new QueryInputError(`order must be a string like "-created_at", got ${typeof order}`);
  }
  const text = (order ?? '').trim() || DEFAULT_ORDER;
  if (text.includes(',')) {
    throw new QueryInputError(`order ${JSON.stringify(text.slice(0, 120))} names several keys; only one order key is supported`);
  }
  let desc = true;
  let key = text;
  if (text.startsWith('+')) {
    desc = false;
    key = text.slice(1);
  } else if (text.startsWith('-')) {
    key = text.slice(1);
  }
  if (!ORDER_KEYS.has(key) && !ORDER_PREFIXES.some((p) => key.startsWith(p))) {
    throw new QueryInputError(`unknown order key ${JSON.stringify(key.slice(0, 120))}; expected one of: ${ORDER_KEYS_TEXT}`);
  }
  return { key: canonicalRunKey(key, 'order'), desc, expr: runKeyExpression(key) };
}
