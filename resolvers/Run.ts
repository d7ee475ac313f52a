import type { RunResolvers, RunSampledHistoryArgs, RunState } from '../src/generated/subgraph.js';
import type { Context } from '../src/context.js';
import type { RunParent } from '../src/loaders/runLoader.js';
import type { RunField } from '../src/wandb/batch.js';
import { encodeRunId, decodeRunId, type RunRef } from '../src/wandb/ids.js';
import { parseRunPath, inRange, runPath } from '../src/wandb/paths.js';
import { checkedList, checkedValue, failsAlone, parseUpstreamJson, untrusted } from '../src/wandb/trust.js';
import { argumentGiven, artifactsField, filesField, historyWindowsSelected, runDetailsSelected, sampledHistoryField, selects } from '../src/graphql/selection.js';
import { firstWindowField, planHistoryPage, readHistoryPage } from '../src/history/history.js';
import { claimWindows, hasWindow, rememberWindow } from '../src/history/readAhead.js';
import { hasEnded, hintIfEnded } from '../src/graphql/cacheHints.js';
import { sampleTargets } from '../src/history/sampling.js';
import type { RunFileConnectionParent } from './RunFileConnection.js';
import type { ArtifactConnectionParent } from './ArtifactConnection.js';
import type { FileFieldsFragment } from '../src/generated/upstream.js';

const states: Record<string, RunState> = {
  pending: 'PENDING',
  running: 'RUNNING',
  finished: 'FINISHED',
  crashed: 'CRASHED',
  failed: 'FAILED',
  killed: 'KILLED',
  preempting: 'PREEMPTING',
  preempted: 'PREEMPTED',
};

export const Run: RunResolvers = {
  __resolveReference: (reference, ctx, info) => {
    const ref = 'path' in reference && typeof reference.path === 'string' ? safe(() => parseRunPath(reference.path as string)) : 'id' in reference ? decodeRunId(String(reference.id)) : null;
    return ref ? ctx.loaders.runLoader.load({ ref, details: runDetailsSelected(info), prefetch: historyWindowsSelected(info) }) : null;
  },
  id: (r) => r.id || encodeRunId(refOf(r)),
  path: (r) => runPath(refOf(r)),
  entity: (r) => r.entity,
  project: (r) => r.project,
  runId: (r) => r.name,
  displayName: (r) => r.displayName,
  state: (r, _, ctx, info) => {
    const state = states[typeof r.state === 'string' ? r.state.toLowerCase() : ''];
    if (state) return state;
    // A state the schema does not know fails this field of this run only: UNKNOWN keeps the
    // non-null field (and so the page) whole, and the error says why, at this field's path.
    return failsAlone(ctx, info, 'UNKNOWN', () => {
      throw untrusted('W&B reported a run state this subgraph does not know');
    });
  },
  url: (r, _, ctx) => runUrl(ctx, r),
  createdAt: (r) => isoDate(r.createdAt)!,
  heartbeatAt: (r) => isoDate(r.heartbeatAt),
  notes: (r) => r.notes,
  tags: (r) => r.tags ?? [],
  group: (r) => r.group,
  jobType: (r) => r.jobType,
  commit: (r) => r.commit,
  username: (r) => r.user?.username ?? null,
  sweep: (r, _, ctx) => (r.sweepName ? ctx.loaders.sweepLoader.load({ entity: r.entity, project: r.project, name: r.sweepName }) : null),
  config: async (r, { keys }, ctx, info) => {
    const raw = r.config ?? ((await field(ctx, r, { kind: 'config', keys: keys ?? null })) as string | null);
    return failsAlone(ctx, info, {}, () => pick(unwrapConfig(parseObject(raw, 'config')), keys));
  },
  summary: async (r, { keys }, ctx, info) => {
    const raw = r.summaryMetrics ?? ((await field(ctx, r, { kind: 'summary', keys: keys ?? null })) as string | null);
    return failsAlone(ctx, info, {}, () => pick(parseObject(raw, 'summary'), keys));
  },
  systemMetrics: async (r, _, ctx, info) => {
    const raw = r.systemMetrics ?? ((await field(ctx, r, { kind: 'systemMetrics' })) as string | null);
    return failsAlone(ctx, info, {}, () => parseObject(raw, 'system metrics'));
  },
  historyKeys: async (r, _, ctx, info) => {
    hintIfEnded(info, r);
    const keys = (await historyKeysOf(ctx, r)).keys ?? {};
    return Object.keys(keys)
      .sort()
      .map((key) => ({ key, types: (keys[key].typeCounts ?? []).map((t) => t.type) }));
  },
  lastStep: async (r, _, ctx) => {
    const last = (await historyKeysOf(ctx, r)).lastStep;
    return typeof last === 'number' && last >= 0 ? last : null;
  },
  sampledHistory: (r, args, ctx) => sampledHistory(r, args, ctx),
  history: async (r, args, ctx, info) => {
    const plan = planHistoryPage({ ...args, firstGiven: argumentGiven(info, 'first') });
    hintIfEnded(info, r);
    const hk = await historyKeysOf(ctx, r);
    const lastStep = typeof hk.lastStep === 'number' ? hk.lastStep : -1;
    // Rows keep _timestamp/_runtime only when asked for, as sampledHistory projects to the keys.
    const extras = plan.keys ? (['timestamp', 'runtime'] as const).filter((f) => selects(info, ['edges', 'node'], f)).map((f) => `_${f}`) : [];
    const density = plan.keys ? densityOf(hk, plan.keys, lastStep) : 1;
    const context = { lastStep, minStep: args.minStep ?? null, maxStep: args.maxStep ?? null, density, extras, prefetched: r.prefetched };
    const { rows, hasNextPage, hasPreviousPage } = await readHistoryPage((f) => field(ctx, r, f), plan, context);
    if (hasNextPage && !plan.backward && hasEnded(r)) readAheadNextPage(ctx, r, plan.keys, rows[rows.length - 1].step + 1, plan.size, args.maxStep ?? null);
    return { rows, keys: plan.keys, hasNextPage, hasPreviousPage };
  },
  file: async (r, { name }, ctx) => {
    const page = (await field(ctx, r, { kind: 'files', names: [name], first: 1, after: null })) as FilesPage;
    return page?.edges[0]?.node ?? null;
  },
  files: async (r, { names, first, after }, ctx, info) => {
    const upstream = filesField({ names, first, after });
    const wantsCount = selects(info, [], 'totalCount');
    const [page, count] = await Promise.all([
      field(ctx, r, upstream) as Promise<FilesPage>,
      // With names, W&B counts all the run's files; the named ones are counted below instead.
      wantsCount && !names ? (field(ctx, r, { kind: 'fileCount' }) as Promise<number | null>) : Promise.resolve(null),
    ]);
    const parent: RunFileConnectionParent = {
      files: page?.edges.map((e) => e.node).filter((n): n is FileFieldsFragment => n !== null) ?? [],
      cursors: page?.edges.map((e) => e.cursor) ?? [],
      hasNextPage: page?.pageInfo.hasNextPage ?? false,
      hasPreviousPage: after != null,
      totalCount: names ? null : (count ?? 0),
      countNamed: names ? () => countNamed(ctx, r, names) : null,
    };
    return parent;
  },
  loggedArtifacts: (r, args, ctx) => artifacts(r, 'outputArtifacts', args, ctx),
  usedArtifacts: (r, args, ctx) => artifacts(r, 'inputArtifacts', args, ctx),
  html: (r, { height, hidden }, ctx) => {
    inRange('height', height, 1, 10_000);
    const style = `border:none;width:100%;height:${height}px;${hidden ? 'display:none;' : ''}`;
    return `<iframe src="${escapeHtml(`${runUrl(ctx, r)}?jupyter=true`)}" style="${style}"></iframe>`;
  },
};

