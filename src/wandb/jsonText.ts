/**
 * JSON text checked without being parsed: whether a value is valid JSON of
 * bounded depth, where it ends and how many items it holds. Nothing is
 * built, so nothing is left for the collector. The usual kinds of W&B's
 * text (flat rows, shallow summaries) are matched by compiled regular
 * expressions; anything else by one pass over its characters (scanJson).
 */

/**
 * The end (exclusive) of the JSON value starting at `i`, or -1 when the
 * text there is not one valid JSON value at most `maxDepth` deep. No
 * value is built. One call scans a whole list (a call per item would cost
 * more than the scan).
 */
export function jsonValueEnd(t: string, i: number, maxDepth: number): number {
  return scanJson(t, i, maxDepth).end;
}

/** The open containers of a scan (scans never run inside one another). */
const stack = new Uint8Array(256);

/** What scan found: the value's end (-1: not valid) and, when it is a list or object, its items. */
const scanned = { end: -1, items: 0 };

/**
 * jsonValueEnd, also counting the items of the value when it is a list or
 * an object. The answer is reused by the next call.
 */
export function scanJson(t: string, i: number, maxDepth: number): Readonly<typeof scanned> {
  const n = t.length;
  // Per open container, 1 for an object (no allocation per container; one stack for every call).
  const inObject = maxDepth < stack.length ? stack : new Uint8Array(maxDepth + 1);
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

/** The index after the JSON string starting at `i` (its '"'), or -1 when it is not a valid JSON string. */
export function stringEnd(t: string, i: number): number {
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

/**
 * Flat rows (objects whose values are numbers, strings, booleans or null,
 * as history rows and sampled history rows mostly are), matched by one
 * regular expression: V8 compiles it to machine code, which checks such
 * text about four times faster than scanJson and 2.3 times faster than
 * JSON.parse (1.3, 5.4 and 3.1 ns per character over 500 sampled rows,
 * measured on 2 vCPU, Node 24). It accepts a subset of JSON (no escapes,
 * no '{' inside strings, no space but one after ':' and ','), so text it
 * refuses is checked the general way. Matching is linear: each part of a
 * row can match in one way only.
 */
const flatString = '"[^"\\\\\\u0000-\\u001f{]*"';
// Numbers certainly within a double's range (at most 200 integer digits, a positive exponent of at most 2 digits): others are parsed and checked.
const flatValue = `(?:-?(?:0|[1-9][0-9]{0,199})(?:\\.[0-9]+)?(?:[eE](?:-[0-9]{1,3}|\\+?[0-9]{1,2}))?|${flatString}|true|false|null)`;
const flatRow = `\\{(?:${flatString}: ?${flatValue}(?:, ?${flatString}: ?${flatValue})*)?\\}`;
const flatRowsList = new RegExp(`\\[(?:${flatRow}(?:, ?${flatRow})*)?\\]`, 'y');
/** A flat row whose first key is "_step", a whole number, and no other key is "_step" (rows as this subgraph asks W&B to sample them). */
const stepFirstRow = `\\{"_step": ?(?:0|[1-9][0-9]{0,14})(?:, ?(?!"_step")${flatString}: ?${flatValue})*\\}`;
const stepFirstRowsList = new RegExp(`\\[(?:${stepFirstRow}(?:, ?${stepFirstRow})*)?\\]`, 'y');
const flatRowAlone = new RegExp(`${flatRow}$`, 'y');

/**
 * A JSON object whose values are scalars, or objects or lists of scalars,
 * and whose strings may hold escapes (a run's summary: metrics, and small
 * objects such as _wandb), matched the same way; JSON.parse judges others.
 * Of \u escapes, only those no key holds (control characters, and the
 * <, >, & and line separators Go's encoder escapes): text matched here goes
 * out as it is, and a key written with escapes would pass the response's
 * search for keys (see upstreamJsonText in trust.ts).
 */
export const plainEscape = 'u(?:00[01][0-9a-fA-F]|003[cCeE]|0026|202[89])';
const escapedString = `"[^"\\\\\\u0000-\\u001f]*(?:\\\\(?:["\\\\/bfnrt]|${plainEscape})[^"\\\\\\u0000-\\u001f]*)*"`;
const scalar = flatValue.replace(flatString, escapedString);
const objectOf = (value: string) => `\\{(?:${escapedString}: ?${value}(?:, ?${escapedString}: ?${value})*)?\\}`;
const listOf = (value: string) => `\\[(?:${value}(?:, ?${value})*)?\\]`;
const shallowObject = new RegExp(`${objectOf(`(?:${scalar}|${objectOf(scalar)}|${listOf(scalar)})`)}$`, 'y');

const plainKey = '"[^"\\\\\\u0000-\\u001f]*"';
const desc = `"desc": ?(?:${escapedString}|null)`;
const configValue = (() => {
  const shallow = `(?:${scalar}|${listOf(scalar)})`;
  return `(?:${shallow}|${objectOf(`(?:${shallow}|${objectOf(shallow)})`)})`;
})();
/**
 * One entry of a run's config as W&B keeps it: "key": {"value": V} with an
 * optional "desc" (a string or null) before or after "value", where V is
 * a scalar, a list of scalars, or an object of up to two levels of those
 * (as the SDK's `_wandb` is). The key has no escapes, so that it can be
 * compared as text.
 */
const configEntry = `${plainKey}: ?\\{(?:${desc}, ?)?"value": ?${configValue}(?:, ?${desc})?\\}`;
const configWhole = new RegExp(`\\{(?:${configEntry}(?:, ?${configEntry})*)?\\}$`, 'y');

/**
 * A run's config text as the contract gives it (each value unwrapped from
 * W&B's {"value", "desc"}, `_wandb` and `wandb_version` left out), made
 * from W&B's text without parsing it; null when the text is not of that
 * kind (other values, a key repeated or written with escapes, deeper
 * values: the caller parses it). Keys keep W&B's order. One match checks
 * the whole text; the cut then walks text known to be of that kind (a
 * match per entry, with its captures, cost more). 2.5 times faster than
 * parsing, unwrapping and printing (4.5 against 11.5 µs for a 700-byte
 * config, 2 vCPU, Node 24).
 */
export function unwrappedConfig(t: string): string | null {
  if (!matches(configWhole, t, 0)) return null;
  // A list, not a Set: a config has tens of keys, and hashing each costs more than comparing.
  const keys: string[] = [];
  let out = '';
  const end = t.length - 1;
  for (let i = 1; i < end; ) {
    if (t.charCodeAt(i) === 44 /* , */) i = skipSpace(t, i + 1);
    // "key": {  (a key holds no escapes)
    const keyEnd = t.indexOf('"', i + 1) + 1;
    const key = t.slice(i, keyEnd);
    if (keys.includes(key)) return null;
    keys.push(key);
    i = skipSpace(t, keyEnd + 1) + 1;
    if (t.startsWith('"desc"', i)) i = skipSpace(t, scalarEnd(t, skipSpace(t, i + 7)) + 1);
    const from = skipSpace(t, i + 8); // after "value":
    i = checkedValueEnd(t, from);
    if (key !== '"_wandb"' && key !== '"wandb_version"') out += `${out ? ',' : ''}${key}:${t.slice(from, i)}`;
    if (t.charCodeAt(i) === 44) i = scalarEnd(t, skipSpace(t, skipSpace(t, i + 1) + 7));
    i++; // the wrapper's }
  }
  return `{${out}}`;
}

/** The index after spaces (at most one, in text a check matched) at `i`. */
function skipSpace(t: string, i: number): number {
  return t.charCodeAt(i) === 32 ? i + 1 : i;
}

/** The end of the string, number, literal or null starting at `i`, in checked text. */
function scalarEnd(t: string, i: number): number {
  if (t.charCodeAt(i) !== 34) {
    while (i < t.length) {
      const c = t.charCodeAt(i);
      if (c === 44 || c === 125 || c === 93 /* , } ] */) return i;
      i++;
    }
    return i;
  }
  return stringEnd(t, i);
}

/** The end of the value starting at `i`, in checked text (strings skipped, brackets counted). */
function checkedValueEnd(t: string, i: number): number {
  let depth = 0;
  for (;;) {
    const c = t.charCodeAt(i);
    if (c === 123 || c === 91 /* { [ */) {
      depth++;
      i++;
    } else if (c === 125 || c === 93) {
      depth--;
      i++;
    } else if (c === 44 || c === 58 || c === 32 /* , : space */) i++;
    else i = scalarEnd(t, i);
    if (depth === 0) return i;
  }
}

/** True when `t` is one JSON object of that kind (see shallowObject); false says nothing. */
export function isShallowObject(t: string): boolean {
  return matches(shallowObject, t, 0);
}

/**
 * The end (exclusive) of a list of flat rows starting at `i` (its '['),
 * and its rows; null when the text there is not such a list (it may still
 * be valid JSON: scanJson tells).
 */
export function flatRowsEnd(t: string, i: number): { end: number; items: number } | null {
  if (!matches(flatRowsList, t, i)) return null;
  const end = flatRowsList.lastIndex;
  // No string in a match holds '{': each one opens a row.
  let items = 0;
  for (let k = t.indexOf('{', i); k >= 0 && k < end; k = t.indexOf('{', k + 1)) items++;
  return { end, items };
}

/**
 * The end of the list of sampled rows at `i` and its rows counted, when the
 * rows are flat, each with one "_step" whose value is a whole number, the
 * steps increasing; null otherwise (the rows are then parsed and checked
 * one by one). Rows that start with their "_step" (as this subgraph asks
 * W&B for them: the x axis first in a spec) take one match; others the
 * flat-rows match and a pass over their steps.
 */
export function sampledRowsEnd(t: string, i: number): { end: number; items: number } | null {
  const stepFirst = stepFirstRowsEnd(t, i);
  if (stepFirst) return stepFirst;
  const flat = flatRowsEnd(t, i);
  return flat && flatRowsInStepOrder(t, i, flat.end, flat.items) ? flat : null;
}

/**
 * The end of the list of flat rows at `i` and its rows counted, when each
 * row starts with its one "_step" (as sampled rows do: this subgraph puts
 * the x axis first in a spec), the steps increasing; null otherwise. One
 * match, then one indexOf and a few digits per row.
 */
function stepFirstRowsEnd(t: string, i: number): { end: number; items: number } | null {
  if (!matches(stepFirstRowsList, t, i)) return null;
  const end = stepFirstRowsList.lastIndex;
  let items = 0;
  let after = -1;
  for (let k = t.indexOf('{', i); k >= 0 && k < end; k = t.indexOf('{', k + 1)) {
    let d = k + 9; // after {"_step":
    if (t.charCodeAt(d) === 32 /* space */) d++;
    let step = 0;
    for (let c = t.charCodeAt(d); c >= 48 /* 0 */ && c <= 57 /* 9 */; c = t.charCodeAt(++d)) step = step * 10 + (c - 48);
    if (step <= after) return null;
    after = step;
    items++;
  }
  return { end, items };
}

/**
 * True when each of the `rows` rows of the flat rows list at t[start, end)
 * (as flatRowsEnd matched and counted it) holds one "_step" key whose value
 * is a whole number, each step above the one before. In a flat row no
 * string holds a quote or a '{': `"_step":` can only be that key, and the
 * last '{' before it opens its row. One pass of indexOf over the text.
 */
function flatRowsInStepOrder(t: string, start: number, end: number, rows: number): boolean {
  let after = -1;
  let lastRow = -1;
  let found = 0;
  for (let at = t.indexOf('"_step":', start); at >= 0 && at < end; at = t.indexOf('"_step":', at + 8)) {
    const row = t.lastIndexOf('{', at);
    // A second "_step" in one row.
    if (row <= lastRow) return false;
    lastRow = row;
    found++;
    let i = at + 8;
    if (t.charCodeAt(i) === 32 /* space */) i++;
    let step = 0;
    const from = i;
    for (let c = t.charCodeAt(i); c >= 48 /* 0 */ && c <= 57 /* 9 */ && i - from < 16; c = t.charCodeAt(++i)) step = step * 10 + (c - 48);
    const c = t.charCodeAt(i);
    if (i === from || (c !== 44 /* , */ && c !== 125 /* } */) || step <= after) return false;
    after = step;
  }
  // As many steps as rows, at most one per row: one in each.
  return found === rows;
}

/** True when `t` is one flat row (see flatRowsEnd) and nothing else; false says nothing. */
export function isFlatRow(t: string): boolean {
  return matches(flatRowAlone, t, 0);
}

/**
 * Whether a sticky expression matches `t` at `at` (its lastIndex is then
 * the match's end); false when V8 gives up: its backtracking stack holds
 * an entry per repetition and overflows (a RangeError) past a few million
 * rows, text that the general check then reads (it holds no stack).
 */
function matches(expression: RegExp, t: string, at: number): boolean {
  expression.lastIndex = at;
  try {
    return expression.test(t);
  } catch {
    return false;
  }
}

export function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

// Private:

/** After an object's '{' or ',': its next key and colon; the index after the colon, or -1. */
function keyEnd(t: string, i: number): number {
  while (isSpace(t.charCodeAt(i))) i++;
  if (t.charCodeAt(i) !== 34 || (i = stringEnd(t, i)) < 0) return -1;
  while (isSpace(t.charCodeAt(i))) i++;
  return t.charCodeAt(i) === 58 /* : */ ? i + 1 : -1;
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

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}
