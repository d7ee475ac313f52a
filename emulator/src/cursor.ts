import { QueryInputError } from './runFilters.js';

/**
 * How the emulator pages runs, files and artifacts. `offset` is W&B's own
 * way: a cursor is the position of an item in the current result, so a run
 * created or deleted before that position between two pages shifts the next
 * page (a repeat or a miss). `keyset` is the emulator's option of a total
 * order: a cursor holds the last item's sort values, so nothing is skipped
 * or repeated.
 */
export type PagingMode = 'offset' | 'keyset';

/**
 * Keyset cursors: base64 of "v1:" and a JSON array of the sort values of the
 * last item seen (ending with its unique id), so that a page starts strictly
 * after that item whatever was inserted or deleted meanwhile.
 */
export function encodeCursor(parts: readonly unknown[]): string {
  return Buffer.from(`v1:${JSON.stringify(parts)}`, 'utf8').toString('base64');
}

/**
 * Decodes a cursor made by `encodeCursor` and checks it has `arity` parts.
 * Throws QueryInputError saying what was expected when it is not one.
 */
export function decodeCursor(cursor: string, arity: number): unknown[] {
  let parts: unknown;
  try {
    const text = Buffer.from(cursor, 'base64').toString('utf8');
    if (!text.startsWith('v1:')) throw new Error('no version prefix');
    parts = JSON.parse(text.slice(3));
  } catch {
    throw invalid(cursor);
  }
  if (!Array.isArray(parts) || parts.length !== arity) throw invalid(cursor);
  return parts;
}

/** An offset cursor: base64 of "offset:<n>", n the 0-based position of the item in its result. */
export function encodeOffsetCursor(position: number): string {
  return Buffer.from(`offset:${position}`, 'utf8').toString('base64');
}

/** The position after which the next page starts (the item's position + 1); QueryInputError when not an offset cursor. */
export function decodeOffsetCursor(cursor: string): number {
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64').toString('utf8'));
  if (!match) throw invalid(cursor);
  return Number(match[1]) + 1;
}

/** One page of a list: its rows, a cursor per row, and whether more follow. */
export interface Page<T> {
  rows: T[];
  cursors: string[];
  hasNextPage: boolean;
}

/** A page as W&B's connections give it: an edge per row with its cursor, and the page info. */
export function connectionOf<T>(page: Page<T>) {
  return {
    edges: page.rows.map((node, i) => ({ node, cursor: page.cursors[i] })),
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: page.cursors[page.cursors.length - 1] ?? null },
  };
}

// Private:

function invalid(cursor: string): QueryInputError {
  return new QueryInputError(`invalid cursor ${JSON.stringify(cursor.slice(0, 64))}: expected a cursor returned by a previous page`);
}
