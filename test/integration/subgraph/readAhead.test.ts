/** Reading an ended run's history page after page: pages come from what was read ahead, per caller. */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_API_KEY, OTHER_API_KEY } from '../../../emulator/src/seed.js';
import { startStack, subgraphClient, type Stack } from '../../helpers/stack.js';
import { wandbClient } from '../../../emulator/test/helpers/emulator.js';

const PAGE = `query H($path: String!, $after: String) { run(path: $path) { history(first: 1000, after: $after) { edges { node { step } } pageInfo { hasNextPage endCursor } } } }`;

describe('history read-ahead', () => {
  let stack: Stack;
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    stack = await startStack();
    const w = wandbClient(stack.emulator, DEMO_API_KEY);
    for (const [name, state] of [['ended001', 'finished'], ['running1', 'running']]) {
      await w.gql(`mutation { upsertBucket(input: {entityName: "demo", modelName: "ahead", name: "${name}", state: "${state}"}) { inserted } }`);
      const content = Array.from({ length: 5000 }, (_, step) => JSON.stringify({ _step: step, loss: step }));
      await w.filestream(`demo/ahead/${name}`, { files: { 'wandb-history.jsonl': { offset: 0, content } } });
      if (state === 'finished') await w.filestream(`demo/ahead/${name}`, { complete: true, exitcode: 0 });
    }
  });
  afterAll(() => stack.close());

  /** Pages through a run's history with a pause between pages; W&B answers every request after DELAY ms. */
  // Long enough that a page served from memory on a loaded machine stays well under it.
  const DELAY = 600;
  async function scan(path: string, key = DEMO_API_KEY) {
    const query = subgraphClient(stack, key);
    const steps: number[] = [];
    const latency: number[] = [];
    let after: string | null = null;
    stack.emulator.setDelay(DELAY);
    try {
      for (;;) {
        const started = performance.now();
        const res: any = await query(PAGE, { path, after });
        latency.push(performance.now() - started);
        if (!res.data.run) return { steps, latency, missing: true };
        steps.push(...res.data.run.history.edges.map((e: any) => e.node.step));
        if (!res.data.run.history.pageInfo.hasNextPage) return { steps, latency, missing: false };
        after = res.data.run.history.pageInfo.endCursor;
        await sleep(2 * DELAY);
      }
    } finally {
      stack.emulator.setDelay(0);
    }
  }

  it('serves the later pages of an ended run from windows read ahead, without waiting for W&B, every row once', async () => {
    const { steps, latency } = await scan('demo/ahead/ended001');
    expect(steps).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    expect(latency[0]).toBeGreaterThanOrEqual(DELAY);
    // The later pages were fetched while the caller paused: none waits for W&B's delay.
    expect(latency.slice(1).every((ms) => ms < DELAY)).toBe(true);
  });

  it('never serves one caller what was read ahead for another', async () => {
    await scan('demo/ahead/ended001');
    const other = await scan('demo/ahead/ended001', OTHER_API_KEY);
    expect(other.missing).toBe(true);
  });

  it('does not read ahead a running run: every page waits for W&B', async () => {
    const { steps, latency } = await scan('demo/ahead/running1');
    expect(steps).toHaveLength(5000);
    expect(latency.every((ms) => ms >= DELAY)).toBe(true);
  });
});
