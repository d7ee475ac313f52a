/**
 * NaN and ±Infinity, which W&B keeps as the Python client logs them
 * (tokens in its JSON text) and JSON cannot carry: the subgraph gives them
 * as null, in history rows, summaries and sampled history, read one by one
 * or with a page of runs, and the response stays JSON.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startStack, subgraphClient, type Stack } from '../../helpers/stack.js';
import { createRun, updateRun } from '../../../emulator/src/store/runs.js';
import { appendHistory } from '../../../emulator/src/store/history.js';
import { visibleProject } from '../../../emulator/src/store/accounts.js';
import type { UserRow } from '../../../emulator/src/store/types.js';

let stack: Stack;
let query: ReturnType<typeof subgraphClient>;
const path = 'demo/scratch/nonfinite1';

beforeAll(async () => {
  stack = await startStack();
  query = subgraphClient(stack);
  const db = stack.emulator.db;
  const user = db.prepare(`SELECT * FROM users WHERE username = 'demo'`).get() as UserRow;
  const project = visibleProject(db, user, 'demo', 'scratch')!;
  const run = createRun(db, project.id, 'nonfinite1', user.id, '2026-11-01T00:00:00Z', { state: 'finished', displayName: 'non-finite' });
  appendHistory(db, run.id, [
    '{"_step":0,"loss":1.5,"note":"NaN stays text"}',
    '{"_step":1,"loss":NaN,"grad":Infinity}',
    '{"_step":2,"loss":-Infinity,"nested":{"x":[NaN,1]}}',
  ]);
  updateRun(db, run.id, { summary: '{"loss":NaN,"best":-Infinity,"ok":2,"label":"Infinity"}' }, '2026-11-01T00:00:01Z');
});

afterAll(() => stack?.close());

describe('non-finite numbers from W&B', () => {
  it('history rows hold null where W&B has NaN or ±Infinity, and strings are left as they are', async () => {
    const res = await query(`{ run(path: "${path}") { history(first: 10) { edges { node { step values } } } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.run.history.edges.map((e: any) => e.node.values)).toEqual([
      { _step: 0, loss: 1.5, note: 'NaN stays text' },
      { _step: 1, loss: null, grad: null },
      { _step: 2, loss: null, nested: { x: [null, 1] } },
    ]);
  });

  it('the summary, whole or by keys, alone or in a runs page', async () => {
    const res = await query(`{ run(path: "${path}") { summary best: summary(keys: ["best", "label"]) } runs(entity: "demo", project: "scratch", first: 50) { nodes { runId summary } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.run.summary).toEqual({ loss: null, best: null, ok: 2, label: 'Infinity' });
    expect(res.data.run.best).toEqual({ best: null, label: 'Infinity' });
    expect(res.data.runs.nodes.find((n: any) => n.runId === 'nonfinite1').summary).toEqual({ loss: null, best: null, ok: 2, label: 'Infinity' });
  });

  it('a runs page ordered by a summary key a run holds as NaN: that run sorts as lacking it', async () => {
    const res = await query(`{ runs(entity: "demo", project: "scratch", first: 50, order: "-summary_metrics.loss") { nodes { runId } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.runs.nodes.map((n: any) => n.runId)).toContain('nonfinite1');
  });

  it('an edit of the summary keeps the NaN and infinities W&B holds, as tokens', async () => {
    const res = await query(`mutation { updateRun(input: { path: "${path}", summary: { extra: 1 } }) { run { summary } } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.updateRun.run.summary).toEqual({ loss: null, best: null, ok: 2, label: 'Infinity', extra: 1 });
    const stored = stack.emulator.db.prepare(`SELECT summary FROM runs WHERE name = 'nonfinite1'`).pluck().get() as string;
    expect(stored).toBe('{"loss":NaN,"best":-Infinity,"ok":2,"label":"Infinity","extra":1}');
  });

  it('a caller\'s text that looks like the edit\'s markers stays text', async () => {
    const forged = { '\ue000non-finite:NaN': 1, v: '\ue000non-finite:Infinity', w: 'NaN' };
    const res = await query('mutation U($s: JSON) { updateRun(input: { path: "demo/scratch/nonfinite1", summary: $s }) { run { summary } } }', { s: forged });
    expect(res.errors).toBeUndefined();
    expect(res.data.updateRun.run.summary).toMatchObject(forged);
    expect((await query(`{ run(path: "${path}") { summary } }`)).data.run.summary).toMatchObject({ ...forged, loss: null });
  });

  it('sampled history', async () => {
    const res = await query(`{ run(path: "${path}") { sampledHistory(keys: ["loss"]) } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data.run.sampledHistory).toEqual([
      { _step: 0, loss: 1.5 },
      { _step: 1, loss: null },
      { _step: 2, loss: null },
    ]);
  });
});
