import type { Db } from './db.js';
import { sampleTargets } from '../../../src/wandb/protocol.js';
import { QueryInputError } from '../runFilters.js';
import { parseWandbJson, setOwn } from '../wandbJson.js';

/** One history row as logged, with its step. */
interface StepRow {
  step: number;
  row: string;
}

/**
 * Appends logged history rows (JSON object text, one per line as in
 * wandb-history.jsonl) to a run. A row without an integer `_step` gets the
 * next step. Rows are stored as their text; key sets and value types are
 * recorded for sampledHistory and historyKeys. Returns the rows stored.
 * Throws QueryInputError when a line is not a JSON object.
 */
export function appendHistory(db: Db, runId: number, lines: readonly string[]): number {
  if (lines.length === 0) return 0;
  const stmts = statements(db);
  const run = stmts.runStep.get(runId) as { last_step: number | null } | undefined;
  if (!run) throw new Error(`run ${runId} does not exist`);
  let lastStep = run.last_step ?? -1;
  const keysetIds = new Map<string, number>();
  const typeCounts = new Map<string, number>();
  let added = 0;
  for (const line of lines) {
    const value = parseObject(line);
    let text = line;
    const logged = value._step;
    let step: number;
    if (typeof logged === 'number' && Number.isInteger(logged) && logged >= 0) {
      step = logged;
    } else {
      step = lastStep + 1;
      value._step = step;
      text = JSON.stringify(value);
    }
    const keys = Object.keys(value).sort();
    const keysText = JSON.stringify(keys);
    let keysetId = keysetIds.get(keysText);
    if (keysetId === undefined) {
      stmts.insertKeyset.run(runId, keysText);
      keysetId = (stmts.keysetId.get(runId, keysText) as { id: number }).id;
      keysetIds.set(keysText, keysetId);
    }
    // A step logged again replaces its row; only new steps are counted.
    if (stmts.insertRow.run(runId, step, keysetId, text).changes > 0) added++;
    else stmts.replaceRow.run(keysetId, text, runId, step);
    for (const key of keys) {
      const id = `${key}\u0000${valueType(value[key])}`;
      typeCounts.set(id, (typeCounts.get(id) ?? 0) + 1);
    }
    if (step > lastStep) lastStep = step;
  }
  for (const [id, count] of typeCounts) {
    const [key, type] = id.split('\u0000');
    stmts.addTypeCount.run(runId, key, type, count);
  }
  stmts.updateRun.run(lastStep, added, runId);
  return added;
}

/**
 * W&B `Run.history(minStep, maxStep, samples)`: rows with minStep ≤ step <
 * maxStep as JSON text, all of them when they fit in `samples`, else an even
 * sample that keeps the first and last row.
 */
export function readHistory(db: Db, runId: number, minStep: number | null, maxStep: number | null, samples: number): string[] {
  return sampleRange(db, runId, null, minStep ?? 0, maxStep ?? Number.MAX_SAFE_INTEGER, samples).map((r) => r.row);
}

/** A `sampledHistory` spec as the client sends it (maxStep inclusive). */
export interface SampledHistorySpec {
  keys: string[];
  samples: number;
  minStep?: number;
  maxStep?: number;
}

/**
 * W&B `Run.sampledHistory` for one spec: only rows that hold every key, each
 * projected to those keys, sampled evenly within [minStep, maxStep].
 */
export function readSampledHistory(db: Db, runId: number, spec: SampledHistorySpec): Record<string, unknown>[] {
  const keysets = keysetsHolding(db, runId, spec.keys);
  if (keysets.length === 0) return [];
  const lo = spec.minStep ?? 0;
  const hi = spec.maxStep === undefined ? Number.MAX_SAFE_INTEGER : spec.maxStep + 1;
  return sampleRange(db, runId, keysets, lo, hi, spec.samples).map(({ row }) => {
    const value = parseWandbJson(row) as Record<string, unknown>;
    if (spec.keys.length === 0) return value;
    const projected: Record<string, unknown> = {};
    for (const key of spec.keys) setOwn(projected, key, value[key]);
    return projected;
  });
}

