import type { Db } from './db.js';
import type { AliasRow, ArtifactRow, ArtifactTypeRow, CollectionRow } from './types.js';
import { QueryInputError } from '../runFilters.js';
import { decodeCursor, decodeOffsetCursor, encodeCursor, encodeOffsetCursor, type PagingMode } from '../cursor.js';
import { pageSize } from './runs.js';
import { manifestDigest, saveManifest, type ManifestEntry } from './manifests.js';

/** The largest page of artifacts served; larger requests are clamped to it. */
export const maxArtifactsPage = 1000;

export interface NewArtifact {
  projectId: number;
  typeName: string;
  collectionName: string;
  /** The version digest; with `manifest`, computed from it instead. */
  digest?: string;
  /** The version's files: its manifest is stored, and digest, size and file count follow from it. */
  manifest?: readonly ManifestEntry[];
  description?: string | null;
  metadata?: string | null;
  aliases?: readonly string[];
  runId?: number | null;
  historyStep?: number | null;
  ttlDurationSeconds?: number | null;
  tags?: readonly string[];
  size?: number;
  fileCount?: number;
  /** Return the collection's existing version with the same digest, as W&B does. */
  deduplicate?: boolean;
  now: string;
}

/**
 * Creates the next version of an artifact collection (creating the type and
 * the collection when missing), gives it its version alias "v<N>", moves
 * "latest" and the given aliases to it, and returns it. With `deduplicate`,
 * an existing version with the same digest is returned instead (and gets the
 * aliases). Aliases of the form "v<N>" belong to their versions and are not
 * moved.
 */
