import type { RunResolvers } from '../generated/wandb.js';
import { encodeRunId } from '../../../src/wandb/protocol.js';
import { historyKeys, lastRows, readEvents, readHistory, readSampledHistory, type SampledHistorySpec } from '../store/history.js';
import { countFiles, declareFile, listFiles } from '../store/files.js';
import { checkFileName } from '../access.js';
import { listInputArtifacts, listOutputArtifacts } from '../store/artifacts.js';
import { findSweep } from '../store/sweeps.js';
import { projectById } from '../store/accounts.js';
import { readLogLines } from '../store/logs.js';
import { QueryInputError } from '../runFilters.js';
import type { UserRow } from '../store/types.js';
import { connectionOf } from '../cursor.js';
import { parseWandbJson, setOwn } from '../wandbJson.js';

/** Rows in `historyTail` and `eventsTail` (wandb-core reads the last one). */
const tailRows = 10;

/** The most rows one history or events read returns; larger `samples` are clamped. */
export const maxSamples = 100_000;

export const Run: RunResolvers = {
  id: (r) => encodeRunId({ entity: r.entity_name, project: r.project_name, runId: r.name }),
  name: (r) => r.name,
  displayName: (r) => r.display_name,
  state: (r) => r.state,
  stopped: (r) => r.stop_requested === 1,
  projectId: (r) => String(r.project_id),
  project: (r, _, ctx) => projectById(ctx.db, r.project_id),
  user: (r, _, ctx) => (r.user_id === null ? null : (ctx.db.prepare('SELECT * FROM users WHERE id = ?').get(r.user_id) as UserRow)),
  tags: (r) => JSON.parse(r.tags) as string[],
  group: (r) => r.group_name,
  jobType: (r) => r.job_type,
  commit: (r) => r.commit_hash,
  notes: (r) => r.notes,
  description: (r) => r.description,
  host: (r) => r.host,
  sweepName: (r) => r.sweep_name,
  sweep: (r, _, ctx) => (r.sweep_name ? findSweep(ctx.db, r.project_id, r.sweep_name) : null),
  readOnly: () => false,
  createdAt: (r) => r.created_at,
  heartbeatAt: (r) => r.heartbeat_at,
  updatedAt: (r) => r.updated_at,
  config: (r, { keys }) => pick(r.config, keys),
  summaryMetrics: (r, { keys }) => pick(r.summary, keys),
  systemMetrics: (r) => r.system_metrics,
  historyLineCount: (r) => r.history_line_count,
  historyTail: (r, _, ctx) => JSON.stringify(lastRows(ctx.db, r.id, 'history', tailRows)),
  eventsLineCount: (r) => r.event_count,
  eventsTail: (r, _, ctx) => JSON.stringify(lastRows(ctx.db, r.id, 'events', tailRows)),
  wandbConfig: (r, { keys }) => JSON.stringify(only(wandbValue(r.config), keys)),
  historyKeys: (r, _, ctx) => historyKeys(ctx.db, r.id, r.last_step),
  history: (r, { samples, minStep, maxStep }, ctx) => readHistory(ctx.db, r.id, minStep ?? null, maxStep ?? null, clampSamples(samples, 500)),
  events: (r, { samples }, ctx) => readEvents(ctx.db, r.id, clampSamples(samples, 500)),
  sampledHistory: (r, { specs }, ctx) => specs.map((spec) => readSampledHistory(ctx.db, r.id, parseSpec(spec))),
  parquetHistory: (r, { liveKeys }, ctx) => ({ parquetUrls: [], liveData: liveRows(ctx.db, r.id, liveKeys) }),
  fileCount: (r, _, ctx) => countFiles(ctx.db, r.id),
  files: (r, args, ctx) => {
    if (r.upload_context && args.names) {
      const names = args.names.filter((n): n is string => typeof n === 'string').map(checkFileName);
      ctx.db.transaction(() => names.forEach((name) => declareFile(ctx.db, r.id, name, ctx.now())))();
    }
    return { ...connectionOf(listFiles(ctx.db, r.id, args, ctx.paging)), uploadHeaders: [] };
  },
  outputArtifacts: (r, args, ctx) => connection(listOutputArtifacts(ctx.db, r.id, args, ctx.paging)),
  inputArtifacts: (r, args, ctx) => connection(listInputArtifacts(ctx.db, r.id, args, ctx.paging)),
  logLineCount: (r) => r.log_line_count,
  logLines: (r, { last }, ctx) => ({
    edges: readLogLines(ctx.db, r.id, clampSamples(last, 100)).map((l) => ({
      node: { number: l.number, line: l.line, level: l.level, label: l.label, timestamp: l.timestamp },
    })),
  }),
};

