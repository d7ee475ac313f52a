import type { Db } from './db.js';
import type { RunRow } from './types.js';
import { compileRunFilter, QueryInputError, type SqlValue } from '../runFilters.js';
import { parseRunOrder } from '../runOrder.js';
import { decodeCursor, decodeOffsetCursor, encodeCursor, encodeOffsetCursor, type PagingMode } from '../cursor.js';

const runSelect = `SELECT r.*, p.name AS project_name, e.name AS entity_name
  FROM runs r JOIN projects p ON p.id = r.project_id JOIN entities e ON e.id = p.entity_id`;

/** The largest page of runs served; larger requests are clamped to it. */
export const maxRunsPage = 1000;

/** A run of a project by its short id, or null. */
export function findRun(db: Db, projectId: number, name: string): RunRow | null {
  return (db.prepare(`${runSelect} WHERE r.project_id = ? AND r.name = ?`).get(projectId, name) as RunRow | undefined) ?? null;
}

/** A run by its row id, or null. */
export function runById(db: Db, id: number): RunRow | null {
  return (db.prepare(`${runSelect} WHERE r.id = ?`).get(id) as RunRow | undefined) ?? null;
}

export interface RunPage {
  rows: RunRow[];
  cursors: string[];
  hasNextPage: boolean;
}

/**
 * One page of a project's runs, filtered and ordered. Ties in the order are
 * broken by the run's row id, so the order is total.
 *
 * `offset` paging (the default, as W&B pages): the cursor is the run's
 * position in the result, so a run created or deleted before it between two
 * pages shifts the next page by one (a repeat or a miss). `keyset` paging:
 * the cursor holds the run's sort value and id, so runs created or deleted
 * meanwhile never cause a skip or a repeat.
 */
export function listRuns(
  db: Db,
  projectId: number,
  args: { filters?: string | null; order?: string | null; first?: number | null; after?: string | null },
  paging: PagingMode = 'offset',
): RunPage {
  const filter = compileRunFilter(args.filters);
  const order = parseRunOrder(args.order);
  const first = pageSize(args.first, 50, maxRunsPage);
  const e = `(${order.expr.sql})`;
  const ep = order.expr.params;
  const where: string[] = ['r.project_id = ?', `(${filter.sql})`];
  const params: SqlValue[] = [projectId, ...filter.params];
  let offset = 0;
  if (args.after && paging === 'offset') offset = decodeOffsetCursor(args.after);
  else if (args.after) {
    const [key, value, id] = decodeCursor(args.after, 3);
    if (key !== order.key) throw new QueryInputError(`cursor was made for order "${String(key)}", not "${order.key}"`);
    if (!(value === null || typeof value === 'number' || typeof value === 'string') || typeof id !== 'number') {
      throw new QueryInputError('invalid cursor: expected a cursor returned by a previous page');
    }
    if (!order.desc) {
      if (value === null) {
        where.push(`(${e} IS NOT NULL OR r.id > ?)`);
        params.push(...ep, id);
      } else {
        where.push(`(${e} > ? OR (${e} = ? AND r.id > ?))`);
        params.push(...ep, value, ...ep, value, id);
      }
    } else if (value === null) {
      where.push(`(${e} IS NULL AND r.id < ?)`);
      params.push(...ep, id);
    } else {
      where.push(`(${e} < ? OR ${e} IS NULL OR (${e} = ? AND r.id < ?))`);
      params.push(...ep, value, ...ep, ...ep, value, id);
    }
  }
  const dir = order.desc ? 'DESC' : 'ASC';
  const rows = db
    .prepare(`${runSelect.replace('SELECT r.*', `SELECT r.*, ${e} AS sort_value`)} WHERE ${where.join(' AND ')} ORDER BY ${e} ${dir}, r.id ${dir} LIMIT ? OFFSET ?`)
    .all(...ep, ...params, ...ep, first + 1, offset) as (RunRow & { sort_value: SqlValue })[];
  const hasNextPage = rows.length > first;
  const page = rows.slice(0, first);
  return {
    rows: page.map(({ sort_value: _, ...row }) => row),
    cursors: page.map((r, i) => (paging === 'offset' ? encodeOffsetCursor(offset + i) : encodeCursor([order.key, r.sort_value, r.id]))),
    hasNextPage,
  };
}

/** The number of a project's runs matching the filters. */
export function countRuns(db: Db, projectId: number, filters: string | null | undefined): number {
  const filter = compileRunFilter(filters);
  return (db.prepare(`SELECT count(*) AS n FROM runs r WHERE r.project_id = ? AND (${filter.sql})`).get(projectId, ...filter.params) as { n: number }).n;
}

