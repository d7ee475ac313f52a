import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HeaderMap } from '@apollo/server';
import type { Config } from '../config.js';
import { appUrlFor, createContext, upstreamClientFor, type ContextOptions, type RequestState } from '../context.js';
import { createRunWatchers, defaultLiveOptions, type LiveOptions } from '../live/runWatchers.js';
import { serveSubscriptions } from '../live/subscriptionServer.js';
import { createReadAheadCache } from '../history/readAhead.js';
import { createUpstreamAgents, destroyUpstreamAgents } from '../wandb/transport.js';
import { createApolloServer } from '../graphql/apolloServer.js';
import { queryLimitRules, type QueryLimits } from '../graphql/limits.js';
import { maskGraphQLError } from '../graphql/masking.js';
import { spliceRaw, type RawJsonSink } from '../graphql/rawJson.js';
import { createSubgraphSchema } from '../graphql/schema.js';
import { createLimiter, defaultPolicy, type UpstreamPolicy } from '../wandb/policy.js';
import { callbackLogger, createLogger, scrub, type Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { readBody } from './body.js';
import { createCors } from './cors.js';
import { sendJson } from './json.js';
import { sendMetrics } from './metricsEndpoint.js';
import { createReadinessProbe } from './probes.js';
import { pathOf, requestIdOf } from './requestLog.js';
import { drainConnections } from './shutdown.js';




export interface SubgraphOptions {
  port?: number;
  host?: string;
  wandbBaseUrl: string;
  /** W&B app URL for Run.url; derived from wandbBaseUrl by default. */
  appUrl: string;
  serviceKey: string | null;
  /** Upstream time limits, retries and concurrency (defaults: defaultPolicy). */
  policy?: UpstreamPolicy;
  /** Query depth and cost limits (defaults: graphql/limits.ts). */
  queryLimits?: Partial<QueryLimits>;
  /** Origins allowed by CORS ('*' for any); null or empty leaves CORS closed. */
  corsOrigins?: string[] | null;
  /** Largest request body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  /** Structured logger (pino); default: JSON lines on stdout at LOG_LEVEL (info). */
  logger?: Logger;
  /** Older form of `logger`: each JSON log line goes to this callback. Ignored when `logger` is given. */
  log?: (message: string) => void;
  /** Prometheus metrics served at /metrics; default: a new registry of this server's own. */
  metrics?: Metrics;
  /** How long close() lets in-flight requests finish before destroying their connections (default 10 s). */
  shutdownTimeoutMs?: number;
  /** The /ready probe of W&B: its time limit (default 2 s) and how long its answer is reused (default 1 s). */
  readiness?: { timeoutMs?: number; cacheMs?: number };
  /** Live runs (Subscription.runUpdated): poll interval, idle backoff and caps. */
  live?: Partial<LiveOptions> & { maxPerConnection?: number };
}

/**
 * The subgraph's options from the configuration, for W&B at `wandbBaseUrl`
 * with `serviceKey`; `demo` (the embedded emulator) opens CORS unless
 * CORS_ORIGINS says otherwise.
 */
export function subgraphOptionsFrom(
  config: Config,
  upstream: { wandbBaseUrl: string; serviceKey: string | null; demo: boolean },
  logger: Logger,
): SubgraphOptions {
  return {
    port: config.port,
    host: config.host,
    wandbBaseUrl: upstream.wandbBaseUrl,
    appUrl: config.wandbAppUrl ?? appUrlFor(upstream.wandbBaseUrl),
    serviceKey: upstream.serviceKey,
    corsOrigins: config.corsOrigins ?? (upstream.demo ? ['*'] : null),
    maxBodyBytes: config.maxBodyBytes,
    queryLimits: config.queryLimits,
    policy: config.policy,
    live: config.live,
    logger,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  };
}

export interface Subgraph {
  url: string;
  port: number;
  server: Server;
  logger: Logger;
  metrics: Metrics;
  /**
   * Graceful shutdown: stops accepting connections, answers new requests on
   * kept-alive connections with 503 (and closes them), lets in-flight
   * requests finish (up to shutdownTimeoutMs, then destroys their sockets),
   * then stops Apollo and the upstream agent. Calling it again returns the
   * same promise.
   */
  close(): Promise<void>;
}

/**
 * Starts the subgraph on node:http: POST/GET /graphql, GET /health (live),
 * GET /ready (W&B reachable), GET /metrics (Prometheus).
 */
export async function startSubgraph(options: SubgraphOptions): Promise<Subgraph> {
  const logger = options.logger ?? (options.log ? callbackLogger(options.log) : createLogger());
  const metrics = options.metrics ?? createMetrics();
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const policy = options.policy ?? defaultPolicy;
  const agents = createUpstreamAgents(policy.maxInFlight);
  const contextOptions: ContextOptions = {
    wandbBaseUrl: options.wandbBaseUrl,
    appUrl: options.appUrl,
    serviceKey: options.serviceKey,
    agents,
    policy,
    // One cap on upstream requests in flight for the whole process.
    limiter: createLimiter(policy.maxInFlight),
    hooks: { onAttempt: metrics.observeUpstream, onRetry: metrics.countRetry },
    onBatch: metrics.observeBatch,
    // At most 50k rows of ended runs' history (a few pages of a few scans), for 30 s.
    readAhead: createReadAheadCache({ ttlMs: 30_000, maxRows: 50_000 }),
  };
  const schema = createSubgraphSchema();
  // Live runs: pollers shared by the process, each polling with its subscribers' own key.
  const live = createRunWatchers({ ...defaultLiveOptions, ...options.live }, (authorization) => upstreamClientFor(contextOptions, authorization));
  contextOptions.live = live;
  const apollo = createApolloServer(schema, logger, options.queryLimits);
  await apollo.start();

  let closing = false;
  const cors = createCors(options.corsOrigins);
  const ready = createReadinessProbe({
    wandbBaseUrl: options.wandbBaseUrl,
    agents,
    logger,
    readiness: options.readiness,
    closing: () => closing,
  });

  const server = createServer((req, res) => {
    const started = performance.now();
    const state: RequestState = { id: requestIdOf(req.headers['x-request-id']), operationType: 'unknown', errorCodes: [] };
    res.setHeader('x-request-id', state.id);
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      const seconds = (performance.now() - started) / 1000;
      const path = pathOf(req.url);
      const status = res.writableFinished || res.headersSent ? res.statusCode : 499;
      if ((path === '/graphql' || path === '/') && req.method !== 'OPTIONS') metrics.observeRequest(state.operationType, status, seconds);
      for (const code of state.errorCodes) metrics.countError(code);
      // Never the headers, the query string nor the body: they may carry a key.
      const entry: Record<string, unknown> = { requestId: state.id, method: req.method, path, status, durationMs: Math.round(seconds * 10_000) / 10 };
      if (state.operationName !== undefined) entry.operationName = state.operationName;
      if (state.operationType !== 'unknown') entry.operationType = state.operationType;
      if (state.errorCodes.length > 0) entry.errorCodes = [...new Set(state.errorCodes)];
      if (!res.writableFinished) entry.aborted = true;
      logger.info(entry, 'request');
      // During shutdown, a connection whose last request just finished is closed at once.
      if (closing) setImmediate(() => server.closeIdleConnections());
    };
    res.once('finish', finished);
    res.once('close', finished);
    handle(req, res, state).catch((error: unknown) => {
        logger.error({ requestId: state.id, error: scrub(error instanceof Error ? error.message : String(error)) }, 'unexpected error');
        if (!res.headersSent) {
          state.errorCodes.push('INTERNAL_SERVER_ERROR');
          sendJson(res, 500, { errors: [{ message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        } else res.destroy();
      });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, state: RequestState): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://subgraph');
    if (closing) res.setHeader('connection', 'close');
    if (cors(req, res)) return;
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/ready') return ready(res);
    if (url.pathname === '/metrics') return sendMetrics(res, metrics);
    if (closing) {
      state.errorCodes.push('SHUTTING_DOWN');
      return sendJson(res, 503, { errors: [{ message: 'the server is shutting down; retry the request', extensions: { code: 'SHUTTING_DOWN' } }] });
    }
    if (url.pathname !== '/graphql' && url.pathname !== '/') return sendJson(res, 404, { error: 'not found; the GraphQL endpoint is /graphql' });
    const body = await readBody(req, res, maxBody);
    if (body === undefined) {
      state.errorCodes.push('BAD_REQUEST');
      return;
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let parsed: unknown = undefined;
    if (req.method === 'POST' && body.length > 0) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        state.errorCodes.push('BAD_REQUEST');
        return sendJson(res, 400, { errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      }
      const name = (parsed as { operationName?: unknown } | null)?.operationName;
      if (typeof name === 'string') state.operationName = name.slice(0, 200);
    }
    const raw: RawJsonSink = [];
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: parsed },
      context: async () => Object.assign(createContext(contextOptions, req.headers.authorization), { request: state, rawJson: raw }),
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    if (closing) res.setHeader('connection', 'close');
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(spliceRaw(result.body.string, raw));
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(spliceRaw(chunk, raw));
      res.end();
    }
  }

  const maxBody = options.maxBodyBytes ?? 1_048_576;



  const subscriptions = serveSubscriptions(server, {
    schema,
    context: (authorization) => createContext(contextOptions, authorization),
    validationRules: queryLimitRules(options.queryLimits),
    maxPerConnection: options.live?.maxPerConnection ?? 20,
    formatError: maskGraphQLError,
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  let closed: Promise<void> | null = null;
  async function shutdown(): Promise<void> {
    closing = true;
    const started = performance.now();
    logger.info({ timeoutMs: shutdownTimeoutMs }, 'shutting down: draining in-flight requests');
    // Live subscriptions end (complete) first; their WebSockets close with 1001.
    live.closeAll();
    await subscriptions.close();
    await drainConnections(server, shutdownTimeoutMs, logger);
    await apollo.stop();
    // Upstream requests still running after a timeout are abandoned with their sockets.
    destroyUpstreamAgents(agents);
    logger.info({ durationMs: Math.round(performance.now() - started) }, 'subgraph stopped');
  }

  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/graphql`,
    port,
    server,
    logger,
    metrics,
    close: () => (closed ??= shutdown()),
  };
}
