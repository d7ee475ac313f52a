/** Run values as the contract gives them: W&B's JSON text as objects, dates in UTC, the run's app URL. */
import { rawOr, rawText, type RawJsonSink } from './rawJson.js';
import { isShallowObject, unwrappedConfig } from '../wandb/jsonText.js';
import { upstreamObject, upstreamObjectText } from '../wandb/trust.js';
import { isObject, setOwn } from '../objects.js';
import { inRange } from '../wandb/paths.js';
import type { RunState } from '../generated/subgraph.js';

/**
 * A JSON object field (summary, system metrics), projected to `keys` when
 * given; {} when empty (UPSTREAM_UNAVAILABLE when not an object). Whole, it goes out as W&B's text
 * when the request has a sink (see rawJson.ts).
 */
export function runObject(text: string | null | undefined, what: string, keys?: readonly string[] | null, raw?: RawJsonSink): unknown {
  // A shallow object (most summaries) is checked by one match, not parsed.
  if (raw && !keys && text && text !== '{}' && isShallowObject(text)) return rawText(raw, text);
  const { value, text: out } = upstreamObjectText(text, `the run's ${what}`);
  if (keys) return pick(value, keys);
  return out && hasOwnKey(value) ? rawOr(raw, out, value) : value;
}

/**
 * The run's config: W&B stores values as {value, desc}; the Python client
 * unwraps them and hides _wandb and wandb_version. Whole, and of the usual
 * kind, it goes out as text unwrapped without parsing when the request has
 * a sink (see rawJson.ts).
 */
export function configObject(text: string | null | undefined, keys?: readonly string[] | null, sink?: RawJsonSink): unknown {
  const unwrapped = sink && !keys && text ? unwrappedConfig(text) : null;
  if (unwrapped !== null) return rawText(sink!, unwrapped);
  const raw = upstreamObject(text, "the run's config");
  const out: Record<string, unknown> = {};
  for (const k of keys ?? Object.keys(raw)) {
    if (k === '_wandb' || k === 'wandb_version' || !Object.hasOwn(raw, k)) continue;
    const v = raw[k];
    setOwn(out, k, isObject(v) && 'value' in v ? v.value : v);
  }
  return out;
}

/** W&B prints some dates without a zone; they are UTC. */
export function isoDate(value: string | null | undefined): string | null {
  if (!value) return null;
  return /[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`;
}

export function runUrl(appUrl: string, r: { entity: string; project: string; name: string }): string {
  return `${appUrl}/${encodeURIComponent(r.entity)}/${encodeURIComponent(r.project)}/runs/${encodeURIComponent(r.name)}`;
}

/** The HTML that embeds the run's page, as the Python client's Run.to_html writes it. */
export function runHtml(appUrl: string, r: { entity: string; project: string; name: string }, height: number, hidden: boolean): string {
  inRange('height', height, 1, 10_000);
  const style = `border:none;width:100%;height:${height}px;${hidden ? 'display:none;' : ''}`;
  return `<iframe src="${escapeHtml(`${runUrl(appUrl, r)}?jupyter=true`)}" style="${style}"></iframe>`;
}

/** The contract's RunState for a state W&B reports (any case); null for one the contract does not know. */
export function runState(state: unknown): RunState | null {
  const key = typeof state === 'string' ? state.toLowerCase() : '';
  // Own keys only: a state named "constructor" is not one of the contract's.
  return Object.hasOwn(states, key) ? states[key] : null;
}

// Private:

const states: Record<string, RunState> = {
  pending: 'PENDING',
  running: 'RUNNING',
  finished: 'FINISHED',
  crashed: 'CRASHED',
  failed: 'FAILED',
  killed: 'KILLED',
  preempting: 'PREEMPTING',
  preempted: 'PREEMPTED',
};

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function pick(obj: Record<string, unknown>, keys: readonly string[] | null | undefined): Record<string, unknown> {
  if (!keys) return obj;
  const out: Record<string, unknown> = {};
  for (const k of keys) if (Object.hasOwn(obj, k)) setOwn(out, k, obj[k]);
  return out;
}

/** True when an object has an own enumerable key (without listing them all, as Object.keys would). */
function hasOwnKey(obj: Record<string, unknown>): boolean {
  for (const k in obj) if (Object.hasOwn(obj, k)) return true;
  return false;
}
