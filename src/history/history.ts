import type { RunField } from '../wandb/documents.js';
import { sampleTargets } from './sampling.js';
import { badInput, codedError } from '../errors.js';
import { rawItems, rawOr, rawText, type RawJsonSink } from '../graphql/rawJson.js';
import { RawRows } from '../wandb/carve.js';
import { checkedList, checkedStep, checkedValue, untrusted, upstreamJsonText } from '../wandb/trust.js';
import { decodeCursor } from '../wandb/cursor.js';
import { isFlatRow } from '../wandb/jsonText.js';
import { inRange } from '../wandb/paths.js';
import { isObject, setOwn } from '../objects.js';

/** The most rows one history page may hold (`first` or `last`). */
export const MAX_HISTORY_PAGE = 10_000;

/** A history row with its step (and, for a whole row, W&B's text of it). */
export interface StepRow {
  step: number;
  row: Record<string, unknown>;
  text?: string;
}

export interface HistoryScan {
  /** Keys to return, or null for whole rows. */
  keys: string[] | null;
  /** Keys added to each keyed row where the row holds them (e.g. _timestamp), without excluding rows that do not. */
  extras?: string[];
  /** First step to read (inclusive) and end (exclusive). */
  start: number;
  end: number;
  /** Rows wanted. */
  first: number;
  /** Expected rows per step for these keys (1 for whole rows), from W&B's key counts. */
  density: number;
  /** Windows already fetched with the run (see windowField); used instead of asking again. */
  prefetched?: readonly { field: RunField; value: unknown }[];
}

/** The keys a history connection reads: null for whole rows, else the distinct keys. */
export function historyKeysWanted(keys: readonly string[] | null | undefined): string[] | null {
  return keys && keys.length > 0 ? [...new Set(keys)] : null;
}

/**
 * The upstream field that reads the window [lo, hi) with up to `samples`
 * rows: `history` for whole rows, else `sampledHistory` over the keys with
 * _step added (so rows can be ordered and paged) and W&B's inclusive maxStep.
 */
export function windowField(keys: readonly string[] | null, lo: number, hi: number, samples: number): RunField {
  if (keys === null) return { kind: 'history', minStep: lo, maxStep: hi, samples };
  return { kind: 'sampledHistory', spec: JSON.stringify({ keys: ['_step', ...keys.filter((k) => k !== '_step')], minStep: lo, maxStep: hi - 1, samples }) };
}

/** The first window a history connection reads from `start`: what the run lookup may fetch ahead. */
export function firstWindowField(keys: readonly string[] | null, start: number, first: number, maxStep: number | null): RunField | null {
  const hi = Math.min(start + first + 1, maxStep ?? Infinity);
  return hi > start ? windowField(keys, start, hi, hi - start) : null;
}

/**
 * Reads history rows in step order from `start`, in upstream step windows,
 * until `first + 1` rows are found or `end` is passed; the extra row tells
 * whether a next page exists.
 *
 * Each window asks W&B for at most 2 × (first + 1) samples. When a window
 * comes back full, W&B may have sampled it (dropping rows), so it is thrown
 * away and read again four times narrower; otherwise every row of the
 * window is there. Windows are sized from the keys' density (a key logged
 * every 50 steps gets 50× wider windows, a key logged once spans the run
 * in one window) and resized from what came back, so pages are never empty
 * while rows remain and memory is bounded by the page size, never by the
 * run's length.
 */
export async function scanHistory(load: (field: RunField) => Promise<unknown>, scan: HistoryScan): Promise<{ rows: StepRow[]; hasNextPage: boolean }> {
  const need = scan.first + 1;
  const maxSamples = 2 * need;
  const rows: StepRow[] = [];
  let start = scan.start;
  const ahead = prefetchedWindows(scan);
  // A window fetched with the run sets the first window's size, so it can be used as is.
  let window = ahead.find((w) => w.lo === start)?.size ?? Math.max(1, Math.ceil(need / Math.max(scan.density, 1e-12)));
  while (rows.length < need && start < scan.end) {
    const hi = Math.min(start + window, scan.end);
    const size = hi - start;
    const samples = Math.min(size, maxSamples);
    const got = await readWindow(load, scan, start, hi, samples, ahead);
    if (got === null) {
      window = Math.max(1, Math.floor(size / 4));
      continue;
    }
    for (const r of got) if (rows.length < need) rows.push(r);
    start = hi;
    const remaining = need - rows.length;
    // Resize from what came back; an empty window (e.g. a dense-sized window fetched ahead over a
    // sparse key) falls back to the keys' density, growing at least fourfold.
    window = got.length === 0 ? Math.max(size * 4, Math.ceil(remaining / Math.max(scan.density, 1e-12))) : Math.max(1, Math.ceil((remaining * size) / got.length));
  }
  return { rows: rows.slice(0, scan.first), hasNextPage: rows.length > scan.first };
}