/** Run fields that upsertBucket and ingest may set. */
export interface RunFields {
  displayName?: string | null;
  description?: string | null;
  notes?: string | null;
  tags?: string[] | null;
  config?: string | null;
  summary?: string | null;
  groupName?: string | null;
  jobType?: string | null;
  state?: string | null;
  sweepName?: string | null;
  commit?: string | null;
  host?: string | null;
  heartbeatAt?: string | null;
  stopRequested?: boolean;
}

/** Creates a run in a project and returns it. */
export function createRun(
  db: Db,
  projectId: number,
  name: string,
  userId: number,
  createdAt: string,
  fields: RunFields = {},
): RunRow {
  const id = Number(
    db
      .prepare(
        `INSERT INTO runs (project_id, name, user_id, created_at, heartbeat_at, updated_at, state) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(projectId, name, userId, createdAt, createdAt, createdAt, fields.state ?? 'running').lastInsertRowid,
  );
  return updateRun(db, id, fields, createdAt);
}

/** Sets the given fields of a run (absent ones stay) and returns it. */
export function updateRun(db: Db, runId: number, fields: RunFields, now: string): RunRow {
  const columns: [string, SqlValue][] = [];
  const set = (column: string, value: SqlValue | undefined) => {
    if (value !== undefined) columns.push([column, value]);
  };
  set('display_name', fields.displayName);
  set('description', fields.description);
  set('notes', fields.notes);
  set('tags', fields.tags === undefined ? undefined : JSON.stringify(fields.tags ?? []));
  set('config', fields.config === undefined ? undefined : (fields.config ?? '{}'));
  set('summary', fields.summary === undefined ? undefined : (fields.summary ?? '{}'));
  set('group_name', fields.groupName);
  set('job_type', fields.jobType);
  set('state', fields.state ?? undefined);
  set('sweep_name', fields.sweepName);
  set('commit_hash', fields.commit);
  set('host', fields.host);
  set('heartbeat_at', fields.heartbeatAt);
  set('stop_requested', fields.stopRequested === undefined ? undefined : Number(fields.stopRequested));
  columns.push(['updated_at', now]);
  db.prepare(`UPDATE runs SET ${columns.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...columns.map(([, v]) => v), runId);
  return runById(db, runId) as RunRow;
}

/**
 * Deletes a run with its history, events, files and inputs. Artifacts it
 * logged are deleted too when `deleteArtifacts`, else they stay without a
 * creator, as on W&B.
 */
export function deleteRun(db: Db, runId: number, deleteArtifacts: boolean): void {
  db.transaction(() => {
    for (const table of ['history', 'history_keysets', 'history_key_types', 'events', 'log_lines', 'filestream_offsets']) {
      db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId);
    }
    if (deleteArtifacts) db.prepare('DELETE FROM artifacts WHERE created_by_run_id = ?').run(runId);
    db.prepare('DELETE FROM runs WHERE id = ?').run(runId);
  })();
}

/**
 * A page size: `value` when given, else `fallback`; clamped to `max`.
 * Throws QueryInputError for a negative size.
 */
export function pageSize(value: number | null | undefined, fallback: number, max: number): number {
  if (value === null || value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 0) throw new QueryInputError(`first must be a non-negative integer, got ${value}`);
  return Math.min(value, max);
}

const adjectives = ['smooth', 'bright', 'quiet', 'lively', 'gentle', 'bold', 'crisp', 'misty', 'sunny', 'swift', 'calm', 'brisk', 'fresh', 'golden', 'silver', 'wild'];
const nouns = ['lake', 'river', 'forest', 'meadow', 'mountain', 'valley', 'breeze', 'dawn', 'field', 'harbor', 'island', 'cloud', 'wave', 'pine', 'star', 'sky'];

/**
 * A display name for a new run that was given none, as W&B makes one up:
 * an adjective, a noun and the run's number in its project
 * ("smooth-lake-7"). The words follow from the run's id, so a seed is
 * named the same on every start.
 */
export function generatedDisplayName(db: Db, projectId: number, runId: string): string {
  let hash = 0;
  for (let i = 0; i < runId.length; i++) hash = (hash * 31 + runId.charCodeAt(i)) >>> 0;
  const count = (db.prepare('SELECT count(*) FROM runs WHERE project_id = ?').pluck().get(projectId) as number) + 1;
  return `${adjectives[hash % adjectives.length]}-${nouns[(hash >>> 8) % nouns.length]}-${count}`;
}
