/** A run's config and summary as W&B stores them after an edit (runEdits.ts). */
import { describe, expect, it } from '@jest/globals';
import { editedConfig, editedSummary } from '../../../src/wandb/runEdits.js';

describe('run edits', () => {
  it('replace the config, each value wrapped as W&B keeps it, W&B\'s own _wandb kept', () => {
    const current = JSON.stringify({ _wandb: { value: { cli_version: '0.30.0' } }, lr: { value: 0.1, desc: null }, old: { value: 1 } });
    const edited = JSON.parse(editedConfig(current, { lr: 0.2, layers: [64, 32] }));
    expect(edited).toEqual({ _wandb: { value: { cli_version: '0.30.0' } }, lr: { value: 0.2, desc: null }, layers: { value: [64, 32], desc: null } });
    expect(JSON.parse(editedConfig(null, { a: 1 }))).toEqual({ a: { value: 1, desc: null } });
  });

  it('merge the summary into the old one, a key set to null removed', () => {
    const current = JSON.stringify({ loss: 0.5, acc: 0.7, best: { epoch: 3 } });
    expect(JSON.parse(editedSummary(current, { loss: 0.4, acc: null, note: 'x' }))).toEqual({ loss: 0.4, best: { epoch: 3 }, note: 'x' });
    expect(JSON.parse(editedSummary(undefined, { a: 1 }))).toEqual({ a: 1 });
  });

  it('store a key such as "__proto__" as a key', () => {
    const config = JSON.parse('{"__proto__": {"polluted": true}}') as Record<string, unknown>;
    expect(editedConfig('{}', config)).toBe('{"__proto__":{"value":{"polluted":true},"desc":null}}');
    expect(editedSummary('{}', config)).toBe('{"__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
