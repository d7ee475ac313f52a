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
  values: (RawRows | null)[];
}

/**
 * Cuts the lists at the places `spec` wants out of W&B's answer `text`;
 * a value there that is not a list of lists, or is too deep or not valid
 * JSON, is left in place (the usual parse and checks then judge it).
 * Returns null when nothing was cut.
 */
export function carveAnswer(text: string, spec: CarveSpec, maxDepth: number): Carved | null {
  const path: string[] = [];
  const isObject: boolean[] = [];
  let expectKey = false;
  let out = '';
  let from = 0;
  const values: (RawRows | null)[] = [];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = stringEnd(text, i);
      if (end < 0) return null;
      if (expectKey) {
        const depth = isObject.length;
        path[depth - 1] = text.slice(i + 1, end - 1);
        expectKey = false;
        if (depth === spec.depth && spec.wanted(path.slice(0, depth))) {
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
            continue;
          }
        }
      }
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
export function carvedCopy(values: readonly (RawRows | null)[]): (RawRows | null)[] {
  return values.map((v: RawRows | { first: string; count: number } | null) => (v === null || v instanceof RawRows ? v : new RawRows(v.first, v.count)));
}

/** The value a marker stands for, or undefined when `value` is not one of this process's markers. */
export function carvedValue(value: unknown, carved: readonly (RawRows | null)[] | undefined): RawRows | undefined {
  if (!carved || typeof value !== 'string' || !value.startsWith(marker)) return undefined;
  const index = Number(value.slice(marker.length));
  return Number.isInteger(index) ? (carved[index] ?? undefined) : undefined;
}

/**
 * The end (exclusive) of the JSON value starting at `i`, or -1 when the
 * text there is not one valid JSON value at most `maxDepth` deep. No
 * value is built. One call scans a whole list (a call per item would cost
 * more than the scan).
 */
export function jsonValueEnd(t: string, i: number, maxDepth: number): number {
  return scan(t, i, maxDepth).end;
}

// Private:

const nonce = randomBytes(8).toString('hex');
/** A marker as parsed, and as written in JSON text (U+0000 is escaped there). */
const marker = `\u0000${nonce}#`;
const markerText = `\\u0000${nonce}#`;

/** What scan found: the value's end (-1: not valid) and, when it is a list or object, its items. */
const scanned = { end: -1, items: 0 };

/** jsonValueEnd, also counting the items of the value when it is a list or an object. */
function scan(t: string, i: number, maxDepth: number): typeof scanned {
  const n = t.length;
  // Per open container, 1 for an object (no allocation per container).
  const inObject = new Uint8Array(maxDepth + 1);
  let depth = 0;
  let items = 0;
  scanned.end = -1;
  scanned.items = 0;
  for (;;) {
    // A value.
    while (i < n && isSpace(t.charCodeAt(i))) i++;
    const c = t.charCodeAt(i);
    if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth >= maxDepth) return scanned;
      i++;
      while (i < n && isSpace(t.charCodeAt(i))) i++;
      if (t.charCodeAt(i) === (c === 123 ? 125 : 93)) {
        i++;
      } else {
        inObject[++depth] = c === 123 ? 1 : 0;
        if (c === 123 && (i = keyEnd(t, i)) < 0) return scanned;
        continue;
      }
    } else if (c === 34 /* " */) {
      if ((i = stringEnd(t, i)) < 0) return scanned;
    } else if (c === 45 /* - */ || (c >= 48 && c <= 57)) {
      if ((i = numberEnd(t, i)) < 0) return scanned;
    } else if (c === 116 /* t */ && t.startsWith('true', i)) i += 4;
    else if (c === 102 /* f */ && t.startsWith('false', i)) i += 5;
    else if (c === 110 /* n */ && t.startsWith('null', i)) i += 4;
    else return scanned;
    // After a value: the next item, or closing brackets.
    for (;;) {
      if (depth === 0) {
        scanned.end = i;
        scanned.items = items;
        return scanned;
      }
      if (depth === 1) items++;
      while (i < n && isSpace(t.charCodeAt(i))) i++;
      const d = t.charCodeAt(i);
      const object = inObject[depth] === 1;
      if (d === 44 /* , */) {
        i++;
        if (object && (i = keyEnd(t, i)) < 0) return scanned;
        break;
      }
      if (d !== (object ? 125 : 93)) return scanned;
      // A closed container is an item of the one around it (counted on the next turn).
      depth--;
      i++;
    }
  }
}

/** A list of lists at `start` (sampledHistory's value), checked; null when it is not one. */
function scanListOfLists(t: string, start: number, maxDepth: number): { end: number; rows: RawRows } | null {
  let i = start + 1;
  while (isSpace(t.charCodeAt(i))) i++;
  if (t.charCodeAt(i) !== 91 /* [ */) return null;
  // The first list, its items counted.
  const firstStart = i;
  const { end: firstEnd, items: count } = scan(t, i, maxDepth - 1);
  if (firstEnd < 0) return null;
  i = firstEnd;
  // The other lists (one per further spec; this subgraph sends one).
  for (;;) {
    while (isSpace(t.charCodeAt(i))) i++;
    const c = t.charCodeAt(i++);
    if (c === 93) break;
    if (c !== 44 || (i = jsonValueEnd(t, i, maxDepth - 1)) < 0) return null;
  }
  return { end: i, rows: new RawRows(t.slice(firstStart, firstEnd), count) };
}

/** After an object's '{' or ',': its next key and colon; the index after the colon, or -1. */
function keyEnd(t: string, i: number): number {
  while (isSpace(t.charCodeAt(i))) i++;
  if (t.charCodeAt(i) !== 34 || (i = stringEnd(t, i)) < 0) return -1;
  while (isSpace(t.charCodeAt(i))) i++;
  return t.charCodeAt(i) === 58 /* : */ ? i + 1 : -1;
}

/** The index after the string starting at `i` (its '"'), or -1 when it is not a valid JSON string. */
function stringEnd(t: string, i: number): number {
  const n = t.length;
  for (i++; i < n; i++) {
    const c = t.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c < 32) return -1;
    if (c === 92 /* \ */) {
      const e = t.charCodeAt(++i);
      if (e === 117 /* u */) {
        for (let k = 1; k <= 4; k++) if (!isHex(t.charCodeAt(i + k))) return -1;
        i += 4;
      } else if (!(e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116)) return -1;
    }
  }
  return -1;
}

/** The index after the number starting at `i`, or -1 when it is not a valid JSON number. */
function numberEnd(t: string, i: number): number {
  let c = t.charCodeAt(i);
  if (c === 45) c = t.charCodeAt(++i);
  if (c === 48) c = t.charCodeAt(++i);
  else if (c >= 49 && c <= 57) while ((c = t.charCodeAt(++i)) >= 48 && c <= 57);
  else return -1;
  if (c === 46 /* . */) {
    if (!((c = t.charCodeAt(++i)) >= 48 && c <= 57)) return -1;
    while ((c = t.charCodeAt(++i)) >= 48 && c <= 57);
  }
  if (c === 101 || c === 69 /* e E */) {
    c = t.charCodeAt(++i);
    if (c === 43 || c === 45) c = t.charCodeAt(++i);
    if (!(c >= 48 && c <= 57)) return -1;
    while ((c = t.charCodeAt(++i)) >= 48 && c <= 57);
  }
  return i;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
