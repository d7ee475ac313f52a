/**
 * runUpdated end to end through Hive Gateway: the client subscribes to the
 * gateway over server-sent events; the gateway reaches the subgraph over
 * graphql-ws, passing the caller's key in the connection params.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { composeSupergraph, fetchSubgraphSdl } from '../../scripts/federation.js';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { wandbClient } from '../../emulator/test/helpers/emulator.js';

describe('runUpdated through Hive Gateway', () => {
  let stack: Stack;
  let gateway: ReturnType<typeof createGatewayRuntime>;
  let server: Server;
  let url: string;
  const auth = `Basic ${Buffer.from(`api:${DEMO_API_KEY}`).toString('base64')}`;

  beforeAll(async () => {
    stack = await startStack({ subgraph: { live: { intervalMs: 100, maxIntervalMs: 400 } } });
    const { supergraphSdl } = composeSupergraph([{ name: 'wandb', url: stack.subgraph.url, sdl: await fetchSubgraphSdl(stack.subgraph.url) }]);
    gateway = createGatewayRuntime({
      supergraph: supergraphSdl,
      logging: false,
      propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }) },
      transportEntries: {
        wandb: {
          options: {
            subscriptions: { kind: 'ws', location: '/graphql', options: { connectionParams: { authorization: '{context.headers.authorization}' } } },
          },
        },
      },
    });
    server = createServer(gateway);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }, 60_000);
  afterAll(async () => {
    await gateway.dispose();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await stack.close();
  });

  it('streams RUNNING, then FINISHED, then ends', async () => {
    const w = wandbClient(stack.emulator, DEMO_API_KEY);
    await w.gql('mutation { upsertBucket(input: {entityName: "demo", modelName: "live", name: "hive0001", state: "running"}) { inserted } }');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: auth },
      body: JSON.stringify({ query: 'subscription { runUpdated(path: "demo/live/hive0001") { path state lastStep } }' }),
    });
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const events: any[] = [];
    let buffer = '';
    let streamed = false;
    const decoder = new TextDecoder();
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      for (let i = buffer.indexOf('\n\n'); i >= 0; i = buffer.indexOf('\n\n')) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const data = block.split('\n').find((l) => l.startsWith('data:'));
        if (data && data.length > 5) events.push(JSON.parse(data.slice(5)));
      }
      if (events.length >= 1 && !streamed) {
        streamed = true;
        await w.filestream('demo/live/hive0001', { files: { 'wandb-history.jsonl': { offset: 0, content: ['{"_step": 0, "loss": 1}', '{"_step": 1, "loss": 0.5}'] } } });
        setTimeout(() => void w.filestream('demo/live/hive0001', { complete: true, exitcode: 0 }), 400);
      }
    }
    await reader.cancel().catch(() => {});
    const runs = events.filter((e) => e.data).map((e) => e.data.runUpdated);
    expect(events.filter((e) => e.errors)).toEqual([]);
    expect(runs[0]).toEqual({ path: 'demo/live/hive0001', state: 'RUNNING', lastStep: null });
    expect(runs.some((r) => r.lastStep === 1)).toBe(true);
    expect(runs[runs.length - 1].state).toBe('FINISHED');
  });
});
