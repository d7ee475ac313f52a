import { badInput } from '../errors.js';

/** What a cursor pages: it is refused by any other connection. */
export type CursorKind = 'runs' | 'files' | 'artifacts' | 'history';

/** An opaque cursor: base64 of "v1:<kind>:<value>". */
export function encodeCursor(kind: CursorKind, value: string | number): string {
  return Buffer.from(`v1:${kind}:${value}`, 'utf8').toString('base64');
}

/** The value in a cursor of this kind; BAD_USER_INPUT when it is not one. */
export function decodeCursor(kind: CursorKind, cursor: string): string {
  const text = /^[A-Za-z0-9+/]*={0,2}$/.test(cursor) ? Buffer.from(cursor, 'base64').toString('utf8') : '';
  const prefix = `v1:${kind}:`;
  if (!text.startsWith(prefix)) {
    throw badInput(`invalid cursor ${JSON.stringify(cursor.slice(0, 60))}: expected a ${kind} cursor from pageInfo.endCursor or an edge`);
  }
  return text.slice(prefix.length);
}

/**
 * Relay page info for a page whose items have these cursor values (in
 * order). Cursors are encoded when a query reads them: most read none.
 */
export function pageInfoOf(kind: CursorKind, values: readonly (string | number)[], hasNextPage: boolean, hasPreviousPage: boolean) {
  return {
    hasNextPage,
    hasPreviousPage,
    get startCursor() {
      return values.length ? encodeCursor(kind, values[0]) : null;
    },
    get endCursor() {
      return values.length ? encodeCursor(kind, values[values.length - 1]) : null;
    },
  };
}

/** A Relay edge whose cursor is encoded when a query reads it. */
export function lazyEdge<N>(node: N, kind: CursorKind, value: string | number): { node: N; readonly cursor: string } {
  return {
    node,
    get cursor() {
      return encodeCursor(kind, value);
    },
  };
}