/**
 * Sampled history of one run: with keys, rows holding all of them
 * (upstream sampledHistory, x axis first); without keys, whole rows
 * (history) or system metrics (events).
 */
export async function sampledHistory(r: RunParent, args: RunSampledHistoryArgs, ctx: Context): Promise<unknown[]> {
  const upstream = sampledHistoryField(args);
  const keys = args.keys ?? [];
  if (upstream.kind === 'events') {
    // W&B's events take no keys: read them (up to the most W&B serves), keep those holding every
    // key, and sample evenly among them, keeping the first and last.
    const events = checkedList<string>(await field(ctx, r, upstream), upstream.samples, 'system metrics events').map((t) => {
      const row = parseUpstreamJson(t, 'a system metrics event');
      if (typeof row !== 'object' || row === null || Array.isArray(row)) throw untrusted('a system metrics event is not an object');
      return row as Record<string, unknown>;
    });
    if (keys.length === 0) return events;
    const samples = args.samples ?? 500;
    const holding = events.filter((row) => keys.every((k) => k in row));
    const chosen = holding.length <= samples ? holding : sampleTargets(0, holding.length - 1, samples).map((i) => holding[i]);
    return chosen.map((row) => pick(row, [...new Set([args.xAxis ?? '_step', ...keys])]));
  }
  // No more rows than asked for (counted before any is parsed), each of bounded depth.
  if (upstream.kind === 'history') return checkedList<string>(await field(ctx, r, upstream), upstream.samples, 'history').map((t) => parseUpstreamJson(t, 'a history row'));
  const asked = upstream.kind === 'sampledHistory' ? (JSON.parse(upstream.spec) as { samples: number }).samples : 0;
  return checkedValue(checkedList<unknown>(await field(ctx, r, upstream), asked, 'sampled history'), 'sampled history');
}

// Private:

/** Rows of an ended run's history read ahead of one caller's scan: at most 3 pages, at least 1. */
const readAheadRows = 3000;
/** Rows read ahead beyond that in a fleet (one more page of 1,000). */
const fleetExtraRows = 1100;

/**
 * Fetches, in the background, the first windows of the next pages (an
 * ended run's history does not change), guessing that each page ends
 * `first` steps later, as it does for a run logged every step; a wrong
 * guess only means that page asks W&B itself.
 */
