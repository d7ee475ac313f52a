/**
 * OpenTelemetry: off without an OTLP endpoint (no trace context sent to
 * W&B, no trace ids in logs); on, a request arriving with a traceparent
 * yields one trace — the operation span under the caller's, a span per
 * root field, a client span per W&B request, each W&B request carrying
 * that span's context — exported over OTLP/HTTP to a collector, with
 * trace_id and span_id on the log lines.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DEMO_API_KEY } from '../../emulator/src/seed.js';
import { startEmulator, type Emulator } from '../../emulator/src/server.js';
import { startSubgraph, type Subgraph } from '../../src/http/server.js';
import { activeTracer, startTracing, tracingConfigured, type Tracing } from '../../src/observability/tracing.js';
import { startRecordingProxy, type RecordingProxy } from '../helpers/proxy.js';
import { startOtlpCollector, type OtlpCollector } from '../helpers/otlpCollector.js';
import { post } from '../helpers/fleet.js';

const TWO_ROOTS = `query Traced { runs(entity: "acme-ml", project: "image-classification", first: 2) { nodes { path summary(keys: ["val/acc"]) } } run(path: "acme-ml/llm-finetune/nosuchrun") { path } }`;
const ONE = `{ runs(entity: "acme-ml", project: "image-classification", first: 1) { totalCount } }`;

describe('OpenTelemetry traces', () => {
  let emulator: Emulator;
  let proxy: RecordingProxy;
  let collector: OtlpCollector;
  let tracing: Tracing | null = null;
  const lines: string[] = [];
  let subgraph: Subgraph;

  beforeAll(async () => {
    emulator = await startEmulator({ seed: { historyScale: 0.01 } });
    proxy = await startRecordingProxy(emulator.url);
    collector = await startOtlpCollector();
  });
  afterAll(async () => {
    await subgraph?.close();
    await tracing?.shutdown();
    await collector?.close();
    await proxy?.close();
    await emulator?.close();
  });

  it('is off without an OTLP endpoint: no tracer, no traceparent sent to W&B, no trace ids in logs', async () => {
    expect(tracingConfigured({})).toBe(false);
    expect(tracingConfigured({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SDK_DISABLED: 'true' })).toBe(false);
    expect(await startTracing({})).toBeNull();
    expect(activeTracer()).toBeNull();
    const off = await startSubgraph({ wandbBaseUrl: proxy.url.replace(/\/$/, ''), appUrl: 'https://wandb.example.com', serviceKey: null, log: (l) => lines.push(l) });
    try {
      proxy.reset();
      const res = await post(off.url, DEMO_API_KEY, { query: TWO_ROOTS }, { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` });
      expect(res.errors).toBeUndefined();
      expect(proxy.headers.length).toBeGreaterThan(0);
      for (const h of proxy.headers) expect(h.traceparent).toBeUndefined();
      const request = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request');
      expect(request).toBeDefined();
      expect(request.trace_id).toBeUndefined();
    } finally {
      await off.close();
    }
  });

  it('continues the caller\'s trace through the operation, its root fields and every W&B request', async () => {
    tracing = await startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_SERVICE_NAME: 'runs-subgraph-test' });
    expect(tracing).not.toBeNull();
    lines.length = 0;
    subgraph = await startSubgraph({ wandbBaseUrl: proxy.url.replace(/\/$/, ''), appUrl: 'https://wandb.example.com', serviceKey: null, log: (l) => lines.push(l) });
    const traceId = randomBytes(16).toString('hex');
    const callerSpan = randomBytes(8).toString('hex');
    proxy.reset();
    const res = await post(subgraph.url, DEMO_API_KEY, { query: TWO_ROOTS, operationName: 'Traced' }, { traceparent: `00-${traceId}-${callerSpan}-01` });
    expect(res.errors).toBeUndefined();
    await tracing!.flush();

    const spans = collector.spans.filter((s) => s.traceId === traceId);
    expect(spans.every((s) => s.service === 'runs-subgraph-test')).toBe(true);
    const operation = spans.filter((s) => s.parentSpanId === callerSpan);
    expect(operation).toHaveLength(1);
    expect(operation[0]).toMatchObject({ name: 'query Traced', kind: 2 });
    expect(operation[0].attributes).toMatchObject({ 'graphql.operation.name': 'Traced', 'graphql.operation.type': 'query', 'http.response.status_code': 200 });
    const fields = spans.filter((s) => s.parentSpanId === operation[0].spanId && s.kind === 1);
    expect(fields.map((s) => s.name).sort()).toEqual(['Query.run', 'Query.runs']);
    // One client span per W&B request, each under the operation or a root field, and each request carries its own span's context.
    const wandb = spans.filter((s) => s.kind === 3);
    expect(wandb.length).toBe(proxy.headers.length);
    // The two root fields' reads go as one document.
    expect(wandb.length).toBe(1);
    const parents = new Set([operation[0].spanId, ...fields.map((f) => f.spanId)]);
    for (const s of wandb) {
      expect(parents.has(s.parentSpanId!)).toBe(true);
      expect(s.attributes['http.response.status_code']).toBe(200);
    }
    const sent = proxy.headers.map((h) => String(h.traceparent));
    expect(sent.map((t) => t.split('-')[1])).toEqual(sent.map(() => traceId));
    expect(new Set(sent.map((t) => t.split('-')[2]))).toEqual(new Set(wandb.map((s) => s.spanId)));
    // No span of the trace has a parent outside it but the caller's.
    const ids = new Set(spans.map((s) => s.spanId));
    for (const s of spans) expect(s.parentSpanId === callerSpan || ids.has(s.parentSpanId!)).toBe(true);

    const request = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request' && l.operationName === 'Traced');
    expect(request).toMatchObject({ trace_id: traceId, span_id: operation[0].spanId });
  });

  it('starts a new trace for a request without a traceparent, and ignores a malformed one', async () => {
    for (const headers of [{}, { traceparent: 'not-a-trace-context' }] as Record<string, string>[]) {
      collector.spans.length = 0;
      const res = await post(subgraph.url, DEMO_API_KEY, { query: ONE }, headers);
      expect(res.errors).toBeUndefined();
      await tracing!.flush();
      const roots = collector.spans.filter((s) => s.kind === 2);
      expect(roots).toHaveLength(1);
      expect(roots[0].parentSpanId).toBeUndefined();
      expect(collector.spans.every((s) => s.traceId === roots[0].traceId)).toBe(true);
    }
  });
});
