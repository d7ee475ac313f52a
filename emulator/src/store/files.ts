import { createHash } from 'node:crypto';
import type { Db } from './db.js';
import type { FileRow } from './types.js';
import { QueryInputError } from '../runFilters.js';
import { decodeCursor, decodeOffsetCursor, encodeCursor, encodeOffsetCursor, type PagingMode } from '../cursor.js';
import { pageSize } from './runs.js';

const fileColumns = 'id, run_id, name, size_bytes, mimetype, md5, uploaded, updated_at';

/** The largest page of files served; larger requests are clamped to it. */
export const maxFilesPage = 1000;

export interface FilePage {
  rows: FileRow[];
  cursors: string[];
  hasNextPage: boolean;
}

/**
 * A page of a run's files ordered by name, optionally only `names`, or names
 * LIKE `pattern` (W&B's SQL-LIKE syntax, e.g. "%.json"). `offset` cursors
 * (W&B's) are positions; `keyset` cursors hold the name (unique per run).
 */
export function listFiles(
  db: Db,
  runId: number,
  args: { names?: readonly (string | null)[] | null; pattern?: string | null; first?: number | null; after?: string | null },
  paging: PagingMode = 'offset',
): FilePage {
  const first = pageSize(args.first, 50, maxFilesPage);
  const where = ['run_id = ?'];
  const params: (string | number)[] = [runId];
  const names = (args.names ?? []).filter((n): n is string => typeof n === 'string');
  if (names.length > 0) {
    where.push(`name IN (${names.map(() => '?').join(',')})`);
    params.push(...names);
  }
  if (args.pattern) {
    where.push(`name LIKE ? ESCAPE '\\'`);
    params.push(args.pattern);
  }
  let offset = 0;
  if (args.after && paging === 'offset') offset = decodeOffsetCursor(args.after);
  else if (args.after) {
    const [name] = decodeCursor(args.after, 1);
    if (typeof name !== 'string') throw new QueryInputError('invalid cursor: expected a cursor returned by a previous page');
    where.push('name > ?');
    params.push(name);
  }
  const rows = db
    .prepare(`SELECT ${fileColumns} FROM files WHERE ${where.join(' AND ')} ORDER BY name LIMIT ? OFFSET ?`)
    .all(...params, first + 1, offset) as FileRow[];
  const page = rows.slice(0, first);
  const cursors = page.map((f, i) => (paging === 'offset' ? encodeOffsetCursor(offset + i) : encodeCursor([f.name])));
  return { rows: page, cursors, hasNextPage: rows.length > first };
}

/** The number of a run's files. */
export function countFiles(db: Db, runId: number): number {
  return (db.prepare('SELECT count(*) AS n FROM files WHERE run_id = ?').get(runId) as { n: number }).n;
}

/** A run's file by name, or null. */
export function findFile(db: Db, runId: number, name: string): FileRow | null {
  return (db.prepare(`SELECT ${fileColumns} FROM files WHERE run_id = ? AND name = ?`).get(runId, name) as FileRow | undefined) ?? null;
}

/** A file by id, or null. */
export function fileById(db: Db, id: number): FileRow | null {
  return (db.prepare(`SELECT ${fileColumns} FROM files WHERE id = ?`).get(id) as FileRow | undefined) ?? null;
}

/** Declares a file of a run (empty until uploaded); returns it. Idempotent by name. */
export function declareFile(db: Db, runId: number, name: string, now: string): FileRow {
  db.prepare(`INSERT OR IGNORE INTO files (run_id, name, updated_at, mimetype) VALUES (?, ?, ?, ?)`).run(runId, name, now, mimetypeOf(name));
  return findFile(db, runId, name) as FileRow;
}

/** Stores a file's bytes (an upload), with its size and MD5 (base64, as W&B reports it). */
export function writeFileContent(db: Db, fileId: number, content: Buffer, now: string): void {
  const md5 = createHash('md5').update(content).digest('base64');
  db.prepare('UPDATE files SET content = ?, size_bytes = ?, md5 = ?, uploaded = 1, updated_at = ? WHERE id = ?').run(
    content,
    content.length,
    md5,
    now,
    fileId,
  );
}

/** A file's bytes, or null when none were uploaded. */
export function readFileContent(db: Db, fileId: number): Buffer | null {
  const row = db.prepare('SELECT content FROM files WHERE id = ?').get(fileId) as { content: Buffer | null } | undefined;
  return row?.content ?? null;
}

/** Deletes files by id among the runs of the given projects; returns how many. */
export function deleteFiles(db: Db, fileIds: readonly number[], visibleProjectIds: readonly number[]): number {
  if (fileIds.length === 0 || visibleProjectIds.length === 0) return 0;
  return db
    .prepare(
      `DELETE FROM files WHERE id IN (${fileIds.map(() => '?').join(',')})
       AND run_id IN (SELECT id FROM runs WHERE project_id IN (${visibleProjectIds.map(() => '?').join(',')}))`,
    )
    .run(...fileIds, ...visibleProjectIds).changes;
}

// Private:

const mimetypes: Record<string, string> = {
  json: 'application/json',
  jsonl: 'application/jsonl',
  txt: 'text/plain',
  log: 'text/plain',
  yaml: 'application/x-yaml',
  yml: 'application/x-yaml',
  md: 'text/markdown',
  png: 'image/png',
  jpg: 'image/jpeg',
  csv: 'text/csv',
  py: 'text/x-python',
  pt: 'application/octet-stream',
};

function mimetypeOf(name: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(name)?.[1]?.toLowerCase();
  return (ext && mimetypes[ext]) || 'application/octet-stream';
}
