import { createHash } from 'node:crypto';
import type { Db } from './db.js';
import type { ApiKeyRow, EntityRow, ProjectRow, UserRow } from './types.js';
import { QueryInputError } from '../runFilters.js';
import { decodeCursor, decodeOffsetCursor, encodeCursor, encodeOffsetCursor, type Page, type PagingMode } from '../cursor.js';
import { pageSize } from './runs.js';

/** Creates a user with a personal entity of the same name, and returns it. */
export function createUser(db: Db, user: { username: string; name: string; email?: string }): UserRow {
  const entityId = createEntity(db, user.username, false);
  const id = Number(
    db
      .prepare('INSERT INTO users (username, name, email, default_entity_id) VALUES (?, ?, ?, ?)')
      .run(user.username, user.name, user.email ?? null, entityId).lastInsertRowid,
  );
  addMember(db, id, entityId);
  return db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow;
}

/** Creates an entity (a user's own or a team) and returns its id. */
export function createEntity(db: Db, name: string, isTeam: boolean): number {
  return Number(db.prepare('INSERT INTO entities (name, is_team) VALUES (?, ?)').run(name, isTeam ? 1 : 0).lastInsertRowid);
}

/** Makes a user a member of an entity: they see and write its projects. */
export function addMember(db: Db, userId: number, entityId: number): void {
  db.prepare('INSERT OR IGNORE INTO memberships (user_id, entity_id) VALUES (?, ?)').run(userId, entityId);
}

/**
 * Stores an API key for a user (as a digest), with a label shown in
 * `viewer.apiKeys` instead of the key ("key-<n>" when none is given).
 */
export function addApiKey(db: Db, userId: number, key: string, label: { name?: string; description?: string } = {}): void {
  const id = db.prepare('INSERT INTO api_keys (key_digest, user_id, description) VALUES (?, ?, ?)').run(digest(key), userId, label.description ?? null).lastInsertRowid;
  db.prepare('UPDATE api_keys SET name = ? WHERE rowid = ?').run(label.name ?? `key-${id}`, id);
}

/** A user's API keys by id, name and description: never the key, nor its digest. */
export function apiKeysOf(db: Db, userId: number): ApiKeyRow[] {
  return db
    .prepare(`SELECT rowid AS id, user_id, coalesce(name, 'key-' || rowid) AS name, description FROM api_keys WHERE user_id = ? ORDER BY rowid`)
    .all(userId) as ApiKeyRow[];
}

/** The user an API key belongs to, or null. */
export function userByApiKey(db: Db, key: string): UserRow | null {
  return (
    (db
      .prepare('SELECT u.* FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_digest = ?')
      .get(digest(key)) as UserRow | undefined) ?? null
  );
}

/** The entity of that name when the user is a member of it, else null. */
export function memberEntity(db: Db, userId: number, name: string): EntityRow | null {
  return (
    (db
      .prepare(
        `SELECT e.* FROM entities e JOIN memberships m ON m.entity_id = e.id AND m.user_id = ? WHERE e.name = ?`,
      )
      .get(userId, name) as EntityRow | undefined) ?? null
  );
}

/** The entities a user belongs to, by name. */
export function userEntities(db: Db, userId: number): EntityRow[] {
  return db
    .prepare('SELECT e.* FROM entities e JOIN memberships m ON m.entity_id = e.id WHERE m.user_id = ? ORDER BY e.name')
    .all(userId) as EntityRow[];
}

/** An entity's name by id. */
export function entityName(db: Db, entityId: number): string {
  return (db.prepare('SELECT name FROM entities WHERE id = ?').get(entityId) as { name: string }).name;
}

const projectSelect = `SELECT p.*, e.name AS entity_name FROM projects p JOIN entities e ON e.id = p.entity_id`;

/**
 * A project the user may see: `entityName` defaults to the user's own
 * entity, as on W&B. Null when it does not exist or is not visible.
 */
export function visibleProject(db: Db, user: UserRow, entity: string | null | undefined, name: string): ProjectRow | null {
  const e = callerEntity(db, user, entity);
  if (!e) return null;
  return (db.prepare(`${projectSelect} WHERE p.entity_id = ? AND p.name = ?`).get(e.id, name) as ProjectRow | undefined) ?? null;
}

/** Most projects one page holds; larger `first` are clamped. */
export const maxProjectsPage = 1000;

/**
 * The projects of an entity the user belongs to (the user's own entity
 * when none is named), oldest first; none for any other entity, so that a
 * listing tells nothing of what others have.
 */
export function listProjects(db: Db, user: UserRow, entity: string | null | undefined, args: { first?: number | null; after?: string | null }, paging: PagingMode = 'offset'): Page<ProjectRow> {
  const first = pageSize(args.first, 50, maxProjectsPage);
  const e = callerEntity(db, user, entity);
  if (!e) return { rows: [], cursors: [], hasNextPage: false };
  let offset = 0;
  let afterId = 0;
  if (args.after && paging === 'offset') offset = decodeOffsetCursor(args.after);
  else if (args.after) {
    const [id] = decodeCursor(args.after, 1);
    if (!Number.isSafeInteger(id)) throw new QueryInputError('invalid cursor: expected a cursor returned by a previous page');
    afterId = id as number;
  }
  const rows = db.prepare(`${projectSelect} WHERE p.entity_id = ? AND p.id > ? ORDER BY p.id LIMIT ? OFFSET ?`).all(e.id, afterId, first + 1, offset) as ProjectRow[];
  const page = rows.slice(0, first);
  return { rows: page, cursors: page.map((p, i) => (paging === 'offset' ? encodeOffsetCursor(offset + i) : encodeCursor([p.id]))), hasNextPage: rows.length > first };
}

/** A project by id (no visibility check: callers reached it through a visible object). */
export function projectById(db: Db, id: number): ProjectRow {
  return db.prepare(`${projectSelect} WHERE p.id = ?`).get(id) as ProjectRow;
}

/** The project, created in the entity when missing, as W&B's upsertBucket does. */
export function ensureProject(db: Db, entityId: number, name: string, now: string): ProjectRow {
  db.prepare('INSERT OR IGNORE INTO projects (entity_id, name, created_at) VALUES (?, ?, ?)').run(entityId, name, now);
  return db.prepare(`${projectSelect} WHERE p.entity_id = ? AND p.name = ?`).get(entityId, name) as ProjectRow;
}

// Private:

/** The named entity when the user belongs to it, else null; the user's own entity when none is named, as on W&B. */
function callerEntity(db: Db, user: UserRow, entity: string | null | undefined): { id: number } | null {
  if (entity) return memberEntity(db, user.id, entity);
  return user.default_entity_id !== null ? { id: user.default_entity_id } : null;
}

function digest(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