/** The arguments of `Run.history`, and whether `first` was given (it has a default). */
export interface HistoryPageArgs {
  keys?: readonly string[] | null;
  minStep?: number | null;
  maxStep?: number | null;
  first: number;
  firstGiven: boolean;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** Which rows a history page reads, from its arguments alone (before asking W&B anything). */
export interface HistoryPagePlan {
  /** Keys to return, or null for whole rows. */
  keys: string[] | null;
  /** The range's lowest step (inclusive): after the `after` row and from minStep (0 without either). */
  start: number;
  /** The range's end (exclusive) from maxStep and `before`; Infinity when neither bounds it. */
  end: number;
  /** Reads the last `size` rows of the range instead of the first. */
  backward: boolean;
  size: number;
  /** The end set by `before`, or null. */
  beforeStep: number | null;
}

/**
 * Checks a history page's arguments and tells which rows it reads.
 * BAD_USER_INPUT for `first` with `last`, sizes outside 1..10000, a
 * negative minStep, or a cursor that is not a history cursor.
 */
export function planHistoryPage(args: HistoryPageArgs): HistoryPagePlan {
  const backward = args.last != null;
  if (backward && args.firstGiven) throw badInput('history: give first or last, not both');
  const size = backward ? inRange('last', args.last!, 1, MAX_HISTORY_PAGE) : inRange('first', args.first, 1, MAX_HISTORY_PAGE);
  if (args.minStep != null && args.minStep < 0) throw badInput(`minStep must be ≥ 0, got ${args.minStep}`);
  // `after` moves the start on, never below minStep.
  const start = Math.max(args.after != null ? stepOfCursor(args.after) + 1 : 0, args.minStep ?? 0);
  const beforeStep = args.before != null ? stepOfCursor(args.before) : null;
  const end = Math.min(args.maxStep ?? Infinity, beforeStep ?? Infinity);
  return { keys: historyKeysWanted(args.keys), start, end, backward, size, beforeStep };
}

/** The step a history cursor stands for; BAD_USER_INPUT when it is not a history cursor. */
export function stepOfCursor(cursor: string): number {
  const text = decodeCursor('history', cursor);
  // The digits of a step as the cursor was written: no sign, space, hex or empty text that Number() would take.
  const step = /^(0|[1-9][0-9]{0,15})$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(step)) throw badInput('invalid history cursor');
  return step;
}

/**
 * Reads the page a plan describes, up to the run's last step: the first
 * `size` rows of the range in step order, or with `backward` the last
 * `size` rows (still in step order). `hasPreviousPage` is exact going
 * backward; going forward it tells whether the page starts after the
 * range's start. `hasNextPage` is exact going forward; going backward it
 * is true when `before` ended the range early.
 */
export async function readHistoryPage(
  load: (field: RunField) => Promise<unknown>,
  plan: HistoryPagePlan,
  context: { lastStep: number; minStep: number | null; maxStep: number | null; density: number; extras?: string[]; prefetched?: HistoryScan['prefetched'] },
): Promise<{ rows: StepRow[]; hasNextPage: boolean; hasPreviousPage: boolean }> {
  const runEnd = Math.min(context.maxStep ?? Infinity, context.lastStep + 1);
  const end = Math.min(plan.end, context.lastStep + 1);
  const scan: HistoryScan = { keys: plan.keys, extras: context.extras, start: plan.start, end, first: plan.size, density: context.density, prefetched: context.prefetched };
  if (!plan.backward) {
    const { rows, hasNextPage } = await scanHistory(load, scan);
    return { rows, hasNextPage, hasPreviousPage: plan.start > (context.minStep ?? 0) };
  }
  const { rows, hasPreviousPage } = await scanHistoryBackward(load, scan);
  return { rows, hasNextPage: plan.beforeStep !== null && end < runEnd, hasPreviousPage };
}

/**
 * The last `first` rows before `end` (and from `start`), in step order: the
 * windows of scanHistory read from the end down, with the same checks (a
 * full window is read again narrower, so no row is lost to sampling). At
 * most 3 × (first + 1) rows are held at once.
 */