/** W&B `Run.historyKeys`: last step and the value types seen per key. */
export function historyKeys(db: Db, runId: number, lastStep: number | null): Record<string, unknown> {
  const rows = statements(db).typeCounts.all(runId) as { key: string; type: string; count: number }[];
  const keys: Record<string, { typeCounts: { type: string; count: number }[] }> = {};
  for (const { key, type, count } of rows) (keys[key] ??= { typeCounts: [] }).typeCounts.push({ type, count });
  return { lastStep: lastStep ?? -1, keys };
}

/** Appends system-metric rows (wandb-events.jsonl lines) at line number `offset`. */
export function appendEvents(db: Db, runId: number, offset: number, lines: readonly string[]): void {
  const stmts = statements(db);
  let latest: Record<string, unknown> | null = null;
  let added = 0;
  lines.forEach((line, i) => {
    latest = parseObject(line);
    if (stmts.insertEvent.run(runId, offset + i, line).changes > 0) added++;
  });
  if (latest) {
    const metrics: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(latest as Record<string, unknown>)) if (!k.startsWith('_')) metrics[k] = v;
    stmts.updateEvents.run(JSON.stringify(metrics), added, runId);
  }
}

/** W&B `Run.events(samples)`: system-metric rows as JSON text, sampled evenly. */
export function readEvents(db: Db, runId: number, samples: number): string[] {
  const stmts = statements(db);
  const head = stmts.eventsHead.all(runId, samples + 1) as StepRow[];
  if (head.length <= samples) return head.map((r) => r.row);
  const last = (stmts.eventsLast.get(runId) as { step: number }).step;
  return sampleTargets(head[0].step, last, samples)
    .map((t) => stmts.eventsSeek.get(runId, t) as StepRow)
    .filter(distinctSteps())
    .map((r) => r.row);
}

/** The last `n` history or system-metric rows' JSON text, in order (W&B `Run.historyTail`, `Run.eventsTail`). */
export function lastRows(db: Db, runId: number, of: 'history' | 'events', n: number): string[] {
  const stmts = statements(db);
  return ((of === 'history' ? stmts.historyTail : stmts.eventsTail).all(runId, n) as { row: string }[]).map((r) => r.row).reverse();
}

// Private:

