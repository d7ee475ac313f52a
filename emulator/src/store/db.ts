import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { migrations } from './migrations.js';
import { registerRegexp } from '../runFilters.js';

export type Db = Database.Database;

/**
 * Opens the emulator's database: `dataDir` holds `wandb.sqlite` (WAL), or
 * `null` keeps it in memory (tests). Applies pending migrations and makes
 * sure the signing secret exists.
 */
export function openDb(dataDir: string | null): Db {
  let db: Db;
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(join(dataDir, 'wandb.sqlite'));
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  } else {
    db = new Database(':memory:');
  }
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  registerRegexp(db);
  cacheStatements(db);
  migrate(db);
  db.prepare(`INSERT OR IGNORE INTO meta (key, value) VALUES ('signing_secret', ?)`).run(randomBytes(32).toString('hex'));
  return db;
}

/** The number of migrations this build knows. */
export const schemaVersion = migrations.length;

// Private:

/**
 * Makes `db.prepare` reuse compiled statements by SQL text (compiling one
 * costs tens of microseconds; the store prepares at each call for clarity).
 * At most 500 are kept, the least recently used dropped first.
 */
function cacheStatements(db: Db): void {
  const compile = db.prepare.bind(db);
  const cache = new Map<string, Database.Statement>();
  db.prepare = ((sql: string) => {
    let stmt = cache.get(sql);
    if (stmt) {
      cache.delete(sql);
    } else {
      stmt = compile(sql);
      if (cache.size >= 500) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, stmt);
    return stmt;
  }) as Db['prepare'];
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new Error(`database schema version ${current} is newer than this emulator (${migrations.length})`);
  }
  for (let v = current; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
