import { clientErrorCodes } from '../errors.js';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Prometheus metrics of one subgraph server, in a registry of its own (not
 * prom-client's global one, so several servers in one process do not
 * clash). Every label value comes from a small fixed set: never a key, a
 * run path, an operation name or any other text a caller chose.
 */
export interface Metrics {
  registry: Registry;
  /** One GraphQL HTTP request answered. */
  observeRequest(operationType: OperationType, status: number, seconds: number): void;
  /** One error in a response, by its (already masked) extensions.code. */
  countError(code: string): void;
  /** One upstream attempt and its outcome (PolicyHooks.onAttempt). */
  observeUpstream(outcome: string, seconds: number): void;
  /** One upstream retry (PolicyHooks.onRetry). */
  countRetry(): void;
  /** One DataLoader batch and its size (createLoaders' onBatch). */
  observeBatch(loader: string, size: number): void;
  /** One upstream read answered by an identical read already in flight (coalesce.ts). */
  countCoalesced(): void;
  /** One operation executed, by how (graphql/executor.ts): compiled, or by graphql-js. */
  countExecution(executor: Executor): void;
}

export type Executor = 'compiled' | 'graphql_js';

export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';

export const upstreamOutcomes = ['ok', 'http_4xx', 'http_429', 'http_5xx', 'bad_body', 'too_large', 'timeout', 'network'] as const;
export const loaderNames = ['run', 'run_field', 'sweep', 'artifact'] as const;
/** Error codes counted by name; any other becomes OTHER. */
export const errorCodes = [...clientErrorCodes, 'INTERNAL_SERVER_ERROR', 'SHUTTING_DOWN'] as const;

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop, GC); default true. */
  defaultMetrics?: boolean;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL HTTP requests answered, by operation type and HTTP status.',
    labelNames: ['operation_type', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time to answer a GraphQL HTTP request, by operation type.',
    labelNames: ['operation_type'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const errors = new Counter({
    name: 'graphql_errors_total',
    help: 'Errors returned in GraphQL responses, by extensions.code.',
    labelNames: ['code'] as const,
    registers: [registry],
  });
  const upstream = new Counter({
    name: 'upstream_requests_total',
    help: 'Requests (attempts) sent to the W&B API, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const retries = new Counter({
    name: 'upstream_retries_total',
    help: 'Retries of requests to the W&B API.',
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: 'upstream_request_duration_seconds',
    help: 'Duration of one attempt at the W&B API.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const coalesced = new Counter({
    name: 'upstream_reads_coalesced_total',
    help: 'Reads of the W&B API not sent because an identical read of the same caller was in flight.',
    registers: [registry],
  });
  const batch = new Histogram({
    name: 'dataloader_batch_size',
    help: 'Keys per DataLoader batch (one upstream request each), by loader.',
    labelNames: ['loader'] as const,
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [registry],
  });

  const executions = new Counter({
    name: 'graphql_executions_total',
    help: 'Operations executed, by executor: compiled (a query this process has seen before) or graphql_js.',
    labelNames: ['executor'] as const,
    registers: [registry],
  });

  /** The value when it is one of `allowed`, else `fallback`: label values stay a small fixed set. */
  const one = (allowed: readonly string[], value: string, fallback: string): string => (allowed.includes(value) ? value : fallback);

  return {
    registry,
    observeRequest(operationType, status, seconds) {
      const type = one(['query', 'mutation', 'subscription', 'unknown'], operationType, 'unknown');
      requests.inc({ operation_type: type, status: String(Number.isInteger(status) && status >= 100 && status < 600 ? status : 0) });
      duration.observe({ operation_type: type }, seconds);
    },
    countError(code) {
      errors.inc({ code: one(errorCodes, code, 'OTHER') });
    },
    observeUpstream(outcome, seconds) {
      upstream.inc({ outcome: one(upstreamOutcomes, outcome, 'other') });
      upstreamDuration.observe(seconds);
    },
    countRetry() {
      retries.inc();
    },
    observeBatch(loader, size) {
      batch.observe({ loader: one(loaderNames, loader, 'other') }, size);
    },
    countCoalesced() {
      coalesced.inc();
    },
    countExecution(executor) {
      executions.inc({ executor: one(['compiled', 'graphql_js'], executor, 'graphql_js') });
    },
  };
}
