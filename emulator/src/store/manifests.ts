import { createHash } from 'node:crypto';
import type { Db } from './db.js';
import type { ManifestRow } from './types.js';

/** One file of an artifact version: its path, base64 MD5 and size in bytes. */
export interface ManifestEntry {
  path: string;
  digest: string;
  size: number;
}

/**
 * W&B's manifest v1 JSON for these entries, as the Python client reads it
 * (`artifact_manifest_v1.py`): entries keyed by path.
 */
export function manifestJson(entries: readonly ManifestEntry[]): string {
  const contents: Record<string, { digest: string; size: number }> = {};
  for (const e of sortByPath(entries)) contents[e.path] = { digest: e.digest, size: e.size };
  return JSON.stringify({ version: 1, storagePolicy: 'wandb-storage-policy-v1', storagePolicyConfig: { storageLayout: 'V2' }, contents });
}

/**
 * The version digest the client computes from a manifest: hex MD5 of
 * "wandb-artifact-manifest-v1\n" then "<path>:<digest>\n" per entry, sorted
 * by path (code point order, as Python sorts strings).
 */
export function manifestDigest(entries: readonly ManifestEntry[]): string {
  const hash = createHash('md5').update('wandb-artifact-manifest-v1\n');
  for (const e of sortByPath(entries)) hash.update(`${e.path}:${e.digest}\n`, 'utf8');
  return hash.digest('hex');
}

/** Stores the manifest of an artifact version (replacing any). */
export function saveManifest(db: Db, artifactId: number, entries: readonly ManifestEntry[], now: string): void {
  db.prepare('INSERT OR REPLACE INTO artifact_manifests (artifact_id, digest, content, created_at) VALUES (?, ?, ?, ?)').run(
    artifactId,
    manifestDigest(entries),
    Buffer.from(manifestJson(entries), 'utf8'),
    now,
  );
}

/** The manifest of an artifact version (without its bytes), or null when it has none. */
export function manifestOf(db: Db, artifactId: number): ManifestRow | null {
  const row = db.prepare('SELECT artifact_id, digest, content, created_at FROM artifact_manifests WHERE artifact_id = ?').get(artifactId) as
    | { artifact_id: number; digest: string; content: Buffer; created_at: string }
    | undefined;
  if (!row) return null;
  return {
    artifact_id: row.artifact_id,
    digest: row.digest,
    size: row.content.length,
    md5: createHash('md5').update(row.content).digest('base64'),
    created_at: row.created_at,
  };
}

/** The manifest JSON bytes of an artifact version, or null. */
export function manifestContent(db: Db, artifactId: number): Buffer | null {
  return (db.prepare('SELECT content FROM artifact_manifests WHERE artifact_id = ?').pluck().get(artifactId) as Buffer | undefined) ?? null;
}

/** The base64 MD5 of some bytes, as manifests and W&B file records hold it. */
export function b64md5(data: string | Buffer): string {
  return createHash('md5').update(data).digest('base64');
}

// Private:

function sortByPath(entries: readonly ManifestEntry[]): ManifestEntry[] {
  return [...entries].sort((a, b) => Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')));
}
