/**
 * Which upstream calls each Run field makes, from its arguments: the one
 * mapping shared by the resolvers (which make the calls) and the planner
 * (selection.ts, which compiles the same calls into the document that
 * finds the run, so the resolvers find their values already there).
 * Invalid arguments throw BAD_USER_INPUT.
 */
import type { RunField } from '../wandb/documents.js';
import { decodeCursor } from '../wandb/cursor.js';
import { inRange } from '../wandb/paths.js';
import { firstWindowField, planHistoryPage, windowField, type HistoryPageArgs } from '../history/history.js';
import { kept } from '../memo.js';

/** The most events read when filtering system metrics by key. */
export const maxEvents = 10_000;

export interface SampledHistoryArgs {
  keys?: readonly string[] | null;
  samples?: number | null;
  xAxis?: string | null;
  stream?: string | null;
}

/**
 * sampledHistory (and RunConnection.histories): with keys, upstream
 * sampledHistory over them (x axis first); without keys, whole rows
 * (history); the SYSTEM stream reads events (all W&B serves when filtering by key).
 */
export function sampledHistoryCall(args: SampledHistoryArgs): RunField {
  const samples = inRange('samples', args.samples ?? 500, 1, 10_000);
  const keys = args.keys ?? [];
  if (args.stream === 'SYSTEM') return { kind: 'events', samples: keys.length === 0 ? samples : maxEvents };
  if (keys.length === 0) return { kind: 'history', minStep: null, maxStep: null, samples };
  // Every run of a page asks with the same arguments: one field for them all (its key computed once).
  const id = JSON.stringify([samples, args.xAxis ?? '_step', keys]);
  return kept(sampledCalls, id, 256, () => ({ kind: 'sampledHistory', spec: JSON.stringify({ keys: [...new Set([args.xAxis ?? '_step', ...keys])], samples }) }));
}

/** sampledHistory calls by arguments, the last 256 kept. */
const sampledCalls = new Map<string, RunField>();

/** Row fields (_timestamp, _runtime) a keyed history page adds to its rows, from the node fields selected. */
export function historyExtras(keys: readonly string[] | null, selected: { timestamp: boolean; runtime: boolean }): string[] {
  if (!keys) return [];
  return (['timestamp', 'runtime'] as const).filter((f) => selected[f]).map((f) => `_${f}`);
}

/**
 * The windows a history page's scan reads first (the page's rows and their
 * extras): fetched with the run. None for a page read backward (`last`),
 * which starts from the run's last step, not known yet.
 */
export function historyFirstCalls(args: HistoryPageArgs, selected: { timestamp: boolean; runtime: boolean }): RunField[] {
  const plan = planHistoryPage(args);
  if (plan.backward) return [];
  const end = Number.isFinite(plan.end) ? plan.end : null;
  const base = firstWindowField(plan.keys, plan.start, plan.size, end);
  if (!base) return [];
  const hi = Math.min(plan.start + plan.size + 1, end ?? Infinity);
  return [base, ...historyExtras(plan.keys, selected).map((x) => windowField([...plan.keys!, x], plan.start, hi, hi - plan.start))];
}

/** One file by name, reading the RunFile fields selected (`fields`). */
export function fileCall(name: string, fields: ReadonlySet<string>): RunField {
  return { kind: 'files', names: [name], first: 1, after: null, fields: [...fields].sort(), paging: false };
}

export interface FilesArgs {
  names?: readonly string[] | null;
  first: number;
  after?: string | null;
}

/**
 * A page of files reading the RunFile fields selected under edges.node
 * (`fields`), with W&B's cursors when `paging`; with totalCount, the count
 * (W&B's for all files, or the named ones read back).
 */
export function filesCalls(args: FilesArgs, withCount: boolean, fields: ReadonlySet<string>, paging: boolean): { page: RunField; count: RunField | null } {
  inRange('first', args.first, 1, 1000);
  // No names is all the files, as W&B reads an empty list (the Python client sends one for all).
  const names = args.names?.length ? [...args.names] : null;
  const page: RunField = { kind: 'files', names, first: args.first, after: args.after != null ? decodeCursor('files', args.after) : null, fields: [...fields].sort(), paging };
  if (!withCount) return { page, count: null };
  return { page, count: names ? { kind: 'files', names, first: names.length, after: null, fields: [], paging: false } : { kind: 'fileCount' } };
}

/**
 * A page of logged or used artifacts; `edges` false when only totalCount is
 * selected (no artifact is read), `paging` false when no cursor or page info is.
 */
export function artifactsCall(
  kind: 'outputArtifacts' | 'inputArtifacts',
  args: { first: number; after?: string | null },
  { edges, paging }: ConnectionReads,
): Extract<RunField, { kind: 'outputArtifacts' | 'inputArtifacts' }> {
  inRange('first', args.first, 1, 1000);
  return { kind, first: args.first, after: args.after != null ? decodeCursor('artifacts', args.after) : null, edges, paging };
}

/** What of a connection a query selects: its edges (or page info), and its cursors or page info. */
export interface ConnectionReads {
  edges: boolean;
  paging: boolean;
}

export const sweepCall: RunField = { kind: 'sweep' };
