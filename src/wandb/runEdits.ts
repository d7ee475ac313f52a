/**
 * A run's config and summary as W&B stores them after an edit: the config
 * replaced, each value wrapped {value, desc} as W&B keeps it and W&B's own
 * `_wandb` key kept; the summary merged into the old one, a key set to
 * null removed; text fields and tags cleared the way W&B clears them.
 * Keys such as "__proto__" are stored as keys.
 */

/** The config text to send for `config`, given the run's current config text. */
export function editedConfig(current: string | null | undefined, config: Record<string, unknown>): string {
  const wrapped: Record<string, unknown> = {};
  const old = JSON.parse(current ?? '{}') as Record<string, unknown>;
  if (old._wandb !== undefined) setOwn(wrapped, '_wandb', old._wandb);
  for (const [k, v] of Object.entries(config)) setOwn(wrapped, k, { value: v, desc: null });
  return JSON.stringify(wrapped);
}

/** The summary text to send for `summary`, given the run's current summary text. */
export function editedSummary(current: string | null | undefined, summary: Record<string, unknown>): string {
  const merged = JSON.parse(current ?? '{}') as Record<string, unknown>;
  for (const [k, v] of Object.entries(summary)) {
    if (v === null) delete merged[k];
    else setOwn(merged, k, v);
  }
  return JSON.stringify(merged);
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

// Private:

/** Sets a key as an own property, so that a key such as "__proto__" is stored, not taken as the prototype. */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
