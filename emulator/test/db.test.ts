import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDb, schemaVersion } from '../src/store/db.js';
import { migrations } from '../src/store/migrations.js';
import { addApiKey, apiKeysOf, createUser, ensureProject } from '../src/store/accounts.js';
import { createArtifact } from '../src/store/artifacts.js';

describe('emulator database', () => {
  it('applies every migration once, in WAL mode, and keeps data across reopening', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-db-'));
    try {
      const db = openDb(dir);
      expect(db.pragma('user_version', { simple: true })).toBe(schemaVersion);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      createUser(db, { username: 'u1', name: 'U One' });
      const secret = db.prepare(`SELECT value FROM meta WHERE key = 'signing_secret'`).pluck().get();
      db.close();
      const again = openDb(dir);
      expect(again.prepare('SELECT username FROM users').pluck().all()).toEqual(['u1']);
      expect(again.prepare(`SELECT value FROM meta WHERE key = 'signing_secret'`).pluck().get()).toBe(secret);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('migrates a database left at an older version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-db-'));
    try {
      const db = openDb(dir);
      const user = createUser(db, { username: 'u1', name: 'U One' });
      addApiKey(db, user.id, 'k'.repeat(40));
      const project = ensureProject(db, user.default_entity_id!, 'p', '2026-01-01T00:00:00Z');
      createArtifact(db, { projectId: project.id, typeName: 'dataset', collectionName: 'data', digest: 'a'.repeat(32), now: '2026-01-01T00:00:00Z' });
      // Roll back to version 1 by hand, as a database written by an older build.
      db.exec(`DROP TABLE artifact_outputs; DROP TABLE artifact_manifests; ALTER TABLE api_keys DROP COLUMN name; ALTER TABLE api_keys DROP COLUMN description;
               ALTER TABLE runs DROP COLUMN stop_requested; DELETE FROM artifact_aliases WHERE alias = 'v0'`);
      db.pragma('user_version = 1');
      db.close();
      const upgraded = openDb(dir);
      expect(upgraded.pragma('user_version', { simple: true })).toBe(migrations.length);
      expect(upgraded.prepare(`SELECT name FROM sqlite_master WHERE name = 'artifact_outputs'`).pluck().get()).toBe('artifact_outputs');
      expect(upgraded.prepare(`SELECT name FROM sqlite_master WHERE name = 'artifact_manifests'`).pluck().get()).toBe('artifact_manifests');
      expect(upgraded.prepare(`SELECT count(*) FROM pragma_table_info('runs') WHERE name = 'stop_requested'`).pluck().get()).toBe(1);
      // Version aliases are given to existing versions; keys get a label.
      expect(upgraded.prepare(`SELECT alias FROM artifact_aliases ORDER BY alias`).pluck().all()).toEqual(['latest', 'v0']);
      expect(apiKeysOf(upgraded, user.id).map((k) => k.name)).toEqual([expect.stringMatching(/^key-\d+$/)]);
      upgraded.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a database newer than this build', () => {
    const dir = mkdtempSync(join(tmpdir(), 'wandb-db-'));
    try {
      const db = openDb(dir);
      db.pragma(`user_version = ${schemaVersion + 1}`);
      db.close();
      expect(() => openDb(dir)).toThrow(/newer than this emulator/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads a history window through the (run, step) primary key', () => {
    const db = openDb(null);
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT step, row FROM history WHERE run_id = ? AND step >= ? AND step < ? ORDER BY step LIMIT ?').all(1, 0, 1000, 1001) as { detail: string }[];
    expect(plan.map((p) => p.detail).join(' ')).toMatch(/SEARCH history USING PRIMARY KEY \(run_id=\? AND step>\? AND step<\?\)/);
    db.close();
  });
});
