import type { Db } from './db.js';
import type { SweepRow } from './types.js';

/** A project's sweep by name, or null. */
export function findSweep(db: Db, projectId: number, name: string): SweepRow | null {
  return (db.prepare('SELECT * FROM sweeps WHERE project_id = ? AND name = ?').get(projectId, name) as SweepRow | undefined) ?? null;
}

/** Creates a sweep and returns it. */
export function createSweep(
  db: Db,
  s: Omit<SweepRow, 'id' | 'updated_at'>,
): SweepRow {
  const id = db
    .prepare(
      `INSERT INTO sweeps (project_id, name, display_name, method, state, description, best_loss, config, run_count_expected, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(s.project_id, s.name, s.display_name, s.method, s.state, s.description, s.best_loss, s.config, s.run_count_expected, s.created_at, s.created_at).lastInsertRowid;
  return db.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow;
}

/** The number of a sweep's runs. */
export function sweepRunCount(db: Db, sweep: SweepRow): number {
  return (db.prepare('SELECT count(*) AS n FROM runs WHERE project_id = ? AND sweep_name = ?').get(sweep.project_id, sweep.name) as { n: number }).n;
}
