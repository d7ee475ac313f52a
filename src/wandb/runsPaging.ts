/**
 * Runs paging that neither skips nor repeats on any W&B. W&B's own runs
 * cursors are offsets over an order whose ties are not broken, so runs
 * created or deleted while a client pages shift its pages. This subgraph
 * never sends them: a page after a cursor is asked for with a filter on the
 * order in use ($gt/$lt/$eq on the sort key), combined ($and) with the
 * caller's filters.
 *
 * The order served is a total order of levels: the caller's key, then (when
 * that key is not created_at) createdAt in the same direction, then the
 * run's name, compared here. Runs lacking the caller's key come last, in
 * either direction. A tie group cut by a page's end is read again whole with
 * $eq (a group of one createdAt second is bounded by W&B's run-creation rate
 * limit), so the cursor holds only the last run's values and name.
 */
import { badInput, codedError } from '../errors.js';
import type { RunDetailFlags } from '../graphql/selection.js';
import { RunsCursors, decodeRunsCursor, runsScope, type RunsPosition, type SortValue } from './runsCursor.js';
import { isObject } from '../objects.js';
import { finiteJson } from './nonFinite.js';

/** The fields of a run the order is read from (RunFields has them). */
export interface PagedRun {
  name: string;
  createdAt: string;
  heartbeatAt?: string | null;
  displayName?: string | null;
  config?: string | null;
  summaryMetrics?: string | null;
}

/** One upstream read: W&B's `project.runs(filters, order, first)` with no cursor. */
export type RunsRead<R> = (args: { filters: string; order: string; first: number }) => Promise<{ runs: R[]; hasNextPage: boolean }>;

/** The largest page W&B serves, and so the largest tie group this paging reads whole. */
export const maxUpstreamPage = 1000;

/** Upstream reads one page may take (levels, tie groups, runs lacking the key); more means W&B is not answering consistently. */
const maxReadsPerPage = 16;

/**
 * The heavy fields the order needs to be read, added to those the caller
 * selected: `config.lr.value` needs config key `lr`.
 */
export function withSortKey(details: RunDetailFlags, order: string): RunDetailFlags {
  const key = order.slice(1);
  const json = /^(config|summary_metrics)\.([^.]+)/.exec(key);
  if (!json) return details;
  const field = json[1] === 'config' ? 'config' : 'summary';
  const wanted = details[field];
  const keys = wanted === null ? null : [...new Set([...(wanted || []), json[2]])];
  return { ...details, [field]: keys };
}

/**
 * One page of runs under `order` (already checked, e.g. "-summary_metrics.loss")
 * after the cursor `after`, read from W&B with `read`, with a cursor per run
 * (encoded when read: most queries select none or only the last).
 * `filters` is the caller's filter as JSON text (already checked).
 */
export async function pageRuns<R extends PagedRun>(
  read: RunsRead<R>,
  args: { entity: string; project: string; filters: string; order: string; first: number; after: string | null },
): Promise<{ runs: R[]; cursors: RunsCursors; hasNextPage: boolean }> {
  const levels = levelsOf(args.order);
  const scope = runsScope(args.entity, args.project, args.filters);
  const position = args.after === null ? null : decodeRunsCursor(args.after, args.order, levels.length, scope);
  const pager = new Pager(read, levels, args.order, JSON.parse(args.filters) as Record<string, unknown>, args.first, scope);
  await pager.fill(position);
  return { runs: pager.out.map((o) => o.run), cursors: new RunsCursors(pager.out.map((o) => o.position)), hasNextPage: pager.more };
}

// Private:

interface Level {
  /** The key in W&B's filter language. */
  filterKey: string;
  /** The order string that reads this level. */
  order: string;
  desc: boolean;
  /** Runs may lack this key (read last, with {$eq: null}). */
  nullable: boolean;
  valueOf(run: PagedRun): SortValue;
}

const START = Symbol('start');

function levelsOf(order: string): Level[] {
  const desc = order.startsWith('-');
  const sign = desc ? '-' : '+';
  const createdAt: Level = { filterKey: 'createdAt', order: `${sign}created_at`, desc, nullable: false, valueOf: (r) => r.createdAt };
  const key = order.slice(1);
  if (key === 'created_at') return [createdAt];
  let first: Level;
  if (key === 'heartbeat_at') first = { filterKey: 'heartbeatAt', order, desc, nullable: true, valueOf: (r) => r.heartbeatAt ?? null };
  else if (key === 'display_name') first = { filterKey: 'displayName', order, desc, nullable: true, valueOf: (r) => r.displayName ?? null };
  else {
    // config.<k>[.value][.<more>] lives at {k: {value: …}}; summary_metrics.<path> as it is.
    const [field, top, ...more] = key.split('.');
    const path = field === 'config' ? [top, 'value', ...(more[0] === 'value' ? more.slice(1) : more)] : [top, ...more];
    const column = field === 'config' ? 'config' : 'summaryMetrics';
    first = { filterKey: key, order, desc, nullable: true, valueOf: (r) => valueAt(r[column] ?? null, path, r.name, order) };
  }
  return [first, createdAt];
}

