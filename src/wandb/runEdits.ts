/**
 * A run's config and summary as W&B stores them after an edit: the config
 * replaced, each value wrapped {value, desc} as W&B keeps it and W&B's own
 * `_wandb` key kept; the summary merged into the old one, a key set to
 * null removed; text fields and tags cleared the way W&B clears them.
 * Keys such as "__proto__" are stored as keys.
 */
import { randomBytes } from 'node:crypto';
import { badInput } from '../errors.js';
import { isObject, setOwn } from '../objects.js';
import { maxUpstreamJsonDepth, unfitValue } from './trust.js';
import { withNonFinite } from './nonFinite.js';

/**
 * A config or summary to write, checked: a JSON object that reads will
 * take back (its text no deeper than W&B's answers may be, the config's
 * {value} wrapper counted), without W&B's own `_wandb` key, which holds the
 * run's metadata. BAD_USER_INPUT otherwise, before anything is sent.
 */
export function checkedEdit(value: unknown, what: 'config' | 'summary'): Record<string, unknown> {
  if (!isObject(value)) throw badInput(`${what} must be a JSON object`);
  if (Object.hasOwn(value, '_wandb')) throw badInput(`${what} key "_wandb" is W&B's own and cannot be set`);
  if (unfitValue(value, maxUpstreamJsonDepth - 1)) throw badInput(`${what} nests deeper than ${maxUpstreamJsonDepth - 1} levels`);
  return value;
}

/** The config text to send for `config`, given the run's current config text. */
export function editedConfig(current: string | null | undefined, config: Record<string, unknown>): string {
  const wrapped: Record<string, unknown> = {};
  const old = parsedForEdit(current);
  if (old._wandb !== undefined) setOwn(wrapped, '_wandb', old._wandb);
  for (const [k, v] of Object.entries(config)) setOwn(wrapped, k, { value: v, desc: null });
  return printedEdit(wrapped);
}

/** The summary text to send for `summary`, given the run's current summary text. */
export function editedSummary(current: string | null | undefined, summary: Record<string, unknown>): string {
  const merged = parsedForEdit(current);
  for (const [k, v] of Object.entries(summary)) {
    if (v === null) delete merged[k];
    else setOwn(merged, k, v);
  }
  return printedEdit(merged);
}

/**
 * An edited text field (display name, notes, group, job type) as W&B takes
 * it: W&B leaves a null field unchanged, so a field cleared with null is
 * sent as "" (read back as null); absent stays absent.
 */
export function editedText(value: string | null | undefined): string | undefined {
  return value === null ? '' : value;
}

/** Edited tags as W&B takes them: null clears them ([]); absent stays absent. */
export function editedTags(tags: string[] | null | undefined): string[] | undefined {
  return tags === null ? [] : tags;
}

/**
 * A run's config or summary text as W&B holds it, parsed for an edit: NaN
 * and ±Infinity (which W&B keeps, as the clients log them) are held as
 * markers, which {@link printedEdit} writes back as the tokens they were.
 */
function parsedForEdit(current: string | null | undefined): Record<string, unknown> {
  return JSON.parse(withNonFinite(current ?? '{}', (token) => `"${marker}${token}"`)) as Record<string, unknown>;
}

/** An edited config or summary as text, with the markers of {@link parsedForEdit} written back as tokens. */
function printedEdit(value: Record<string, unknown>): string {
  const text = JSON.stringify(value);
  return text.includes(marker) ? text.replace(markedToken, '$1') : text;
}

/**
 * Marks a token JSON cannot hold: a private-use character and a nonce of
 * this process, which no caller's text can hold by chance or on purpose.
 */
const marker = `\ue000${randomBytes(12).toString('hex')}:`;
const markedToken = new RegExp(`"${marker}(NaN|-?Infinity)"`, 'g');
