/**
 * Large JSON values of a W&B answer kept as text: sampled history (a list
 * of row objects per run, most of a page's bytes) would otherwise be parsed
 * into objects, walked for depth and printed again. Before the answer is
 * parsed, the values at the chosen places are cut out of its text, checked
 * (valid JSON, depth, rows counted) by one pass over their characters, and
 * replaced by a marker; the response then embeds their text as it came.
 *
 * Cutting out is sound without checking the rest of the text: the rest,
 * with a marker (["\u0000<nonce>#<index>"]) in place of each value, is
 * parsed by JSON.parse, and a marker parses only where a value may stand:
 * inside a string, its first quote would end the string and the backslash
 * after it be a syntax error. Markers carry a per-process random nonce, so
 * an answer cannot forge one.
 */
import { randomBytes } from 'node:crypto';
import { isSpace, sampledRowsEnd, scanJson, stringEnd } from './jsonText.js';

/** Where to cut: the object depth of the values' keys (the root object is 1) and which keys along the path. */
export interface CarveSpec {
  depth: number;
  /** True for a value to cut, given the keys of its enclosing objects from the root (the last is its own key; '' inside lists). */
  wanted(path: readonly string[]): boolean;
}

/**
 * A cut list of lists (sampledHistory's value: one list of rows per spec),
 * checked: valid JSON, at most `maxDepth` deep. `first` is the text of its
 * first list and `count` that list's items.
 */
export class RawRows {
  private parsedRows: unknown[] | undefined;
  constructor(
    readonly first: string,
    readonly count: number,
  ) {}

  /** The first list's items as values (parsed once, on demand). */
  rows(): unknown[] {
    return (this.parsedRows ??= JSON.parse(this.first) as unknown[]);
  }

  /** The text between the first list's brackets. */
  items(): string {
    return this.first.slice(1, -1);
  }

  toJSON(): unknown[] {
    return this.rows();
  }
}

/** A carved answer: its text with markers, and the values cut out (by marker index). */
export interface Carved {
  text: string;
  values: RawRows[];
}

/**
 * Cuts the lists at the places `spec` wants out of W&B's answer `text`;
 * a value there that is not a list of lists whose first holds flat rows in
 * step order (each with one whole _step, increasing), or is too deep or not
 * valid JSON, is left in place (the usual parse and checks then judge it).
 * Returns null when nothing was cut.
 */
export function carveAnswer(text: string, spec: CarveSpec, maxDepth: number): Carved | null {
  const path: string[] = [];
  const isObject: boolean[] = [];
  let expectKey = false;
  let out = '';
  let from = 0;
  const values: RawRows[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) return null;
      const depth = isObject.length;
      // Keys deeper than the cut places are not read (most of an answer's keys).
      if (expectKey && depth <= spec.depth) {
        path[depth - 1] = text.slice(i + 1, end - 1);
        if (depth === spec.depth && spec.wanted(path)) {
          let v = end;
          while (v < n && isSpace(text.charCodeAt(v))) v++;
          if (text.charCodeAt(v) === 58 /* : */) v++;
          while (v < n && isSpace(text.charCodeAt(v))) v++;
          const cut = text.charCodeAt(v) === 91 /* [ */ ? scanListOfLists(text, v, maxDepth) : null;
          if (cut) {
            out += `${text.slice(from, v)}["${markerText}${values.length}"]`;
            values.push(cut.rows);
            from = cut.end;
            i = cut.end - 1;
            expectKey = false;
            continue;
          }
        }
      }
      expectKey = false;
      i = end - 1;
    } else if (c === 123 /* { */) {
      isObject.push(true);
      path.push('');
      expectKey = true;
    } else if (c === 91 /* [ */) {
      isObject.push(false);
      path.push('');
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      isObject.pop();
      path.pop();
    } else if (c === 44 /* , */) expectKey = isObject[isObject.length - 1] === true;
  }
  return values.length === 0 ? null : { text: out + text.slice(from), values };
}

/**
 * The carved values of an answer shared with another caller (the
 * coalescer hands each a structuredClone, which keeps their fields but not
 * their class). They come from carveAnswer, never from W&B's data.
 */
export function carvedCopy(values: readonly RawRows[]): RawRows[] {
  return values.map((v: RawRows | { first: string; count: number }) => (v instanceof RawRows ? v : new RawRows(v.first, v.count)));
}

/** The value a marker stands for, or undefined when `value` is not one of this process's markers. */
export function carvedValue(value: unknown, carved: readonly RawRows[] | undefined): RawRows | undefined {
  if (!carved || typeof value !== 'string' || !value.startsWith(marker)) return undefined;
  const index = Number(value.slice(marker.length));
  return Number.isInteger(index) ? (carved[index] ?? undefined) : undefined;
}

// Private:

const nonce = randomBytes(8).toString('hex');
/** A marker as parsed, and as written in JSON text (U+0000 is escaped there). */
const marker = `\u0000${nonce}#`;
const markerText = `\\u0000${nonce}#`;

/** A list of lists at `start` (sampledHistory's value), checked; null when it is not one. */
function scanListOfLists(t: string, start: number, maxDepth: number): { end: number; rows: RawRows } | null {
  let i = start + 1;
  while (isSpace(t.charCodeAt(i))) i++;
  if (t.charCodeAt(i) !== 91 /* [ */) return null;
  // The first list: flat rows with their steps in order, counted; any other is left to be parsed and checked row by row.
  const firstStart = i;
  const flat = maxDepth >= 3 ? sampledRowsEnd(t, i) : null;
  if (!flat) return null;
  const { end: firstEnd, items: count } = flat;
  i = firstEnd;
  // The other lists (one per further spec; this subgraph sends one).
  for (;;) {
    while (isSpace(t.charCodeAt(i))) i++;
    const c = t.charCodeAt(i++);
    if (c === 93) break;
    if (c !== 44 || (i = scanJson(t, i, maxDepth - 1).end) < 0) return null;
  }
  return { end: i, rows: new RawRows(t.slice(firstStart, firstEnd), count) };
}