/** The scalar at `path` in a run's JSON text; null when absent. */
function valueAt(text: string | null, path: readonly string[], run: string, order: string): SortValue {
  // W&B's text, NaN and ±Infinity made null (a run with a NaN metric sorts as lacking it).
  let value: unknown = text ? JSON.parse(finiteJson(text)) : null;
  for (const segment of path) {
    value = isObject(value) ? value[segment] : undefined;
  }
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  throw badInput(`run ${JSON.stringify(run)} holds a list or object under ${JSON.stringify(order.slice(1))}: runs can be paged only by a key holding numbers, strings or booleans`);
}

function same(a: SortValue, b: SortValue): boolean {
  return a === b;
}

/** Local order of values of one level (createdAt strings of one format, or names). */
function compare(a: SortValue, b: SortValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  if (typeof a !== typeof b) return typeof a < typeof b ? -1 : 1;
  return a < b ? -1 : 1;
}

class Pager<R extends PagedRun> {
  readonly out: { run: R; position: RunsPosition }[] = [];
  /** Whether runs remain after the page. */
  more = false;
  private reads = 0;
  private readonly served = new Set<string>();
  private readonly names: number;
  /** Reads of outer levels sent ahead, by level and position (see fill). */
  private readonly ahead = new Map<string, ReturnType<Pager<R>['fetch']>>();

  constructor(
    private readonly read: RunsRead<R>,
    private readonly levels: readonly Level[],
    private readonly order: string,
    private readonly filters: Record<string, unknown>,
    private readonly first: number,
    private readonly scope: string,
  ) {
    this.names = levels.length;
  }

  /** Fills the page from `position` (the start when null), resuming at its level and moving out level by level. */
  async fill(position: RunsPosition | null): Promise<void> {
    if (position === null) {
      if (await this.level([], 0, START)) this.more = false;
      return;
    }
    // A page that starts inside a tie group will likely need the levels
    // around it too: their reads are sent at once, so the page costs one
    // round trip (and at most one read per level that the page may not use).
    for (let r = position.resume - 1; r >= 0; r--) {
      const after = position.values[r];
      if (after === null) continue;
      const read = this.fetch(position.values.slice(0, r), this.beyond(this.levels[r], after), this.levels[r].order, this.first + 1);
      read.catch(() => undefined); // awaited later, or not needed
      this.ahead.set(JSON.stringify([r, position.values.slice(0, r + 1)]), read);
    }
    for (let r = position.resume; r >= 0; r--) {
      const done = r === this.names ? await this.group(position.values, position.name) : await this.level(position.values.slice(0, r), r, position.values[r]);
      if (!done) return;
    }
    this.more = false;
  }

  /**
   * Serves the runs of level `i` within `prefix` (the values of levels
   * 0..i-1) that come after `after`: the runs holding the key in the order's
   * direction, then those lacking it. A group of equal values that the read
   * cut is read again from its start one level deeper. Returns false once
   * the page is full, true when the level is exhausted.
   */
  private async level(prefix: SortValue[], i: number, after: SortValue | typeof START): Promise<boolean> {
    const level = this.levels[i];
    if (after === null) return true; // runs lacking the key come last: nothing after them at this level
    let from: SortValue | typeof START = after;
    let ahead = after === START ? undefined : this.ahead.get(JSON.stringify([i, [...prefix, after]]));
    for (;;) {
      const condition = from === START ? (level.nullable ? { [level.filterKey]: { $ne: null } } : null) : this.beyond(level, from);
      const { runs, hasNextPage } = await (ahead ?? this.fetch(prefix, condition, level.order, this.left() + 1));
      ahead = undefined;
      if (runs.length > 0 && this.left() === 0) return this.full();
      const groups: R[][] = [];
      for (const run of runs) {
        const value = level.valueOf(run);
        if (value === null) throw unexpected(`a run lacking ${level.filterKey} among runs asked to hold it`);
        const last = groups[groups.length - 1];
        if (last && same(level.valueOf(last[0]), value)) last.push(run);
        else groups.push([run]);
      }
      for (let g = 0; g < groups.length; g++) {
        const value = level.valueOf(groups[g][0]);
        const complete = !hasNextPage || g < groups.length - 1;
        if (complete) {
          if (!this.serveGroup(groups[g], prefix, i, value)) return false;
        } else if (this.left() === 0) return this.full();
        else if (!(await this.descend([...prefix, value], i))) return false;
        from = value;
      }
      if (!hasNextPage) break;
    }
    return level.nullable ? this.descend([...prefix, null], i) : true;
  }