export async function scanHistoryBackward(load: (field: RunField) => Promise<unknown>, scan: HistoryScan): Promise<{ rows: StepRow[]; hasPreviousPage: boolean }> {
  const need = scan.first + 1;
  const maxSamples = 2 * need;
  let rows: StepRow[] = [];
  let end = scan.end;
  let window = Math.max(1, Math.ceil(need / Math.max(scan.density, 1e-12)));
  while (rows.length < need && end > scan.start) {
    const lo = Math.max(scan.start, end - window);
    const size = end - lo;
    const samples = Math.min(size, maxSamples);
    const got = await readWindow(load, scan, lo, end, samples, []);
    if (got === null) {
      window = Math.max(1, Math.floor(size / 4));
      continue;
    }
    rows = [...got, ...rows].slice(-need);
    end = lo;
    const remaining = need - rows.length;
    window = got.length === 0 ? Math.max(size * 4, Math.ceil(remaining / Math.max(scan.density, 1e-12))) : Math.max(1, Math.ceil((remaining * size) / got.length));
  }
  return { rows: rows.slice(-scan.first), hasPreviousPage: rows.length > scan.first };
}

// Private:

/** A sampledHistory spec as this subgraph writes it (runCalls.ts, windowField). */
interface SampledSpec {
  keys: string[];
  minStep?: number;
  maxStep?: number;
  samples: number;
}

/** A sampledHistory call's spec, parsed once per call (every run of a page shares its call). */
function specOf(field: Extract<RunField, { kind: 'sampledHistory' }>): SampledSpec {
  let spec = specs.get(field);
  if (!spec) specs.set(field, (spec = JSON.parse(field.spec) as SampledSpec));
  return spec;
}

const specs = new WeakMap<RunField, SampledSpec>();

interface Ahead {
  keys: string | null;
  lo: number;
  size: number;
  field: RunField;
  value: unknown;
}

/**
 * Rows of an upstream window value (history: JSON text; sampledHistory:
 * objects), checked: no more rows than the samples asked for (counted
 * before any row is parsed), each row an object of bounded depth whose
 * step lies inside the window.
 */
export function stepRows(field: RunField, value: unknown): StepRow[] {
  if (field.kind === 'history') {
    const lo = field.minStep;
    let after = lo === null ? -1 : lo - 1;
    const hi = field.maxStep;
    return checkedList<unknown>(value, field.samples, 'history').map((t): StepRow => {
      // A flat row (the usual kind) is checked without being parsed; it is parsed if a field reads it.
      const flat = typeof t === 'string' ? flatRowStep(t) : undefined;
      let row: StepRow;
      if (flat !== undefined) row = new TextRow(checkedStep(flat, lo, hi, 'history'), t as string);
      else {
        // Its text may go out as it is (see upstreamJsonText).
        const { value: parsed, text } = upstreamJsonText(t as string, 'a history row');
        if (!isObject(parsed)) throw untrusted('a history row is not an object');
        row = { step: checkedStep(parsed._step, lo, hi, 'history'), row: parsed, text };
      }
      after = inStepOrder(row.step, after, 'history');
      return row;
    });
  }
  if (field.kind !== 'sampledHistory') throw untrusted(`a ${field.kind} value is not history`);
  const spec = specOf(field);
  let after = -1;
  return checkedList<unknown>(value, spec.samples, 'sampled history').map((row) => {
    const r = sampledRow(row);
    const step = checkedStep(r._step, spec.minStep ?? null, spec.maxStep === undefined ? null : spec.maxStep + 1, 'sampled history');
    after = inStepOrder(step, after, 'sampled history');
    return { step, row: r };
  });
}

/** A sampled history row W&B sent (parsed): an object, of bounded depth. */
function sampledRow(row: unknown): Record<string, unknown> {
  if (!isObject(row)) throw untrusted('a sampled history row is not an object');
  return checkedValue(row, 'a sampled history row');
}

/** `step` when it follows `after` (rows come once each, in step order); a repeated or earlier step fails the answer. */
function inStepOrder(step: number, after: number, what: string): number {
  if (step <= after) throw untrusted(`${what}: rows are not in step order, or a step repeats`);
  return step;
}

/** A whole row checked as text (JSON of one flat object): parsed only when read. */
class TextRow implements StepRow {
  private parsed: Record<string, unknown> | undefined;
  constructor(
    readonly step: number,
    readonly text: string,
  ) {}

  get row(): Record<string, unknown> {
    return (this.parsed ??= JSON.parse(this.text) as Record<string, unknown>);
  }
}

