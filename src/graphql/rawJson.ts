/**
 * JSON text from W&B placed in a response as it came, instead of parsed
 * into objects and printed again. Apollo prints the response with
 * JSON.stringify, which cannot embed text, so such a value resolves to a
 * marker string (a per-process random nonce and the text's index in the
 * request's sink) and the HTTP layer replaces each printed marker with its
 * text. A plain string rather than an object with toJSON: JSON.stringify
 * prints a 1000-row history page of plain result objects (as compiled
 * execution builds them) about three times faster. Only texts that parsed
 * as JSON objects are kept raw. Requests without a sink (subscriptions)
 * get parsed values.
 */
import { randomBytes } from 'node:crypto';

const nonce = randomBytes(8).toString('hex');
// JSON.stringify prints U+0000 as the six characters \u0000: a marker prints as "\u0000<nonce><index>".
const lead = '"\\u0000';
const prefix = `${lead}${nonce}`;
/** Digits of an index: a sink never holds 10^10 texts. */
const maxIndexDigits = 10;

/** The texts of one response's markers, by index: a text, or its pieces in order (joined when printed). */
export type RawJsonSink = (string | readonly string[])[];

/** The value to return for a JSON object W&B sent as `text` (already parsed as `parsed`): its marker when there is a sink. */
export function rawOr(sink: RawJsonSink | undefined, text: string, parsed: unknown): unknown {
  return sink ? rawText(sink, text) : parsed;
}

/**
 * A list whose items are W&B's text `items` (a list's text without its
 * brackets, checked): one marker, which prints as all of them.
 */
export function rawItems(sink: RawJsonSink, items: string | readonly string[]): unknown[] {
  return [rawText(sink, items)];
}

/**
 * A list the response takes as text: its resolver returned [] and left
 * `value` (one marker, see rawItems) to be placed at `path` once the
 * operation has run, where building and printing an object per item would
 * cost more (a history page's edges).
 */
export interface RawPlace {
  path: readonly (string | number)[];
  value: unknown[];
}

/**
 * Puts each place's value in the executed result's `data`, where the list
 * it stands for is still there and empty (a field error may have nulled a
 * parent since).
 */
export function placeRaw(data: unknown, places: readonly RawPlace[]): void {
  for (const { path, value } of places) {
    let at: unknown = data;
    for (let i = 0; i < path.length - 1 && typeof at === 'object' && at !== null; i++) at = (at as Record<string | number, unknown>)[path[i]];
    if (typeof at !== 'object' || at === null) continue;
    const key = path[path.length - 1];
    const list = (at as Record<string | number, unknown>)[key];
    if (Array.isArray(list) && list.length === 0) (at as Record<string | number, unknown>)[key] = value;
  }
}

/** `result` with the lists its resolvers gave as text in their places. */
export function placed<R extends { data?: unknown }>(result: R, context: { rawPlaces?: readonly RawPlace[] }): R {
  if (context.rawPlaces?.length) placeRaw(result.data, context.rawPlaces);
  return result;
}

/**
 * The printed response with every marker replaced by its text. The pieces
 * are joined once: no rope of partial strings, and no second copy of a
 * text given in pieces (a 10,000-row history page).
 */
export function spliceRaw(body: string, sink: RawJsonSink | undefined): string {
  if (!sink || sink.length === 0) return body;
  const out: string[] = [];
  let from = 0;
  // indexOf finds the short lead several times faster than the whole prefix; the nonce is checked after.
  for (let at = body.indexOf(lead); at >= 0; at = body.indexOf(lead, Math.max(from, at + 1))) {
    if (!body.startsWith(prefix, at)) continue;
    const digits = at + prefix.length;
    let i = digits;
    let index = 0;
    for (let c = body.charCodeAt(i); c >= 48 /* 0 */ && c <= 57 /* 9 */ && i < digits + maxIndexDigits; c = body.charCodeAt(++i)) index = index * 10 + (c - 48);
    const text = i > digits && body.charCodeAt(i) === 34 /* " */ ? sink[index] : undefined;
    // Not one of ours (cannot happen without the nonce): left as it is.
    if (text === undefined) continue;
    out.push(body.slice(from, at));
    if (typeof text === 'string') out.push(text);
    else for (const piece of text) out.push(piece);
    from = i + 1;
  }
  if (from === 0) return body;
  out.push(body.slice(from));
  return out.join('');
}

/** The value that prints as W&B's JSON text `text` (checked): its marker, added to `sink`. */
export function rawText(sink: RawJsonSink, text: string | readonly string[]): string {
  sink.push(text);
  return `\u0000${nonce}${sink.length - 1}`;
}
