/** W&B's filestream ingest: history, events, summary and run state, over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Emulator } from '../src/server.js';
import { DEMO_API_KEY } from '../src/seed.js';
import { startTestEmulator, wandbClient } from './helpers/emulator.js';

const RUN_QUERY = `query R($e: String!, $p: String!, $n: String!) { project(entityName: $e, name: $p) { run(name: $n) {
  state historyLineCount summaryMetrics systemMetrics heartbeatAt historyKeys history(samples: 100000) } } }`;

describe('filestream ingest', () => {
  let emulator: Emulator;
  let client: ReturnType<typeof wandbClient>;
  const upsert = `mutation U($e: String, $p: String, $n: String!) { upsertBucket(input: {entityName: $e, modelName: $p, name: $n}) { inserted } }`;
  const load = async (name: string) => (await client.gql(RUN_QUERY, { e: 'demo', p: 'stream', n: name })).data!.project.run;
  const row = (step: number, extra: object = {}) => JSON.stringify({ _step: step, loss: step / 10, ...extra });

  beforeAll(async () => {
    emulator = await startTestEmulator();
    client = wandbClient(emulator, DEMO_API_KEY);
  });
  afterAll(() => emulator.close());

  it('appends history at offsets, records keys and lastStep, and does not duplicate a resent chunk', async () => {
    await client.gql(upsert, { e: 'demo', p: 'stream', n: 'stream01' });
    const chunk1 = { files: { 'wandb-history.jsonl': { offset: 0, content: [row(0), row(1), row(2)] } } };
    expect((await client.filestream('demo/stream/stream01', chunk1)).status).toBe(200);
    // The client resends the same chunk after a timeout, then overlapping lines with one new.
    await client.filestream('demo/stream/stream01', chunk1);
    await client.filestream('demo/stream/stream01', { files: { 'wandb-history.jsonl': { offset: 2, content: [row(2), row(3, { acc: 1 })] } } });
    const run = await load('stream01');
    expect(run.historyLineCount).toBe(4);
    expect(run.history.map((r: string) => JSON.parse(r)._step)).toEqual([0, 1, 2, 3]);
    expect(run.historyKeys.lastStep).toBe(3);
    expect(run.historyKeys.keys.acc.typeCounts).toEqual([{ type: 'number', count: 1 }]);
    expect(run.historyKeys.keys.loss.typeCounts).toEqual([{ type: 'number', count: 4 }]);
  });

  it('numbers rows without _step after the last step', async () => {
    await client.gql(upsert, { e: 'demo', p: 'stream', n: 'stream02' });
    await client.filestream('demo/stream/stream02', { files: { 'wandb-history.jsonl': { offset: 0, content: ['{"a": 1}', '{"a": 2}'] } } });
    const run = await load('stream02');
    expect(run.history.map((r: string) => JSON.parse(r))).toEqual([{ a: 1, _step: 0 }, { a: 2, _step: 1 }]);
  });

  it('replaces the summary, keeps system metrics from events, beats the heartbeat and finishes or fails the run', async () => {
    await client.gql(upsert, { e: 'demo', p: 'stream', n: 'stream03' });
    const before = await load('stream03');
    await new Promise((r) => setTimeout(r, 1100));
    await client.filestream('demo/stream/stream03', {
      files: {
        'wandb-summary.json': { offset: 0, content: ['{"loss": 0.5}', '{"loss": 0.25, "acc": 0.9}'] },
        'wandb-events.jsonl': { offset: 0, content: ['{"_wandb": true, "_timestamp": 1, "_runtime": 1, "system.cpu": 12.5}'] },
      },
    });
    const mid = await load('stream03');
    expect(JSON.parse(mid.summaryMetrics)).toEqual({ loss: 0.25, acc: 0.9 });
    expect(JSON.parse(mid.systemMetrics)).toEqual({ 'system.cpu': 12.5 });
    expect(mid.state).toBe('running');
    expect(mid.heartbeatAt > before.heartbeatAt).toBe(true);
    await client.filestream('demo/stream/stream03', { complete: true, exitcode: 0 });
    expect((await load('stream03')).state).toBe('finished');

    await client.gql(upsert, { e: 'demo', p: 'stream', n: 'stream04' });
    await client.filestream('demo/stream/stream04', { complete: true, exitcode: 1 });
    expect((await load('stream04')).state).toBe('failed');
  });

  it('rejects malformed bodies with 400 and changes nothing', async () => {
    await client.gql(upsert, { e: 'demo', p: 'stream', n: 'stream05' });
    for (const body of [
      [],
      { files: { 'wandb-history.jsonl': { offset: -1, content: [] } } },
      { files: { 'wandb-history.jsonl': { offset: 0, content: ['{"ok": 1}', 'not json'] } } },
      { files: { 'wandb-history.jsonl': { offset: 0, content: ['[1, 2]'] } } },
      { exitcode: 'x' },
    ]) {
      const res = await client.filestream('demo/stream/stream05', body);
      expect(res.status).toBe(400);
      expect(typeof res.body.error).toBe('string');
    }
    expect((await load('stream05')).historyLineCount).toBe(0);
  });

  it('answers 404 for an unknown or invisible run and 401 without a key', async () => {
    expect((await client.filestream('demo/stream/nosuchrun', { files: {} })).status).toBe(404);
    expect((await client.filestream('other/private-experiments/anything', { files: {} })).status).toBe(404);
    const res = await fetch(`${emulator.url}/files/demo/stream/stream01/file_stream`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(401);
  });
});