/**
 * The _step of a history row's text when the row is one flat object (see
 * isFlatRow) with one "_step" key; undefined otherwise (the row is then
 * parsed and checked in full). In a flat row no string holds a quote, so
 * `"_step":` can only be that key.
 */
function flatRowStep(text: string): number | undefined {
  const at = text.indexOf('"_step":');
  if (at < 0 || text.indexOf('"_step":', at + 8) >= 0 || !isFlatRow(text)) return undefined;
  const from = at + 8;
  let to = from;
  for (let c = text.charCodeAt(to); c !== 44 /* , */ && c !== 125 /* } */; c = text.charCodeAt(++to));
  const step = Number(text.slice(from, to));
  return Number.isNaN(step) || text.charCodeAt(from) === 34 /* " */ ? undefined : step;
}

/** The signature of a keyed window's keys (as windowField orders them), or null for whole rows. */
function signature(keys: readonly string[] | null): string | null {
  return keys === null ? null : JSON.stringify(['_step', ...keys.filter((k) => k !== '_step')]);
}

/** The complete windows fetched with the run (base rows and extras), by key signature. */
function prefetchedWindows(scan: HistoryScan): Ahead[] {
  return (scan.prefetched ?? []).flatMap(({ field, value }): Ahead[] => {
    if (field.kind === 'history' && scan.keys === null && field.minStep !== null && field.maxStep !== null && field.samples >= field.maxStep - field.minStep) {
      return [{ keys: null, lo: field.minStep, size: field.maxStep - field.minStep, field, value }];
    }
    if (field.kind === 'sampledHistory' && scan.keys !== null) {
      const spec = specOf(field);
      if (spec.minStep === undefined || spec.maxStep === undefined) return [];
      const size = spec.maxStep + 1 - spec.minStep;
      if (spec.samples >= size) return [{ keys: JSON.stringify(spec.keys), lo: spec.minStep, size, field, value }];
    }
    return [];
  });
}

/** The rows of [lo, hi) from a complete window fetched with the run, when one starts at lo and covers hi. */
function known(ahead: readonly Ahead[], keys: readonly string[] | null, lo: number, hi: number): StepRow[] | undefined {
  const sig = signature(keys);
  const w = ahead.find((a) => a.keys === sig && a.lo === lo && a.lo + a.size >= hi);
  if (!w) return undefined;
  const rows = stepRows(w.field, w.value);
  return w.lo + w.size === hi ? rows : rows.filter((r) => r.step < hi);
}

async function readWindow(
  load: (field: RunField) => Promise<unknown>,
  scan: HistoryScan,
  lo: number,
  hi: number,
  samples: number,
  ahead: readonly Ahead[],
): Promise<StepRow[] | null> {
  // A complete window fetched with the run, starting here and reaching at least hi, holds every row needed.
  let base = known(ahead, scan.keys, lo, hi);
  if (!base) {
    const field = windowField(scan.keys, lo, hi, samples);
    const value = await load(field);
    if (!Array.isArray(value)) throw codedError('UPSTREAM_UNAVAILABLE', 'W&B sent a history window that is not a list');
    // A full window may have been sampled: it is read again narrower, so its rows are not parsed.
    if (value.length >= samples && samples < hi - lo) return null;
    base = stepRows(field, value);
  }
  if (scan.keys === null) return base;
  // sampledHistory returns only rows holding every key of a spec: each extra key gets a spec of
  // its own, sent in the same upstream request, so rows without it are not lost.
  const extras = scan.extras ?? [];
  const more = await Promise.all(
    extras.map(async (x) => {
      const keys = [...scan.keys!, x];
      const field = windowField(keys, lo, hi, samples);
      return known(ahead, keys, lo, hi) ?? stepRows(field, await load(field));
    }),
  );
  const rows = base.map((r) => ({ step: r.step, row: { ...r.row } }));
  more.forEach((extraRows, i) => {
    const byStep = new Map(extraRows.map((r) => [r.step, r.row[extras[i]]]));
    for (const r of rows) if (byStep.has(r.step)) r.row[extras[i]] = byStep.get(r.step);
  });
  return rows;
}

/** W&B's historyKeys JSON: the last step and, per key, the types seen with their counts. */
export interface HistoryKeysJson {
  lastStep?: number;
  keys?: Record<string, { typeCounts?: { type: string; count: number }[] }>;
}

/** Most metric keys a run's historyKeys may list: beyond, the answer is refused, not read into a response. */
export const maxHistoryKeys = 50_000;

/**
 * W&B's historyKeys value, checked (once per value): an object whose
 * lastStep, when given, is a step (-1 when there is no history) and whose
 * keys, at most maxHistoryKeys, each list their types with whole counts.
 */