function parseObject(line: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseWandbJson(line);
  } catch {
    throw new QueryInputError(`history line is not JSON: ${JSON.stringify(line.slice(0, 80))}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new QueryInputError(`history line is not a JSON object: ${JSON.stringify(line.slice(0, 80))}`);
  }
  return value as Record<string, unknown>;
}

/** The type name historyKeys reports: media objects by their `_type`. */
function valueType(value: unknown): string {
  if (value === null) return 'nil';
  if (Array.isArray(value)) return 'list';
  if (typeof value === 'object') {
    const t = (value as { _type?: unknown })._type;
    return typeof t === 'string' ? t : 'map';
  }
  return typeof value === 'number' ? 'number' : typeof value;
}

function keysetsHolding(db: Db, runId: number, keys: readonly string[]): number[] {
  const all = statements(db).keysets.all(runId) as { id: number; keys: string }[];
  return all
    .filter((k) => {
      const held = new Set(JSON.parse(k.keys) as string[]);
      return keys.every((key) => held.has(key));
    })
    .map((k) => k.id);
}

/**
 * Rows in [lo, hi) (restricted to `keysets` when given): all of them when at
 * most `samples`, else one seek per evenly spread target step. Reads at most
 * samples + 1 rows plus `samples` index seeks, whatever the run's length.
 */
function sampleRange(db: Db, runId: number, keysets: number[] | null, lo: number, hi: number, samples: number): StepRow[] {
  if (samples <= 0 || hi <= lo) return [];
  const q = rangeQueries(db, keysets?.length ?? 0);
  const ks = keysets ?? [];
  const head = q.head.all(runId, ...ks, lo, hi, samples + 1) as StepRow[];
  if (head.length <= samples) return head;
  const last = (q.last.get(runId, ...ks, lo, hi) as { step: number }).step;
  return sampleTargets(head[0].step, last, samples)
    .map((t) => q.seek.get(runId, ...ks, t, hi) as StepRow)
    .filter(distinctSteps());
}

function distinctSteps(): (r: StepRow | undefined) => r is StepRow {
  let previous = -1;
  return (r): r is StepRow => {
    if (!r || r.step === previous) return false;
    previous = r.step;
    return true;
  };
}

interface RangeQueries {
  head: import('better-sqlite3').Statement;
  last: import('better-sqlite3').Statement;
  seek: import('better-sqlite3').Statement;
}

const rangeCache = new WeakMap<Db, Map<number, RangeQueries>>();

/** Prepared range reads, by the number of key sets in the IN list (0 = all rows). */
function rangeQueries(db: Db, keysetCount: number): RangeQueries {
  let byCount = rangeCache.get(db);
  if (!byCount) rangeCache.set(db, (byCount = new Map()));
  let q = byCount.get(keysetCount);
  if (!q) {
    const ks = keysetCount === 0 ? '' : `AND keyset_id IN (${new Array(keysetCount).fill('?').join(',')})`;
    q = {
      head: db.prepare(`SELECT step, row FROM history WHERE run_id = ? ${ks} AND step >= ? AND step < ? ORDER BY step LIMIT ?`),
      last: db.prepare(`SELECT step FROM history WHERE run_id = ? ${ks} AND step >= ? AND step < ? ORDER BY step DESC LIMIT 1`),
      seek: db.prepare(`SELECT step, row FROM history WHERE run_id = ? ${ks} AND step >= ? AND step < ? ORDER BY step LIMIT 1`),
    };
    byCount.set(keysetCount, q);
  }
  return q;
}

const statementCache = new WeakMap<Db, ReturnType<typeof prepare>>();

function statements(db: Db) {
  let s = statementCache.get(db);
  if (!s) statementCache.set(db, (s = prepare(db)));
  return s;
}

function prepare(db: Db) {
  return {
    runStep: db.prepare('SELECT last_step FROM runs WHERE id = ?'),
    insertKeyset: db.prepare('INSERT OR IGNORE INTO history_keysets (run_id, keys) VALUES (?, ?)'),
    keysetId: db.prepare('SELECT id FROM history_keysets WHERE run_id = ? AND keys = ?'),
    keysets: db.prepare('SELECT id, keys FROM history_keysets WHERE run_id = ?'),
    insertRow: db.prepare('INSERT OR IGNORE INTO history (run_id, step, keyset_id, row) VALUES (?, ?, ?, ?)'),
    replaceRow: db.prepare('UPDATE history SET keyset_id = ?, row = ? WHERE run_id = ? AND step = ?'),
    addTypeCount: db.prepare(
      `INSERT INTO history_key_types (run_id, key, type, count) VALUES (?, ?, ?, ?)
       ON CONFLICT (run_id, key, type) DO UPDATE SET count = count + excluded.count`,
    ),
    updateRun: db.prepare(
      'UPDATE runs SET last_step = ?, history_line_count = history_line_count + ? WHERE id = ?',
    ),
    typeCounts: db.prepare('SELECT key, type, count FROM history_key_types WHERE run_id = ? ORDER BY key, type'),
    insertEvent: db.prepare('INSERT OR IGNORE INTO events (run_id, seq, row) VALUES (?, ?, ?)'),
    updateEvents: db.prepare(
      'UPDATE runs SET system_metrics = ?, event_count = event_count + ? WHERE id = ?',
    ),
    eventsHead: db.prepare('SELECT seq AS step, row FROM events WHERE run_id = ? ORDER BY seq LIMIT ?'),
    eventsLast: db.prepare('SELECT seq AS step FROM events WHERE run_id = ? ORDER BY seq DESC LIMIT 1'),
    historyTail: db.prepare('SELECT row FROM history WHERE run_id = ? ORDER BY step DESC LIMIT ?'),
    eventsTail: db.prepare('SELECT row FROM events WHERE run_id = ? ORDER BY seq DESC LIMIT ?'),
    eventsSeek: db.prepare('SELECT seq AS step, row FROM events WHERE run_id = ? AND seq >= ? ORDER BY seq LIMIT 1'),
  };
}
