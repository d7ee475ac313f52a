import { QueryInputError } from './runFilters.js';

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
    throw new QueryInputError(`invalid cursor ${JSON.stringify(cursor.slice(0, 64))}: expected a cursor returned by a previous page`);
  }
  if (!Array.isArray(parts) || parts.length !== arity) {
    throw new QueryInputError(`invalid cursor ${JSON.stringify(cursor.slice(0, 64))}: expected a cursor returned by a previous page`);
  }
  return parts;
}