export function checkedHistoryKeys(value: unknown): HistoryKeysJson {
  if (value === null || value === undefined) return {};
  if (!isObject(value)) throw untrusted('historyKeys is not an object');
  if (checkedKeys.has(value)) return value as HistoryKeysJson;
  const { lastStep, keys } = value as { lastStep?: unknown; keys?: unknown };
  if (lastStep !== undefined && lastStep !== null && !(Number.isInteger(lastStep) && (lastStep as number) >= -1 && (lastStep as number) < 2 ** 31 - 1)) {
    throw untrusted('historyKeys has a lastStep that is not a step');
  }
  if (keys !== undefined && keys !== null) {
    if (!isObject(keys)) throw untrusted('historyKeys.keys is not an object');
    let n = 0;
    for (const key in keys) {
      if (++n > maxHistoryKeys) throw untrusted(`historyKeys lists more than ${maxHistoryKeys} keys`);
      const counts = (keys[key] as { typeCounts?: unknown } | null)?.typeCounts;
      if (!isObject(keys[key]) || (counts !== undefined && !(Array.isArray(counts) && counts.every(isTypeCount)))) throw untrusted("historyKeys has a malformed entry");
    }
  }
  checkedKeys.add(value);
  return value as HistoryKeysJson;
}

const checkedKeys = new WeakSet<object>();

function isTypeCount(t: unknown): boolean {
  return isObject(t) && typeof t.type === 'string' && Number.isSafeInteger(t.count) && (t.count as number) >= 0;
}

/** Rows per step of the rarest key, from W&B's per-key value counts. */
export function densityOf(hk: HistoryKeysJson, keys: readonly string[], lastStep: number): number {
  if (lastStep < 0) return 1;
  const counts = keys.map((k) => (hk.keys?.[k]?.typeCounts ?? []).reduce((n, t) => n + t.count, 0));
  return Math.max(Math.min(...counts) / (lastStep + 1), 1e-6);
}

/**
 * The rows of Run.sampledHistory from the call sampledHistoryCall chose:
 * upstream sampledHistory rows as they are; whole history rows as W&B's text; for
 * the SYSTEM stream, events holding every key, sampled evenly (keeping the
 * first and last) and projected to the x axis and the keys.
 */
export function sampledRows(
  field: RunField,
  value: unknown,
  args: { keys?: readonly string[] | null; samples?: number | null; xAxis?: string | null },
  raw?: RawJsonSink,
): unknown[] {
  if (field.kind === 'sampledHistory') {
    const asked = specOf(field).samples;
    if (value instanceof RawRows) {
      // Kept as W&B's text, checked when cut out (carve.ts): counted here.
      if (value.count > asked) throw untrusted(`sampled history has ${value.count} items, more than the ${asked} asked for`);
      if (!raw) return value.rows();
      return value.count === 0 ? [] : rawItems(raw, value.items());
    }
    // Rows with _step are checked as a history scan's are (objects, steps in the spec's window, in order); others as objects.
    if (specOf(field).keys.includes('_step')) return stepRows(field, value).map((r) => r.row);
    return checkedList<unknown>(value, asked, 'sampled history').map(sampledRow);
  }
  // Whole history rows, checked as a page's are (stepRows), go out as W&B's text.
  if (field.kind === 'history') return stepRows(field, value).map((r) => (raw ? rawText(raw, r.text!) : r.row));
  const texts = checkedList<string>(value, field.kind === 'events' ? field.samples : 0, 'system metrics events');
  // Each with the text that may go out as it is (see upstreamJsonText).
  const events = texts.map((t) => upstreamJsonText(t, 'a system metrics event'));
  const rows = events.map((e) => e.value as Record<string, unknown>);
  const keys = args.keys ?? [];
  if (!rows.every(isObject)) throw untrusted('a system metrics event is not an object');
  if (keys.length === 0) return rows.map((row, i) => rawOr(raw, events[i].text, row));
  const samples = args.samples ?? 500;
  const holding = rows.filter((row) => keys.every((k) => k in row));
  const chosen = holding.length <= samples ? holding : sampleTargets(0, holding.length - 1, samples).map((i) => holding[i]);
  const projection = [...new Set([args.xAxis ?? '_step', ...keys])];
  return chosen.map((row) => {
    const out: Record<string, unknown> = {};
    for (const k of projection) if (Object.hasOwn(row, k)) setOwn(out, k, row[k]);
    return out;
  });
}
