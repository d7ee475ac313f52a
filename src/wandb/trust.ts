/**
 * Checks on what W&B answers, made before anything is used: counts against
 * what was asked (counted before anything is parsed), ids and paths against
 * the reference asked for, history steps against the window, JSON depth.
 * A failed check fails that field with UPSTREAM_UNAVAILABLE; the bad
 * answer is never passed through.
 */
import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import type { Context } from '../context.js';
import { codedError } from '../errors.js';
import { isObject } from '../objects.js';
import { decodeNodeId, decodeRunId, encodeNodeId, encodeRunId, type RunRef } from './ids.js';
import { plainEscape } from './jsonText.js';
import { finiteJson } from './nonFinite.js';

/** Deepest nesting accepted in a JSON value read from W&B (config, summary, history rows, metadata…). */
export const maxUpstreamJsonDepth = 64;

/** UPSTREAM_UNAVAILABLE for an answer that fails a check; the message says which, never quoting it. */
export function untrusted(message: string): GraphQLError {
  return codedError('UPSTREAM_UNAVAILABLE', `W&B sent an answer that fails a check: ${message}`);
}

/**
 * True when JSON text nests arrays/objects deeper than `max`: one pass
 * over the characters, strings skipped, no recursion and no parsing.
 */
export function jsonTextTooDeep(text: string, max = maxUpstreamJsonDepth): boolean {
  // Depth never exceeds the number of '{' and '[' in the text: counted with indexOf (native, a
  // fraction of the character loop's cost), most texts (history rows, configs) end the check here.
  if (openersAtMost(text, max)) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return true;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return false;
}

/**
 * True when a parsed value nests deeper than `max`, or holds a number
 * beyond a double's range (JSON.parse makes 1e400 Infinity, which a
 * response cannot carry). Recursion stops at `max` levels, so the stack
 * stays bounded; nothing is allocated.
 */
export function unfitValue(value: unknown, max = maxUpstreamJsonDepth): boolean {
  if (typeof value !== 'object' || value === null) return typeof value === 'number' && !Number.isFinite(value);
  if (max <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (unfitValue(value[i], max - 1)) return true;
    return false;
  }
  for (const key in value) if (Object.hasOwn(value, key) && unfitValue((value as Record<string, unknown>)[key], max - 1)) return true;
  return false;
}

/**
 * The text of a W&B value, parsed as `value`, that may go out as it is:
 * `text`, unless it holds a \u escape of a character a key may hold, then
 * `value` printed again (a key written with escapes would pass the
 * response's search for keys, which looks for its plain forms).
 */
function outgoingText(text: string, value: unknown): string {
  return text.includes('\\u') && keyEscape.test(text) ? JSON.stringify(value) : text;
}

/** A \u escape of a character a key may hold (not one of jsonText's plain escapes). */
const keyEscape = new RegExp(`\\\\(?!${plainEscape})u`);

/** JSON text from W&B (NaN and ±Infinity made null), parsed after its depth is checked; `what` names it in the error. */
export function parseUpstreamJson(text: string, what: string): unknown {
  if (typeof text !== 'string') throw untrusted(`${what} is not JSON text`);
  return parsedFinite(finiteJson(text), what);
}

/**
 * JSON text from W&B parsed as {@link parseUpstreamJson} parses it, with
 * the text that may go out in its place as it is: NaN and ±Infinity made
 * null as in the value, and no \u escape of a character a key may hold.
 */
export function upstreamJsonText(text: string, what: string): { value: unknown; text: string } {
  if (typeof text !== 'string') throw untrusted(`${what} is not JSON text`);
  const finite = finiteJson(text);
  const value = parsedFinite(finite, what);
  return { value, text: outgoingText(finite, value) };
}