  /** Serves the whole group `values` (levels 0..i fixed), read one level deeper or, at the last level, with $eq. */
  private descend(values: SortValue[], i: number): Promise<boolean> {
    return i + 1 < this.levels.length ? this.level(values, i + 1, START) : this.group(values, null);
  }

  /** Serves, by name, the runs holding `values` at every level, after `afterName` when given. */
  private async group(values: SortValue[], afterName: string | null): Promise<boolean> {
    const { runs, hasNextPage } = await this.fetch(values, null, this.levels[0].order, maxUpstreamPage);
    if (hasNextPage) {
      throw badInput(
        `more than ${maxUpstreamPage} runs share ${this.levels.map((l, i) => `${l.filterKey} ${JSON.stringify(values[i])}`).join(' and ')}: they cannot be paged under order ${JSON.stringify(this.order)} without repeats; narrow the filters`,
      );
    }
    if (runs.some((r) => this.levels.some((l, i) => !same(l.valueOf(r), values[i])))) throw unexpected('runs outside the tie group asked for');
    const desc = this.levels[0].desc;
    const sorted = [...runs].sort((a, b) => (desc ? -1 : 1) * compare(a.name, b.name));
    const rest = afterName === null ? sorted : sorted.filter((r) => (desc ? r.name < afterName : r.name > afterName));
    for (let j = 0; j < rest.length; j++) {
      if (this.left() === 0) return this.full();
      this.push(rest[j], { scope: this.scope, order: this.order, values, name: rest[j].name, resume: j + 1 < rest.length ? this.names : this.names - 1 });
    }
    return true;
  }

  /**
   * Serves a complete group of level `i`: sorted here by the deeper levels
   * and the name, each run with the level its successor differs at.
   */
  private serveGroup(runs: R[], prefix: SortValue[], i: number, value: SortValue): boolean {
    const deeper = this.levels.slice(i + 1);
    const desc = this.levels[0].desc;
    const key = (r: R) => [...deeper.map((l) => l.valueOf(r)), r.name];
    const sorted = [...runs].sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      for (let k = 0; k < ka.length; k++) {
        const c = compare(ka[k], kb[k]);
        if (c !== 0) return (desc ? -1 : 1) * c;
      }
      return 0;
    });
    for (let j = 0; j < sorted.length; j++) {
      if (this.left() === 0) return this.full();
      const run = sorted[j];
      const values = [...prefix, value, ...deeper.map((l) => l.valueOf(run))];
      let resume = i;
      const next = sorted[j + 1];
      if (next) {
        const differs = deeper.findIndex((l) => !same(l.valueOf(next), l.valueOf(run)));
        resume = differs < 0 ? this.names : i + 1 + differs;
      }
      this.push(run, { scope: this.scope, order: this.order, values, name: run.name, resume });
    }
    return true;
  }

  /** Adds a run to the page, once: a run W&B answers twice (it should not) is served the first time only. */
  private push(run: R, position: RunsPosition): void {
    if (this.served.has(run.name)) return;
    this.served.add(run.name);
    this.out.push({ run, position });
  }

  /** The condition for the runs after `value` at `level` that hold the key. */
  private beyond(level: Level, value: SortValue): Record<string, unknown> {
    return { [level.filterKey]: { [level.desc ? '$lt' : '$gt']: value } };
  }

  /** The page is full and a run remains after it. */
  private full(): false {
    this.more = true;
    return false;
  }

  private left(): number {
    return this.first - this.out.length;
  }

  /** Reads runs with the caller's filters, `values` fixed on the first levels ($eq), and `condition`. */
  private async fetch(values: SortValue[], condition: Record<string, unknown> | null, order: string, first: number) {
    if (++this.reads > maxReadsPerPage) throw unexpected(`more than ${maxReadsPerPage} reads for one page`);
    const conditions: Record<string, unknown>[] = values.map((v, i) => ({ [this.levels[i].filterKey]: { $eq: v } }));
    if (condition) conditions.push(condition);
    const caller = Object.keys(this.filters).length > 0 ? [this.filters] : [];
    const all = [...caller, ...conditions];
    const filters = all.length === 0 ? {} : all.length === 1 ? all[0] : { $and: all };
    return this.read({ filters: JSON.stringify(filters), order, first: Math.min(first, maxUpstreamPage) });
  }
}

function unexpected(what: string) {
  return codedError('UPSTREAM_UNAVAILABLE', `W&B answered a runs page inconsistently (${what})`);
}
