import { createHash } from 'node:crypto';
import { badInput } from '../errors.js';

/** A value a run is ordered by; null when the run lacks the key (or holds null). */
export type SortValue = string | number | boolean | null;

/**
 * Where a runs page ended: the last run's value at each level of the order
 * (see runsPaging.ts), its name, and the level the next page resumes at
 * (`resume` = the number of levels means "the same tie group, names after
 * `name`"; a smaller number i means "level i, after `values[i]`").
 */
export interface RunsPosition {
  /** What the connection pages (its project and filters, hashed; see runsScope): a cursor is for that connection only. */
  scope: string;
  order: string;
  values: SortValue[];
  name: string;
  resume: number;
}

/** Longest encoded runs cursor accepted or issued (a long string sort value cannot be paged past). */
export const maxRunsCursorLength = 4096;

const prefix = 'v2:runs:';

/** The scope of a runs connection: a short hash of its project and filters (W&B's filter text), which its cursors carry. */
export function runsScope(entity: string, project: string, filters: string): string {
  return createHash('sha256').update(`${entity.toLowerCase()}/${project.toLowerCase()}\0${filters}`).digest('base64url').slice(0, 12);
}

/** An opaque runs cursor: base64 of "v2:runs:" and the position as JSON. */
export function encodeRunsCursor(position: RunsPosition): string {
  const cursor = Buffer.from(`${prefix}${JSON.stringify([position.order, position.values, position.name, position.resume, position.scope])}`, 'utf8').toString('base64');
  if (cursor.length > maxRunsCursorLength) {
    throw badInput(`run ${JSON.stringify(position.name)} has a sort value too long to page past under order ${JSON.stringify(position.order)}; order by another key`);
  }
  return cursor;
}

/** The cursors of a page's runs, in order, each encoded when first read. */
export class RunsCursors {
  private readonly encoded: string[] = [];

  constructor(private readonly positions: readonly RunsPosition[]) {}

  get length(): number {
    return this.positions.length;
  }

  /** The cursor of the run at `index`; undefined outside the page. BAD_USER_INPUT as {@link encodeRunsCursor}. */
  at(index: number): string | undefined {
    if (index < 0 || index >= this.positions.length) return undefined;
    return (this.encoded[index] ??= encodeRunsCursor(this.positions[index]));
  }
}

/**
 * The position in a runs cursor issued for `order` with `levels` levels,
 * in the connection of `scope`; BAD_USER_INPUT saying what was expected for
 * anything else (a cursor of another project or other filters too).
 */
export function decodeRunsCursor(cursor: string, order: string, levels: number, scope: string): RunsPosition {
  const bad = () => badInput(`invalid cursor ${JSON.stringify(cursor.slice(0, 60))}: expected a runs cursor from pageInfo.endCursor or an edge`);
  if (cursor.length > maxRunsCursorLength || !/^[A-Za-z0-9+/]*={0,2}$/.test(cursor)) throw bad();
  const text = Buffer.from(cursor, 'base64').toString('utf8');
  if (!text.startsWith(prefix)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.slice(prefix.length));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 5) throw bad();
  const [issuedFor, values, name, resume, issuedIn] = parsed as unknown[];
  if (typeof issuedFor !== 'string') throw bad();
  if (issuedFor !== order) {
    throw badInput(`cursor was issued under order ${JSON.stringify(issuedFor.slice(0, 120))}, not ${JSON.stringify(order)}: page again from the start`);
  }
  if (issuedIn !== scope) throw badInput('cursor was issued for another project or other filters: page again from the start');
  if (!Array.isArray(values) || values.length !== levels || !values.every(isSortValue)) throw bad();
  if (typeof name !== 'string' || name.length === 0 || name.length > 256) throw bad();
  if (typeof resume !== 'number' || !Number.isInteger(resume) || resume < 0 || resume > levels) throw bad();
  return { scope, order, values: values as SortValue[], name, resume };
}

// Private:

function isSortValue(v: unknown): v is SortValue {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}