/** W&B's JSON text, its NaN and ±Infinity already made null, parsed after its depth is checked. */
function parsedFinite(text: string, what: string): unknown {
  if (jsonTextTooDeep(text)) throw untrusted(`${what} nests deeper than ${maxUpstreamJsonDepth} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw untrusted(`${what} is not valid JSON`);
  }
  // A number beyond a double's range needs a 3-digit exponent or more than 300 digits: only then is the value walked.
  if (mayOverflow.test(text) && unfitValue(value)) throw untrusted(`${what} holds a number beyond a double's range`);
  return value;
}

const mayOverflow = /[eE]\+?[0-9]{3}|[0-9]{300}/;

/** W&B's JSON text of an object field, parsed: {} when absent or null, UPSTREAM_UNAVAILABLE when not an object. */
export function upstreamObject(text: string | null | undefined, what: string): Record<string, unknown> {
  return text ? objectField(parseUpstreamJson(text, what), what) : {};
}

/** {@link upstreamObject} with the text that may go out in its place (see {@link upstreamJsonText}); null text when absent. */
export function upstreamObjectText(text: string | null | undefined, what: string): { value: Record<string, unknown>; text: string | null } {
  if (!text) return { value: {}, text: null };
  const parsed = upstreamJsonText(text, what);
  return { value: objectField(parsed.value, what), text: parsed.text };
}

/** A parsed object field: JSON null is an empty one; a list, a string or a number is not the object W&B's field holds. */
function objectField(value: unknown, what: string): Record<string, unknown> {
  if (value === null) return {};
  if (!isObject(value)) throw untrusted(`${what} is not a JSON object`);
  return value;
}

/** A value W&B sent already parsed (sampled history rows), checked for depth and for numbers beyond a double's range. */
export function checkedValue<T>(value: T, what: string): T {
  if (unfitValue(value)) throw untrusted(`${what} nests deeper than ${maxUpstreamJsonDepth} levels, or holds a number beyond a double's range`);
  return value;
}

/** A list from W&B, checked to be a list of at most `max` items (counted before any item is used). */
export function checkedList<T>(value: unknown, max: number, what: string): T[] {
  if (value === null || value === undefined) return [];
  if (!Array.isArray(value)) throw untrusted(`${what} is not a list`);
  if (value.length > max) throw untrusted(`${what} has ${value.length} items, more than the ${max} asked for`);
  return value as T[];
}

/**
 * A page of a W&B connection, checked: at most `first` edges, no total
 * below the edges it holds, and no "more follow" after an empty page (a
 * client paging on it would start over, for ever).
 */
export function checkedPage<T>(edges: unknown, first: number, hasNextPage: unknown, total: unknown, what: string): T[] {
  const list = checkedList<T>(edges, first, what);
  if (typeof total === 'number' && total < list.length) throw untrusted(`${what} counts ${total} items and holds ${list.length}`);
  if (list.length === 0 && first > 0 && hasNextPage === true) throw untrusted(`${what} is empty and says more follow`);
  return list;
}

/**
 * A run W&B returned for `ref`: its name must be the run asked for and its
 * id (base64 of Run:v1:<run>:<project>:<entity>) must name the same run,
 * project and entity (W&B's names compare without case).
 */
export function checkRun(run: { id?: string | null; name?: string | null }, ref: RunRef): void {
  if (run.name !== ref.runId) throw untrusted(`asked for run ${ref.runId}, got another run`);
  checkRunIn(run, ref.entity, ref.project);
}

/** A run W&B returned from project `entity/project`: its id must place it there. */
export function checkRunIn(run: { id?: string | null; name?: string | null }, entity: string, project: string): void {
  if (typeof run.name !== 'string' || run.name.length === 0) throw untrusted('a run has no name');
  if (run.id === null || run.id === undefined || run.id === '') return; // no id: the subgraph derives it from the path
  // The id W&B gives a run of this project, encoded here: equal, it names the same run, project
  // and entity (what decoding would find, at half the cost), unless a name could not round-trip.
  if (run.id === encodeRunId({ runId: run.name, project, entity }) && plainName.test(run.name) && plainName.test(entity) && plainName.test(project)) return;
  const ref = decodeRunId(run.id, 'any');
  if (!ref) throw untrusted(`run ${run.name} has an id that is not a run id`);
  if (ref.runId !== run.name || ref.entity.toLowerCase() !== entity.toLowerCase() || ref.project.toLowerCase() !== project.toLowerCase()) {
    throw untrusted(`run ${run.name} belongs to another entity, project or run than asked for`);
  }
}

/** A history row's step (its _step), which must be an integer inside [lo, hi) when bounds are given. */
export function checkedStep(step: unknown, lo: number | null, hi: number | null, what: string): number {
  if (typeof step !== 'number' || !Number.isInteger(step) || step < 0) throw untrusted(`${what}: a row has no valid _step`);
  if ((lo !== null && step < lo) || (hi !== null && step >= hi)) throw untrusted(`${what}: a row's step is outside the window asked for`);
  return step;
}

/** An artifact's id from W&B: an Artifact node id (base64 of "Artifact:<n>"), which `node(id)` resolves to it and to nothing else. */
export function artifactId(id: string): string {
  const n = decodeNodeId('Artifact', id, 'any');
  if (n === null) throw untrusted('an artifact has an id that is not an artifact id');
  // Given as this subgraph reads ids back (node(id), references): spelled as they are written.
  return encodeNodeId('Artifact', n);
}

/** A URL W&B gives for a download: http(s) only (a `javascript:` or `data:` URL would run in a frontend's page). */
export function downloadUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  if (!/^https?:\/\//i.test(url)) throw untrusted('a file URL is not http(s)');
  return url;
}

/**
 * A non-null field whose W&B value fails a check (too deep, not JSON, an
 * unknown state) fails alone: it resolves to `placeholder` and its error
 * joins the response at its path (Context.fieldErrors), so the run, and
 * the page around it, survive. Nullability would otherwise carry the
 * error up to the whole page.
 */
export function failsAlone<T>(ctx: Context, info: GraphQLResolveInfo, placeholder: T, value: () => T): T {
  try {
    return value();
  } catch (error) {
    if (!(error instanceof GraphQLError) || !ctx.fieldErrors) throw error;
    ctx.fieldErrors.push(new GraphQLError(error.message, { path: responsePathAsArray(info.path), extensions: error.extensions }));
    return placeholder;
  }
}

// Private:

/** True when `text` holds at most `max` opening brackets ('{' and '['), inside strings or not. */
function openersAtMost(text: string, max: number): boolean {
  if (text.length <= max) return true;
  let count = 0;
  for (let i = text.indexOf('{'); i >= 0; i = text.indexOf('{', i + 1)) if (++count > max) return false;
  for (let i = text.indexOf('['); i >= 0; i = text.indexOf('[', i + 1)) if (++count > max) return false;
  return true;
}

/** A name that survives a run id's encoding as it is: no ':' (the id's separator), no UTF-16 surrogate (a lone one would not round-trip). */
const plainName = /^[^:\ud800-\udfff]+$/;
