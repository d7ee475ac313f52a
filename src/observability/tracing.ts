import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context as OtelContext, type Span, type Tracer } from '@opentelemetry/api';

/**
 * OpenTelemetry traces, off unless an OTLP endpoint is configured
 * (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT).
 * Off, the SDK is never loaded and every hook below is a null check.
 * On, the W3C trace context a router sends (traceparent) is continued:
 * one span per operation, one per root field, one per W&B request (which
 * carries the trace context on), exported over OTLP/HTTP as the standard
 * OTEL_* variables say (endpoint, headers, timeout, service name, sampler).
 */
let tracer: Tracer | null = null;

/** The tracer when tracing is on, else null. */
export function activeTracer(): Tracer | null {
  return tracer;
}

/** True when the environment asks for traces: an OTLP endpoint is set and the SDK is not disabled. */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if ((env.OTEL_SDK_DISABLED ?? '').trim().toLowerCase() === 'true') return false;
  if ((env.OTEL_TRACES_EXPORTER ?? '').trim().toLowerCase() === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT);
}

export interface Tracing {
  /** Exports the spans still buffered. */
  flush(): Promise<void>;
  /** Flushes the spans still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

/**
 * Loads the SDK and registers a tracer provider exporting OTLP/HTTP (JSON)
 * in batches; null when tracing is not configured. Call once, before the
 * subgraph starts.
 */
export async function startTracing(env: NodeJS.ProcessEnv = process.env): Promise<Tracing | null> {
  if (!tracingConfigured(env)) return null;
  const [{ NodeTracerProvider }, { BatchSpanProcessor }, { OTLPTraceExporter }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
  ]);
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': env.OTEL_SERVICE_NAME || 'wandb-runs-subgraph' }),
    // The exporter reads the other OTEL_EXPORTER_OTLP_* (headers, timeout) itself; the processor reads OTEL_BSP_*.
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: tracesEndpoint(env) }))],
  });
  // Registers the AsyncLocalStorage context manager and the W3C trace-context propagator.
  provider.register();
  tracer = trace.getTracer('wandb-runs-subgraph');
  return {
    flush: () => provider.forceFlush(),
    async shutdown() {
      tracer = null;
      await provider.shutdown();
    },
  };
}

/** Where spans go: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, else OTEL_EXPORTER_OTLP_ENDPOINT + /v1/traces (the OTLP spec's rule). */
export function tracesEndpoint(env: NodeJS.ProcessEnv): string {
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  return `${(env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').replace(/\/$/, '')}/v1/traces`;
}

/** The context a request carries (traceparent, tracestate), for the spans of its operation. */
export function incomingContext(headers: Record<string, string | string[] | undefined>): OtelContext {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** Starts a span under `parent` (default: the active context). */
export function startSpan(t: Tracer, name: string, kind: SpanKind, attributes: Record<string, string | number | boolean>, parent: OtelContext = context.active()): Span {
  return t.startSpan(name, { kind, attributes }, parent);
}

/** Runs `fn` with `span` active, so spans and logs inside it belong to it. */
export function withSpan<T>(span: Span, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), span), fn);
}

/** Writes the trace context of `span` (traceparent) into outgoing headers. */
export function injectInto(span: Span, headers: Record<string, string>): void {
  propagation.inject(trace.setSpan(context.active(), span), headers);
}

/** Ends a span as failed with a short reason (never a body nor a key). */
export function failSpan(span: Span, reason: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: reason.slice(0, 200) });
  span.end();
}

/** trace_id and span_id of the active span, for log lines; empty when there is none. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}

export { SpanKind };