function readAheadNextPage(ctx: Context, r: RunParent, keys: string[] | null, start: number, first: number, maxStep: number | null): void {
  if (!ctx.readAhead) return;
  const remembered = { cache: ctx.readAhead, principal: ctx.principal };
  const path = runPath(refOf(r));
  const lastStep = (r.historyKeys as { lastStep?: number } | null | undefined)?.lastStep ?? -1;
  // Memory stays bounded by the page size: big pages are read only one ahead. In a fleet, one page more:
  // a window crosses Redis before the replica serving its page has it.
  const rowsAhead = ctx.readAhead.shared ? readAheadRows + fleetExtraRows : readAheadRows;
  const depth = Math.min(3, Math.max(1, Math.floor(rowsAhead / (first + 1))));
  const next: RunField[] = [];
  for (let k = 0; k < depth; k++) {
    const from = start + k * first;
    if (from > lastStep) break;
    const f = firstWindowField(keys, from, first, maxStep);
    if (f) next.push(f);
  }
  const read = (mine: boolean[]) =>
    next.forEach((f, i) => {
      if (!mine[i]) return;
      const value = field(ctx, r, f);
      value.catch(() => {}); // a failed read-ahead only means that page asks W&B itself
      rememberWindow(remembered, path, f, value, (first + 1) * 64);
    });
  // In a fleet, the replicas agree (in Redis) on which one reads each window ahead.
  if (ctx.readAhead.shared) void claimWindows(remembered, path, next).then(read, () => {});
  else read(next.map((f) => !hasWindow(remembered, path, f)));
}

/** The most events read when filtering system metrics by key. */

interface FilesPage {
  edges: { cursor: string; node: FileFieldsFragment | null }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

interface HistoryKeysJson {
  lastStep?: number;
  keys?: Record<string, { typeCounts?: { type: string; count: number }[] }>;
}

function refOf(r: RunParent): RunRef {
  return { entity: r.entity, project: r.project, runId: r.name };
}

/** A field of the run from W&B: the value fetched with the run when there is one (see runFieldsAhead), else asked for. */
function field(ctx: Context, r: RunParent, f: RunField): Promise<unknown> {
  if (r.prefetched?.length) {
    const wanted = JSON.stringify(f);
    const ahead = r.prefetched.find((p) => JSON.stringify(p.field) === wanted);
    if (ahead) return Promise.resolve(ahead.value);
  }
  return ctx.loaders.runFieldLoader.load({ ref: refOf(r), field: f });
}

async function historyKeysOf(ctx: Context, r: RunParent): Promise<HistoryKeysJson> {
  const value = r.historyKeys !== undefined ? r.historyKeys : await field(ctx, r, { kind: 'historyKeys' });
  return (value ?? {}) as HistoryKeysJson;
}

/** Rows per step of the rarest key, from W&B's per-key value counts. */
function densityOf(hk: HistoryKeysJson, keys: readonly string[], lastStep: number): number {
  if (lastStep < 0) return 1;
  const counts = keys.map((k) => (hk.keys?.[k]?.typeCounts ?? []).reduce((n, t) => n + t.count, 0));
  return Math.max(Math.min(...counts) / (lastStep + 1), 1e-6);
}

async function artifacts(r: RunParent, kind: 'outputArtifacts' | 'inputArtifacts', args: { first: number; after?: string | null }, ctx: Context): Promise<ArtifactConnectionParent> {
  const page = (await field(ctx, r, artifactsField(kind, args))) as ArtifactConnectionParent['page'];
  return { page, hasPreviousPage: args.after != null };
}

async function countNamed(ctx: Context, r: RunParent, names: readonly string[]): Promise<number> {
  const page = (await field(ctx, r, { kind: 'files', names: [...names], first: names.length, after: null })) as FilesPage;
  return page?.edges.length ?? 0;
}

function parseObject(text: string | null | undefined, what: string): Record<string, unknown> {
  if (!text) return {};
  const value: unknown = parseUpstreamJson(text, `the run's ${what}`);
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** W&B stores config values as {value, desc}; the Python client unwraps them and hides _wandb and wandb_version. */
function unwrapConfig(raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (k === '_wandb' || k === 'wandb_version') continue;
    out[k] = typeof v === 'object' && v !== null && !Array.isArray(v) && 'value' in v ? (v as { value: unknown }).value : v;
  }
  return out;
}

function pick(obj: Record<string, unknown>, keys: readonly string[] | null | undefined): Record<string, unknown> {
  if (!keys) return obj;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (Object.hasOwn(obj, k)) out[k] = obj[k];
  return out;
}

/** W&B prints some dates without a zone; they are UTC. */
function isoDate(value: string | null | undefined): string | null {
  if (!value) return null;
  return /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
}

function runUrl(ctx: Context, r: RunParent): string {
  return `${ctx.appUrl}/${encodeURIComponent(r.entity)}/${encodeURIComponent(r.project)}/runs/${encodeURIComponent(r.name)}`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}