// Private:

/** The JSON object text restricted to `keys` (all of it when keys is null). */
function pick(json: string, keys: readonly string[] | null | undefined): string {
  return keys ? JSON.stringify(only(parseWandbJson(json) as Record<string, unknown>, keys)) : json;
}

/** The object restricted to `keys` (all of it when keys is null). */
function only(all: Record<string, unknown>, keys: readonly string[] | null | undefined): Record<string, unknown> {
  if (!keys) return all;
  const some: Record<string, unknown> = {};
  for (const key of keys) if (Object.hasOwn(all, key)) setOwn(some, key, all[key]);
  return some;
}

/** The config's `_wandb` value (W&B's own keys, e.g. `t` once a run has started); {} when it has none. */
function wandbValue(config: string): Record<string, unknown> {
  const wrapped = (parseWandbJson(config) as Record<string, unknown>)._wandb;
  const value = typeof wrapped === 'object' && wrapped !== null && 'value' in wrapped ? (wrapped as { value: unknown }).value : wrapped;
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function clampSamples(samples: number | null | undefined, fallback: number): number {
  if (samples === null || samples === undefined) return fallback;
  if (samples < 0) throw new QueryInputError(`samples must be a non-negative integer, got ${samples}`);
  return Math.min(samples, maxSamples);
}

/** Parses a sampledHistory spec: {"keys": [...], "samples": n, "minStep"?: n, "maxStep"?: n}. */
function parseSpec(text: string): SampledHistorySpec {
  let spec: unknown;
  try {
    spec = typeof text === 'string' ? JSON.parse(text) : text;
  } catch {
    throw new QueryInputError(`sampledHistory spec is not valid JSON: ${JSON.stringify(String(text).slice(0, 80))}`);
  }
  const s = spec as Record<string, unknown>;
  if (typeof s !== 'object' || s === null || !Array.isArray(s.keys) || !s.keys.every((k) => typeof k === 'string')) {
    throw new QueryInputError('sampledHistory spec must be {"keys": [string, ...], "samples": number, "minStep"?: number, "maxStep"?: number}');
  }
  const int = (name: string, value: unknown): number | undefined => {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new QueryInputError(`sampledHistory spec "${name}" must be a number, got ${JSON.stringify(value)}`);
    return Math.floor(value);
  };
  return {
    keys: s.keys as string[],
    samples: clampSamples(int('samples', s.samples), 500),
    minStep: int('minStep', s.minStep),
    maxStep: int('maxStep', s.maxStep),
  };
}

/** parquetHistory's liveData: with nothing exported to parquet, every row is live, projected to `liveKeys`. */
function liveRows(db: import('../store/db.js').Db, runId: number, liveKeys: readonly string[]): Record<string, unknown>[] {
  if (liveKeys.length === 1 && liveKeys[0] === '_step') {
    return (db.prepare('SELECT step FROM history WHERE run_id = ? ORDER BY step').pluck().all(runId) as number[]).map((step) => ({ _step: step }));
  }
  const rows: Record<string, unknown>[] = [];
  for (const text of db.prepare('SELECT row FROM history WHERE run_id = ? ORDER BY step').pluck().iterate(runId) as Iterable<string>) {
    const row = parseWandbJson(text) as Record<string, unknown>;
    const live: Record<string, unknown> = {};
    for (const key of liveKeys) if (Object.hasOwn(row, key)) setOwn(live, key, row[key]);
    if (Object.keys(live).length > 0) rows.push(live);
  }
  return rows;
}

function connection(page: ReturnType<typeof listOutputArtifacts>) {
  return { totalCount: page.totalCount, ...connectionOf(page) };
}

