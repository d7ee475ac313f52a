/**
 * One trace through the supergraph: a request with a traceparent reaches
 * Hive Gateway (its OpenTelemetry plugin on), which calls this subgraph;
 * the gateway's spans, the subgraph's operation span under them, and the
 * W&B request spans under that land in one trace at the OTLP collector.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createGatewayRuntime } from '@graphql-hive/gateway';
import { useOpenTelemetry } from '@graphql-hive/plugin-opentelemetry';
import { composeSupergraph, fetchSubgraphSdl } from '../../scripts/federation.js';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { startTracing, type Tracing } from '../../src/observability/tracing.js';
import { startStack, type Stack } from '../helpers/stack.js';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlpCollector.js';
import { post } from '../helpers/fleet.js';

describe('a trace through Hive Gateway', () => {
  let collector: OtlpCollector;
  let tracing: Tracing | null;
  let stack: Stack;
  let gateway: ReturnType<typeof createGatewayRuntime>;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    collector = await startOtlpCollector();
    // One provider for the process: the gateway's plugin and the subgraph both export through it.
    tracing = await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'wandb-runs-subgraph' });
    stack = await startStack();
    const { supergraphSdl } = composeSupergraph([{ name: 'wandb', url: stack.subgraph.url, sdl: await fetchSubgraphSdl(stack.subgraph.url) }]);
    gateway = createGatewayRuntime({
      supergraph: supergraphSdl,
      logging: false,
      // Hive Gateway's OpenTelemetry plugin, on the provider registered above; it propagates traceparent to subgraphs.
      plugins: (ctx) => [useOpenTelemetry({ ...ctx, traces: true })],
      propagateHeaders: { fromClientToSubgraphs: ({ request }) => ({ authorization: request.headers.get('authorization') }) },
    });
    server = createServer(gateway);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  }, 60_000);
  afterAll(async () => {
    await gateway?.dispose();
    await new Promise<void>((resolve) => {
      server?.close(() => resolve());
      server?.closeAllConnections();
    });
    await stack?.close();
    await tracing?.shutdown();
    await collector?.close();
  });

  it('the gateway\'s spans, the subgraph\'s operation and the W&B requests share the caller\'s trace', async () => {
    const traceId = randomBytes(16).toString('hex');
    const caller = randomBytes(8).toString('hex');
    const res = await post(url, DEMO_API_KEY, { query: 'query ThroughGateway { runs(entity: "acme-ml", project: "image-classification", first: 2) { nodes { path } } }' }, { traceparent: `00-${traceId}-${caller}-01` });
    expect(res.errors).toBeUndefined();
    await tracing!.flush();
    const spans = collector.spans.filter((s) => s.traceId === traceId);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const operation = spans.find((s) => s.kind === 2 && s.attributes['graphql.operation.name'] !== undefined && s.name.startsWith('query') && byId.get(s.parentSpanId!)?.kind === 3);
    // The subgraph's server span hangs under the gateway's client span for the subgraph call.
    expect(operation).toBeDefined();
    const wandb = spans.filter((s) => s.kind === 3 && s.attributes['url.path'] === '/graphql' && s.attributes['server.address'] === '127.0.0.1' && s !== byId.get(operation!.parentSpanId!));
    expect(wandb.length).toBeGreaterThanOrEqual(1);
    // Walking up from each W&B request reaches the caller's span through the subgraph's operation.
    for (const s of wandb) {
      const chain: string[] = [];
      for (let at: typeof s | undefined = s; at; at = byId.get(at.parentSpanId!)) chain.push(at.spanId);
      expect(chain).toContain(operation!.spanId);
    }
    const roots = spans.filter((s) => !byId.has(s.parentSpanId!));
    expect(roots.every((s) => s.parentSpanId === caller)).toBe(true);
    console.log(`through Hive Gateway: ${spans.length} spans in one trace: ${[...new Set(spans.map((s) => s.name))].join(', ')}`);
  });
});
