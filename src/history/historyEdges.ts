/**
 * A history page's rows as RunHistoryConnection edges. One object per row
 * serves as both the edge and its node (`node` is the object itself), and
 * each field is computed when read: a 1000-row page makes 1000 small
 * objects, no per-row closures, and no cursor, timestamp or runtime that
 * the query does not select.
 */
import type { StepRow } from './history.js';
import { encodeCursor } from '../wandb/cursor.js';
import { rawText, type RawJsonSink } from '../graphql/rawJson.js';

/** The edges of a page of `rows`: whole rows (as W&B's text when `raw` is given), or only `keys`. */
export function historyEdges(rows: readonly StepRow[], keys: readonly string[] | null, raw: RawJsonSink | undefined): HistoryEdge[] {
  const page: Page = { keys, raw };
  const edges = new Array<HistoryEdge>(rows.length);
  for (let i = 0; i < rows.length; i++) edges[i] = new HistoryEdge(rows[i], page);
  return edges;
}

/** A history row as an edge (cursor, node) and as the row (step, timestamp, runtime, values). */
export class HistoryEdge {
  constructor(
    private readonly stepRow: StepRow,
    private readonly page: Page,
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
    const t = this.stepRow.row._timestamp;
    return typeof t === 'number' ? t : null;
  }

  get runtime(): number | null {
    const t = this.stepRow.row._runtime;
    return typeof t === 'number' ? t : null;
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

interface Page {
  keys: readonly string[] | null;
  raw: RawJsonSink | undefined;
}
