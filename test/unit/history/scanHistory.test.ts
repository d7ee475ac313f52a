/** The history connection's window algorithm against an in-memory W&B history. */
import { describe, expect, it } from '@jest/globals';
import { scanHistory, stepRows } from '../../../src/history/history.js';
import type { RunField } from '../../../src/wandb/documents.js';

/** Keeps `samples` of `rows`, evenly, as W&B does when a window holds more rows than samples. */
function sample<T>(rows: T[], samples: number): T[] {
  if (rows.length <= samples) return rows;
  return Array.from({ length: samples }, (_, i) => rows[Math.round((i * (rows.length - 1)) / (samples - 1))]);
}

/** A fake upstream with W&B's window semantics, recording each window's size. */
function upstream(steps: number[], keyed: (step: number) => boolean) {
  const windows: { lo: number; hi: number; rows: number }[] = [];
  const load = async (f: RunField): Promise<unknown> => {
    if (f.kind === 'history') {
      const rows = sample(steps.filter((s) => s >= f.minStep! && s < f.maxStep!), f.samples);
      windows.push({ lo: f.minStep!, hi: f.maxStep!, rows: rows.length });
      return rows.map((s) => JSON.stringify({ _step: s, v: s }));
    }
    if (f.kind === 'sampledHistory') {
      const spec = JSON.parse(f.spec);
      const rows = sample(steps.filter((s) => s >= spec.minStep && s <= spec.maxStep && keyed(s)), spec.samples);
      windows.push({ lo: spec.minStep, hi: spec.maxStep + 1, rows: rows.length });
      return rows.map((s) => ({ _step: s, k: s }));
    }
    throw new Error(`unexpected ${f.kind}`);
  };
  return { load, windows };
}

async function scanAll(load: (f: RunField) => Promise<unknown>, keys: string[] | null, end: number, first: number, density: number) {
  const seen: number[] = [];
  let start = 0;
  for (;;) {
    const page = await scanHistory(load, { keys, start, end, first, density });
    seen.push(...page.rows.map((r) => r.step));
    if (!page.hasNextPage) return seen;
    start = page.rows[page.rows.length - 1].step + 1;
  }
}

describe('scanHistory', () => {
  it('returns every row once, in order, with windows no larger than the page', async () => {
    const steps = Array.from({ length: 10_000 }, (_, i) => i);
    const { load, windows } = upstream(steps, () => true);
    expect(await scanAll(load, null, 10_000, 1000, 1)).toEqual(steps);
    expect(Math.max(...windows.map((w) => w.rows))).toBeLessThanOrEqual(1001);
  });

  it('reads a key logged every 50 steps in few, wide windows and never returns an empty page', async () => {
    const steps = Array.from({ length: 100_000 }, (_, i) => i);
    const { load, windows } = upstream(steps, (s) => s % 50 === 0);
    const seen = await scanAll(load, ['k'], 100_000, 500, 1 / 50);
    expect(seen).toEqual(steps.filter((s) => s % 50 === 0));
    expect(windows.length).toBeLessThanOrEqual(2 * Math.ceil(2000 / 500) + 2);
  });

  it('keeps memory bounded by the page size when the density estimate is wrong', async () => {
    // Dense first half, empty second half, dense tail: the estimate (average) is off both ways.
    const steps = Array.from({ length: 60_000 }, (_, i) => i);
    const keyed = (s: number) => s < 10_000 || s >= 59_000;
    const { load, windows } = upstream(steps, keyed);
    const seen = await scanAll(load, ['k'], 60_000, 100, 11_000 / 60_000);
    expect(seen).toEqual(steps.filter(keyed));
    expect(Math.max(...windows.map((w) => w.rows))).toBeLessThanOrEqual(2 * 101);
  });

  it('finds a key logged once, at the last of 100,000 steps, in one window', async () => {
    const steps = Array.from({ length: 100_000 }, (_, i) => i);
    const { load, windows } = upstream(steps, (s) => s === 99_999);
    expect(await scanAll(load, ['k'], 100_000, 10, 1 / 100_000)).toEqual([99_999]);
    expect(windows).toHaveLength(1);
  });

  it('narrows a window that came back sampled, and still returns every row once', async () => {
    // Density says 1 row in 1,000 steps, but the first 5,000 steps hold a row each.
    const steps = Array.from({ length: 50_000 }, (_, i) => i);
    const keyed = (s: number) => s < 5_000 || s % 1000 === 0;
    const { load, windows } = upstream(steps, keyed);
    expect(await scanAll(load, ['k'], 50_000, 100, 1 / 1000)).toEqual(steps.filter(keyed));
    expect(Math.max(...windows.map((w) => w.rows))).toBeLessThanOrEqual(2 * 101);
  });

  it('stops at the end and honours a start inside the run', async () => {
    const steps = [0, 1, 2, 5, 9];
    const { load } = upstream(steps, () => true);
    const page = await scanHistory(load, { keys: null, start: 2, end: 9, first: 10, density: 1 });
    expect(page.rows.map((r) => r.step)).toEqual([2, 5]);
    expect(page.hasNextPage).toBe(false);
  });
});

describe('history rows read from W&B text', () => {
  const field: RunField = { kind: 'history', minStep: 0, maxStep: 100, samples: 10 };
  const outcome = (text: string) => {
    try {
      const [r] = stepRows(field, [text]);
      return { step: r.step, row: r.row, text: r.text };
    } catch (error) {
      return { error: (error as Error).message };
    }
  };

  it('gives flat rows (checked as text) the step and values that parsing gives', () => {
    for (const t of ['{"_step":5,"loss":0.5}', '{"loss":0.5, "_step": 7}', '{"_step":1e1,"a":"x"}', '{"_step":0,"b":null,"c":true}']) {
      expect(outcome(t)).toEqual({ step: JSON.parse(t)._step, row: JSON.parse(t), text: t });
    }
  });

  it('refuses what it refused when parsed: a step missing, twice, not a number, negative or outside the window', () => {
    expect(outcome('{"loss":1}')).toEqual({ error: 'W&B sent an answer that fails a check: history: a row has no valid _step' });
    expect(outcome('{"_step":"5"}')).toEqual({ error: 'W&B sent an answer that fails a check: history: a row has no valid _step' });
    expect(outcome('{"_step":-1}')).toEqual({ error: 'W&B sent an answer that fails a check: history: a row has no valid _step' });
    expect(outcome('{"_step":1.5}')).toEqual({ error: 'W&B sent an answer that fails a check: history: a row has no valid _step' });
    expect(outcome('{"_step":null}')).toEqual({ error: 'W&B sent an answer that fails a check: history: a row has no valid _step' });
    expect(outcome('{"_step":100}')).toEqual({ error: "W&B sent an answer that fails a check: history: a row's step is outside the window asked for" });
    // JSON.parse keeps the last of two equal keys: so does the subgraph.
    expect(outcome('{"_step":500,"_step":5}')).toEqual({ step: 5, row: { _step: 5 }, text: '{"_step":500,"_step":5}' });
    expect(outcome('{"_step":5,"x":{"_step":500}}').step).toBe(5);
    expect(outcome('{"_step":5,').error).toMatch(/not valid JSON/);
  });
});
