import type { RunField } from './upstream/batch.js';

/** A history row with its step. */
export interface StepRow {
  step: number;
  row: Record<string, unknown>;
}

export interface HistoryScan {
  /** Keys to return, or null for whole rows. */
  keys: string[] | null;
  /** First step to read (inclusive) and end (exclusive). */
  start: number;
  end: number;
  /** Rows wanted. */
  first: number;
  /** Expected rows per step for these keys (1 for whole rows), from W&B's key counts. */
  density: number;
}

/** Upper bound on the steps of one upstream window, whatever the density. */
const maxWindow = 100_000;

/**
 * Reads history rows in step order from `start`, in upstream step windows,
 * until `first + 1` rows are found or `end` is passed; the extra row tells
 * whether a next page exists. A window asks for as many samples as it has
 * steps, so W&B returns every row in it, never a sample. Windows are sized
 * by the keys' density (a key logged every 50 steps gets 50× wider windows)
 * and widened when they come back sparse, so pages are never empty while
 * rows remain; a window holds at most 64 × first steps, which bounds memory
 * by the page size, not by the run's length.
 */
export async function scanHistory(load: (field: RunField) => Promise<unknown>, scan: HistoryScan): Promise<{ rows: StepRow[]; hasNextPage: boolean }> {
  const need = scan.first + 1;
  const cap = Math.min(maxWindow, 64 * need);
  const rows: StepRow[] = [];
  let start = scan.start;
  let window = clamp(Math.ceil(need / Math.max(scan.density, 1e-9)), 1, cap);
  while (rows.length < need && start < scan.end) {
    const hi = Math.min(start + window, scan.end);
    const size = hi - start;
    const got = await readWindow(load, scan.keys, start, hi);
    for (const r of got) if (rows.length < need) rows.push(r);
    start = hi;
    const remaining = need - rows.length;
    window = got.length === 0 ? clamp(window * 4, 1, cap) : clamp(Math.ceil((remaining * size) / got.length), 1, cap);
  }
  return { rows: rows.slice(0, scan.first), hasNextPage: rows.length > scan.first };
}

// Private:

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}

async function readWindow(load: (field: RunField) => Promise<unknown>, keys: string[] | null, lo: number, hi: number): Promise<StepRow[]> {
  if (keys === null) {
    const text = (await load({ kind: 'history', minStep: lo, maxStep: hi, samples: hi - lo })) as string[];
    return text.map((t) => {
      const row = JSON.parse(t) as Record<string, unknown>;
      return { step: row._step as number, row };
    });
  }
  // sampledHistory's maxStep is inclusive; _step is added so rows can be ordered and paged.
  const spec = JSON.stringify({ keys: ['_step', ...keys.filter((k) => k !== '_step')], minStep: lo, maxStep: hi - 1, samples: hi - lo });
  const got = (await load({ kind: 'sampledHistory', spec })) as Record<string, unknown>[];
  return got.map((row) => ({ step: row._step as number, row }));
}
