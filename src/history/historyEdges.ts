/**
 * A history page's rows as RunHistoryConnection edges. One object per row
 * serves as both the edge and its node (`node` is the object itself), and
 * each field is computed when read: a 1000-row page makes 1000 small
 * objects, no per-row closures, and no cursor, timestamp or runtime that
 * the query does not select.
 *
 * Whole rows kept as W&B's text, under a selection of plain fields (no
 * fragment, directive or repeated key), skip the executor: their edges are
 * written as text once, as the executor would print them, and placed in
 * the response after execution (rawJson.ts). Executing and printing 1000
 * edges, each with a marker to splice, costs several times more.
 */
import { Kind, responsePathAsArray, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';
import type { StepRow } from './history.js';
import { encodeCursor } from '../wandb/cursor.js';
import { rawItems, rawText, type RawJsonSink, type RawPlace } from '../graphql/rawJson.js';

/**
 * The largest page written as text. Larger pages (up to 10,000 rows) go
 * through the executor: measured on a scan of 300,000 steps with a 256 MB
 * heap, 10,000-row pages written as text peaked at 217-221 MB of RSS
 * against 197-201 MB through the executor (V8 ran fewer full collections
 * over the large texts), while pages of 1,000 rows peak alike either way.
 */
export const maxTextEdges = 1000;

/** A page of rows as Run.history read it. */
export interface HistoryPage {
  rows: readonly StepRow[];
  /** The keys asked for, or null for whole rows. */
  keys: readonly string[] | null;
  /** Where whole rows go as W&B's text (see rawJson.ts); parsed rows when absent. */
  raw?: RawJsonSink;
}

/**
 * The edges of a page: whole rows (as W&B's text when the page has a
 * sink), or only `keys`. With `places` and a plain selection, whole rows
 * kept as text resolve to [] and their text waits in `places`.
 */
export function historyEdges(page: HistoryPage, info: GraphQLResolveInfo, places: RawPlace[] | undefined): HistoryEdge[] {
  const { rows, keys, raw } = page;
  const plan = raw && places && keys === null && rows.length > 0 && rows.length <= maxTextEdges ? textPlan(info.fieldNodes) : null;
  const text = plan ? edgesText(rows, plan) : null;
  if (text !== null) {
    places!.push({ path: responsePathAsArray(info.path), value: rawItems(raw!, text) });
    return [];
  }
  const edges = new Array<HistoryEdge>(rows.length);
  for (let i = 0; i < rows.length; i++) edges[i] = new HistoryEdge(rows[i], page);
  return edges;
}

/** A history row as an edge (cursor, node) and as the row (step, timestamp, runtime, values). */
export class HistoryEdge {
  constructor(
    private readonly stepRow: StepRow,
    private readonly page: HistoryPage,
  ) {}

  get cursor(): string {
    return encodeCursor('history', this.stepRow.step);
  }

  get node(): this {
    return this;
  }

  get step(): number {
    return this.stepRow.step;
  }

  get timestamp(): number | null {
    return numberOr(this.stepRow.row._timestamp);
  }

  get runtime(): number | null {
    return numberOr(this.stepRow.row._runtime);
  }

  get values(): unknown {
    const { stepRow, page } = this;
    if (page.keys) {
      const row = stepRow.row;
      // fromEntries defines each key as its own property, "__proto__" included.
      return Object.fromEntries(page.keys.filter((k) => k in row).map((k) => [k, row[k]]));
    }
    // A row kept as text is parsed only when there is no sink to take its text.
    if (stepRow.text === undefined) return stepRow.row;
    return page.raw ? rawText(page.raw, stepRow.text) : stepRow.row;
  }
}

// Private:

/**
 * An edge's text as the executor would print it for one selection: the
 * constant text around each value the row gives (`texts` has one more
 * item than `values`).
 */
interface TextPlan {
  texts: string[];
  values: RowValue[];
}

type RowValue = 'cursor' | 'step' | 'timestamp' | 'runtime' | 'values';

const edgeFields = new Set(['cursor', 'node', '__typename']);
const rowFields = new Set(['step', 'timestamp', 'runtime', 'values', '__typename']);

/** The edges' selection as a text plan, or null when it is not plain; kept per document's field nodes. */
function textPlan(nodes: readonly FieldNode[]): TextPlan | null {
  let plan = plans.get(nodes);
  if (plan === undefined) {
    const built: TextPlan = { texts: [''], values: [] };
    plans.set(nodes, (plan = nodes.length === 1 && planFields(nodes[0].selectionSet, edgeFields, built) ? built : null));
  }
  return plan;
}

const plans = new WeakMap<readonly FieldNode[], TextPlan | null>();

/**
 * Adds a selection's object to `plan` when its selections are plain: fields
 * only, each response key once, no directive; under the edge's `node`,
 * row fields the same way. False otherwise.
 */
function planFields(set: SelectionSetNode | undefined, allowed: ReadonlySet<string>, plan: TextPlan): boolean {
  if (!set) return false;
  const keys = new Set<string>();
  const constant = (text: string) => (plan.texts[plan.texts.length - 1] += text);
  constant('{');
  for (const s of set.selections) {
    if (s.kind !== Kind.FIELD || s.directives?.length || !allowed.has(s.name.value)) return false;
    const key = s.alias?.value ?? s.name.value;
    if (keys.has(key)) return false;
    constant(`${keys.size > 0 ? ',' : ''}"${key}":`);
    keys.add(key);
    const name = s.name.value;
    if (name === '__typename') constant(allowed === edgeFields ? '"RunHistoryEdge"' : '"RunHistoryRow"');
    else if (name === 'node') {
      if (!planFields(s.selectionSet, rowFields, plan)) return false;
    } else {
      plan.values.push(name as RowValue);
      plan.texts.push('');
    }
  }
  constant('}');
  return true;
}

/**
 * The edges' text in pieces (joined when the response is printed), or null
 * when a row cannot be written so: not kept as text, a step beyond Int's
 * 32 bits, or a timestamp or runtime that is not finite (the executor
 * reports those as errors).
 */
function edgesText(rows: readonly StepRow[], plan: TextPlan): string[] | null {
  const { texts, values } = plan;
  const pieces = new Array<string>(rows.length * (2 * values.length + 2) - 1);
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    if (r.text === undefined || r.step > 2_147_483_647) return null;
    if (i > 0) pieces[n++] = ',';
    pieces[n++] = texts[0];
    for (let k = 0; k < values.length; k++) {
      const v = valueText(r, values[k]);
      if (v === null) return null;
      pieces[n++] = v;
      pieces[n++] = texts[k + 1];
    }
  }
  return pieces;
}

/** A row's value as printed (null: see edgesText). */
function valueText(r: StepRow, value: RowValue): string | null {
  if (value === 'values') return r.text!;
  if (value === 'step') return String(r.step);
  if (value === 'cursor') return `"${encodeCursor('history', r.step)}"`;
  const t = numberOr(r.row[value === 'timestamp' ? '_timestamp' : '_runtime']);
  if (t === null) return 'null';
  return Number.isFinite(t) ? JSON.stringify(t) : null;
}

function numberOr(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}
