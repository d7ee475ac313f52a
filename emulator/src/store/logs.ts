import type { Db } from './db.js';

export interface LogLineRow {
  number: number;
  line: string;
  level: string | null;
  label: string | null;
  timestamp: string | null;
}

/**
 * Stores console lines (output.log through filestream) at line number
 * `offset`. A W&B console line starts with "ERROR " for stderr and may carry
 * an ISO timestamp prefix; the rest is the text.
 */
export function appendLogLines(db: Db, runId: number, offset: number, lines: readonly string[]): void {
  const insert = db.prepare('INSERT OR IGNORE INTO log_lines (run_id, number, line, level, label, timestamp) VALUES (?, ?, ?, ?, ?, ?)');
  let added = 0;
  lines.forEach((raw, i) => {
    const error = raw.startsWith('ERROR ');
    let text = error ? raw.slice(6) : raw;
    const ts = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z?) (.*)$/s.exec(text);
    if (ts) text = ts[2];
    added += insert.run(runId, offset + i, text, error ? 'error' : 'info', null, ts ? ts[1] : null).changes;
  });
  db.prepare('UPDATE runs SET log_line_count = log_line_count + ? WHERE id = ?').run(added, runId);
}

/** The last `last` console lines of a run, oldest first. */
export function readLogLines(db: Db, runId: number, last: number): LogLineRow[] {
  return (
    db.prepare('SELECT number, line, level, label, timestamp FROM log_lines WHERE run_id = ? ORDER BY number DESC LIMIT ?').all(runId, last) as LogLineRow[]
  ).reverse();
}