export function createArtifact(db: Db, a: NewArtifact): ArtifactRow {
  const digest = a.manifest ? manifestDigest(a.manifest) : a.digest;
  if (digest === undefined) throw new Error('createArtifact needs a digest or a manifest');
  const size = a.manifest ? a.manifest.reduce((n, e) => n + e.size, 0) : (a.size ?? 0);
  const fileCount = a.manifest ? a.manifest.length : (a.fileCount ?? 0);
  return db.transaction(() => {
    db.prepare('INSERT OR IGNORE INTO artifact_types (project_id, name) VALUES (?, ?)').run(a.projectId, a.typeName);
    const type = db.prepare('SELECT * FROM artifact_types WHERE project_id = ? AND name = ?').get(a.projectId, a.typeName) as ArtifactTypeRow;
    db.prepare('INSERT OR IGNORE INTO artifact_collections (project_id, type_id, name) VALUES (?, ?, ?)').run(a.projectId, type.id, a.collectionName);
    const collection = db
      .prepare('SELECT * FROM artifact_collections WHERE project_id = ? AND name = ?')
      .get(a.projectId, a.collectionName) as CollectionRow;
    if (collection.type_id !== type.id) {
      throw new QueryInputError(`artifact collection "${a.collectionName}" holds another type than "${a.typeName}"`);
    }
    let artifact = a.deduplicate
      ? (db.prepare('SELECT * FROM artifacts WHERE collection_id = ? AND digest = ? ORDER BY id LIMIT 1').get(collection.id, digest) as
          | ArtifactRow
          | undefined)
      : undefined;
    if (!artifact) {
      const next = (db.prepare('SELECT coalesce(max(version_index) + 1, 0) AS v FROM artifacts WHERE collection_id = ?').get(collection.id) as { v: number }).v;
      const id = Number(
        db
          .prepare(
            `INSERT INTO artifacts (collection_id, version_index, digest, description, metadata, state, size, file_count,
               history_step, ttl_duration_seconds, created_by_run_id, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, 'COMMITTED', ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            collection.id,
            next,
            digest,
            a.description ?? null,
            a.metadata ?? '{}',
            size,
            fileCount,
            a.historyStep ?? null,
            a.ttlDurationSeconds ?? -2,
            a.runId ?? null,
            a.now,
            a.now,
          ).lastInsertRowid,
      );
      artifact = artifactById(db, id) as ArtifactRow;
      setAlias(db, collection.id, `v${next}`, id);
      setAlias(db, collection.id, 'latest', id);
      if (a.manifest) saveManifest(db, id, a.manifest, a.now);
    }
    if (a.runId) db.prepare('INSERT OR IGNORE INTO artifact_outputs (run_id, artifact_id) VALUES (?, ?)').run(a.runId, artifact.id);
    for (const alias of a.aliases ?? []) if (!isVersionAlias(alias)) setAlias(db, collection.id, alias, artifact.id);
    for (const tag of a.tags ?? []) db.prepare('INSERT OR IGNORE INTO artifact_tags (artifact_id, name) VALUES (?, ?)').run(artifact.id, tag);
    return artifact;
  })();
}

/** Points an alias of a collection at an artifact version (moving it if held). */
export function setAlias(db: Db, collectionId: number, alias: string, artifactId: number): void {
  db.prepare(
    `INSERT INTO artifact_aliases (collection_id, alias, artifact_id) VALUES (?, ?, ?)
     ON CONFLICT (collection_id, alias) DO UPDATE SET artifact_id = excluded.artifact_id`,
  ).run(collectionId, alias, artifactId);
}

/** True for a version alias, "v" and a version index. */
export function isVersionAlias(alias: string): boolean {
  return /^v\d+$/.test(alias);
}

/** Records that a run used an artifact (once per run and artifact). */
export function useArtifact(db: Db, runId: number, artifactId: number, usedAs: string | null): void {
  db.prepare('INSERT OR IGNORE INTO artifact_usages (run_id, artifact_id, used_as) VALUES (?, ?, ?)').run(runId, artifactId, usedAs);
}

export interface ArtifactPage {
  rows: ArtifactRow[];
  cursors: string[];
  hasNextPage: boolean;
  totalCount: number;
}

/** A page of the artifacts a run logged, in the order it logged them (offset or keyset cursors, see PagingMode). */
export function listOutputArtifacts(db: Db, runId: number, args: { first?: number | null; after?: string | null }, paging: PagingMode = 'offset'): ArtifactPage {
  return page(
    db,
    `SELECT a.*, o.seq AS k FROM artifact_outputs o JOIN artifacts a ON a.id = o.artifact_id WHERE o.run_id = ?`,
    'SELECT count(*) AS n FROM artifact_outputs WHERE run_id = ?',
    'o.seq',
    runId,
    args,
    paging,
  );
}

/** A page of the artifacts a run used, in the order it used them (offset or keyset cursors, see PagingMode). */
export function listInputArtifacts(db: Db, runId: number, args: { first?: number | null; after?: string | null }, paging: PagingMode = 'offset'): ArtifactPage {
  return page(
    db,
    `SELECT a.*, u.seq AS k FROM artifact_usages u JOIN artifacts a ON a.id = u.artifact_id WHERE u.run_id = ?`,
    'SELECT count(*) AS n FROM artifact_usages WHERE run_id = ?',
    'u.seq',
    runId,
    args,
    paging,
  );
}

/** An artifact by id, or null. */
export function artifactById(db: Db, id: number): ArtifactRow | null {
  return (db.prepare('SELECT * FROM artifacts WHERE id = ?').get(id) as ArtifactRow | undefined) ?? null;
}

/**
 * An artifact of a project by "collection:version" or "collection:alias"
 * ("collection" alone means "collection:latest"), or null.
 */
export function artifactByName(db: Db, projectId: number, name: string): ArtifactRow | null {
  const sep = name.lastIndexOf(':');
  const collectionName = sep < 0 ? name : name.slice(0, sep);
  const ref = sep < 0 ? 'latest' : name.slice(sep + 1);
  const collection = db
    .prepare('SELECT id FROM artifact_collections WHERE project_id = ? AND name = ?')
    .get(projectId, collectionName) as { id: number } | undefined;
  if (!collection) return null;
  const version = /^v(\d+)$/.exec(ref);
  const row = version
    ? db.prepare('SELECT * FROM artifacts WHERE collection_id = ? AND version_index = ?').get(collection.id, Number(version[1]))
    : db
        .prepare('SELECT a.* FROM artifact_aliases l JOIN artifacts a ON a.id = l.artifact_id WHERE l.collection_id = ? AND l.alias = ?')
        .get(collection.id, ref);
  return (row as ArtifactRow | undefined) ?? null;
}

/** An artifact collection (W&B "sequence") by id. */
export function collectionById(db: Db, id: number): CollectionRow {
  return db.prepare('SELECT * FROM artifact_collections WHERE id = ?').get(id) as CollectionRow;
}

/** An artifact type by id. */
export function artifactTypeById(db: Db, id: number): ArtifactTypeRow {
  return db.prepare('SELECT * FROM artifact_types WHERE id = ?').get(id) as ArtifactTypeRow;
}

/** The aliases that point at an artifact. */
export function aliasesOf(db: Db, artifactId: number): AliasRow[] {
  return db.prepare('SELECT * FROM artifact_aliases WHERE artifact_id = ? ORDER BY alias').all(artifactId) as AliasRow[];
}

/** The tags of an artifact. */
export function tagsOf(db: Db, artifactId: number): string[] {
  return (db.prepare('SELECT name FROM artifact_tags WHERE artifact_id = ? ORDER BY name').all(artifactId) as { name: string }[]).map((t) => t.name);
}

/** The newest version of a collection, or null. */
export function latestArtifact(db: Db, collectionId: number): ArtifactRow | null {
  return (
    (db.prepare('SELECT * FROM artifacts WHERE collection_id = ? ORDER BY version_index DESC LIMIT 1').get(collectionId) as
      | ArtifactRow
      | undefined) ?? null
  );
}

// Private:

function page(
  db: Db,
  select: string,
  count: string,
  key: string,
  runId: number,
  args: { first?: number | null; after?: string | null },
  paging: PagingMode,
): ArtifactPage {
  const first = pageSize(args.first, 100, maxArtifactsPage);
  let after = 0;
  let offset = 0;
  if (args.after && paging === 'offset') offset = decodeOffsetCursor(args.after);
  else if (args.after) {
    const [k] = decodeCursor(args.after, 1);
    if (typeof k !== 'number') throw new QueryInputError('invalid cursor: expected a cursor returned by a previous page');
    after = k;
  }
  const rows = db.prepare(`${select} AND ${key} > ? ORDER BY ${key} LIMIT ? OFFSET ?`).all(runId, after, first + 1, offset) as (ArtifactRow & { k: number })[];
  const pageRows = rows.slice(0, first);
  return {
    rows: pageRows.map(({ k: _, ...r }) => r),
    cursors: pageRows.map((r, i) => (paging === 'offset' ? encodeOffsetCursor(offset + i) : encodeCursor([r.k]))),
    hasNextPage: rows.length > first,
    totalCount: (db.prepare(count).get(runId) as { n: number }).n,
  };
}
