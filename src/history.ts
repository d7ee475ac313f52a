import type { RunField } from './upstream/batch.js';

/** A history row with its step. */
export interface StepRow {
  step: number;
  row: Record<string, unknown>;
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
  let window = Math.max(1, Math.ceil(need / Math.max(scan.density, 1e-12)));
  while (rows.length < need && start < scan.end) {
    const hi = Math.min(start + window, scan.end);
    const size = hi - start;
    const samples = Math.min(size, maxSamples);
    const got = await readWindow(load, scan, start, hi, samples);
    if (got.length >= samples && samples < size) {
      window = Math.max(1, Math.floor(size / 4));
      continue;
    }
    for (const r of got) if (rows.length < need) rows.push(r);
    start = hi;
    const remaining = need - rows.length;
    window = got.length === 0 ? size * 4 : Math.max(1, Math.ceil((remaining * size) / got.length));
  }
  return { rows: rows.slice(0, scan.first), hasNextPage: rows.length > scan.first };
}

// Private:

async function readWindow(load: (field: RunField) => Promise<unknown>, scan: HistoryScan, lo: number, hi: number, samples: number): Promise<StepRow[]> {
  if (scan.keys === null) {
    const text = (await load({ kind: 'history', minStep: lo, maxStep: hi, samples })) as string[];
    return text.map((t) => {
      const row = JSON.parse(t) as Record<string, unknown>;
      return { step: row._step as number, row };
    });
  }
  // sampledHistory returns only rows holding every key of a spec, and its maxStep is inclusive.
  // _step is added so rows can be ordered and paged; each extra key gets a spec of its own,
  // sent in the same upstream request, so rows without it are not lost.
  const spec = (keys: string[]) => JSON.stringify({ keys: ['_step', ...keys.filter((k) => k !== '_step')], minStep: lo, maxStep: hi - 1, samples });
  const extras = scan.extras ?? [];
  const [base, ...more] = (await Promise.all([scan.keys, ...extras.map((x) => [...scan.keys!, x])].map((keys) => load({ kind: 'sampledHistory', spec: spec(keys) })))) as Record<
    string,
    unknown
  >[][];
  const rows = base.map((row) => ({ step: row._step as number, row }));
  more.forEach((extraRows, i) => {
    const byStep = new Map(extraRows.map((r) => [r._step as number, r[extras[i]]]));
    for (const r of rows) if (byStep.has(r.step)) r.row[extras[i]] = byStep.get(r.step);
  });
  return rows;
}
