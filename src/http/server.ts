import type { GraphQLError } from 'graphql';
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { HeaderMap } from '@apollo/server';
import type { Config } from '../config.js';
import { appUrlFor, createContext, upstreamClientFor, type Context, type ContextOptions, type RequestState } from '../context.js';
import { createRunWatchers, defaultLiveOptions, type LiveOptions } from '../live/runWatchers.js';
import { serveSubscriptions } from '../live/subscriptionServer.js';
import { createReadAheadCache } from '../history/readAhead.js';
import { createUpstreamAgents, destroyUpstreamAgents } from '../wandb/transport.js';
import { createGraphQLServer, validationRulesOf } from '../graphql/apolloServer.js';
import { costCheck, type QueryLimits } from '../graphql/limits.js';
import { defaultDocumentLimits, type DocumentLimits } from '../graphql/documentLimits.js';
import { redactSecrets, rememberProcessSecret, requestCredential, secretFormsOfAuthorization } from '../security/credentials.js';
import { maskGraphQLError } from '../graphql/masking.js';
import { spliceRaw, type RawJsonSink } from '../graphql/rawJson.js';
import { createSubgraphSchema } from '../graphql/schema.js';
import { createLimiter, defaultPolicy, type UpstreamPolicy } from '../wandb/policy.js';
import { createCoalescer } from '../wandb/coalesce.js';
import { callbackLogger, createLogger, scrub, type Logger } from '../observability/logger.js';
import { createMetrics, type Metrics } from '../observability/metrics.js';
import { readBody } from './body.js';
import { createCors } from './cors.js';
import { createHostCheck } from './hosts.js';
import { isDashboardPath, serveDashboard } from './dashboard.js';
import { sendJson } from './json.js';
import { listen, origin } from './listen.js';
import { sendMetrics } from './metricsEndpoint.js';
import { startMetricsServer, type MetricsServer } from './metricsServer.js';
import { createReadinessProbe } from './probes.js';
import { pathOf, requestIdOf, urlOf } from './requestLog.js';
import { drainConnections } from './shutdown.js';
import { connectFleet, type Fleet } from '../fleet/redis.js';
import { createFleetCache } from '../fleet/apqCache.js';
import { createRateLimitGate } from '../fleet/rateLimits.js';
import { createSharedWindows } from '../fleet/sharedWindows.js';
import { createRunLocks } from '../fleet/runLocks.js';
import { createPollCoordinator } from '../live/fleetPolls.js';
import { activeTracer, failSpan, incomingContext, SpanKind, startSpan, withSpan } from '../observability/tracing.js';
import { traceRootFields } from '../observability/tracingPlugin.js';

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
  /** Tokens, aliases, directives, fragments and list arguments per document (defaults: graphql/documentLimits.ts). */
  documentLimits?: Partial<DocumentLimits>;
  /** Schema introspection (__schema, __type); default on. `_service` (federation) is always served. */
  introspection?: boolean;
  /** Largest answer read from W&B, in bytes (default 32 MiB). */
  maxResponseBytes?: number;
  /** Bytes of ended runs' history kept read ahead (default 32 MiB). */
  readAheadMaxBytes?: number;
  /** Slow clients are shed: longest wait for a request's headers (default 10 s) and for the whole request (default 30 s). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Origins allowed by CORS ('*' for any); null or empty leaves CORS closed. */
  corsOrigins?: string[] | null;
  /** Host names answered ('*' for any); null: loopback names when bound to loopback, any otherwise (see hosts.ts). */
  allowedHosts?: string[] | null;
  /** Largest request body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  /** Most connections open at once (default 4096): more are closed as they come, so that idle sockets cannot take every file descriptor. */
  maxConnections?: number;
  /** Structured logger (pino); default: JSON lines on stdout at LOG_LEVEL (info). */
  logger?: Logger;
  /** Older form of `logger`: each JSON log line goes to this callback. Ignored when `logger` is given. */
  log?: (message: string) => void;
  /** Prometheus metrics served at /metrics; default: a new registry of this server's own. */
  metrics?: Metrics;
  /** Serve /metrics on a listener of its own on this port (0: any free port) and not on `port`; default: on `port`. */
  metricsPort?: number | null;
  /** How long close() lets in-flight requests finish before destroying their connections (default 10 s). */
  shutdownTimeoutMs?: number;
  /** The /ready probe of W&B: its time limit (default 2 s) and how long its answer is reused (default 1 s). */
  readiness?: { timeoutMs?: number; cacheMs?: number };
  /** Live runs (Subscription.runUpdated): poll interval, idle backoff and caps. */
  live?: Partial<LiveOptions> & { maxPerConnection?: number };
  /** A built dashboard app to serve under /dashboard/ (the demo's); none by default. */
  dashboardDir?: string | null;
  /**
   * Redis shared by the replicas (REDIS_URL): APQ, history read-ahead,
   * live-run polls and W&B rate-limit state. Null or absent: each process
   * keeps them in memory.
   */
  redisUrl?: string | null;
  /** Prefix of the fleet's Redis keys and channels (default "wrs:"). */
  redisPrefix?: string;
  /** Serve queries that already ran compiled without Apollo's request pipeline (graphql/warmPath.ts); default on, off with tracing. */
  warmPath?: boolean;
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
    allowedHosts: config.allowedHosts,
    maxBodyBytes: config.maxBodyBytes,
    maxConnections: config.maxConnections,
    queryLimits: config.queryLimits,
    documentLimits: config.documentLimits,
    // Introspection maps the schema for anyone: on for the demo, off in front of a real W&B unless INTROSPECTION says otherwise.
    introspection: config.introspection ?? upstream.demo,
    warmPath: config.warmPath,
    maxResponseBytes: config.maxResponseBytes,
    readAheadMaxBytes: config.readAheadMaxBytes,
    headersTimeoutMs: config.headersTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    policy: config.policy,
    live: config.live,
    logger,
    metricsPort: config.metricsPort,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    redisUrl: config.redisUrl,
  };
}

export interface Subgraph {
  url: string;
  port: number;
  server: Server;
  logger: Logger;
  metrics: Metrics;
  /** Where /metrics is served: on `port`, or on its own listener when metricsPort was given. */
  metricsUrl: string;
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
  // The service key is scrubbed from every log line and error message of the process.
  rememberProcessSecret(options.serviceKey);
  const logger = options.logger ?? (options.log ? callbackLogger(options.log) : createLogger());
  const metrics = options.metrics ?? createMetrics();
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 10_000;
  const policy = options.policy ?? defaultPolicy;
  // Answers being read at once: a few of the largest (WANDB_MAX_RESPONSE_BYTES), whatever the requests in flight.
  const agents = createUpstreamAgents(policy.maxInFlight, options.maxResponseBytes);
  // The fleet's shared state, when Redis is configured; it never stops the start (degraded until Redis answers).
  const fleet: Fleet | null = options.redisUrl ? await connectFleet({ url: options.redisUrl, logger, prefix: options.redisPrefix }) : null;
  // W&B's rate-limit state, shared so the fleet backs off together; a single process retries per request, as W&B's clients do.
  const rateLimits = fleet ? createRateLimitGate(fleet) : undefined;
  const contextOptions: ContextOptions = {
    wandbBaseUrl: options.wandbBaseUrl,
    appUrl: options.appUrl,
    serviceKey: options.serviceKey,
    agents,
    policy,
    // One cap on upstream requests in flight for the whole process.
    limiter: createLimiter(policy.maxInFlight),
    coalescer: createCoalescer(metrics.countCoalesced),
    hooks: { onAttempt: metrics.observeUpstream, onRetry: metrics.countRetry },
    onBatch: metrics.observeBatch,
    // At most READ_AHEAD_MAX_BYTES (default 32 MiB) of ended runs' history (a few pages of a few scans), for 30 s.
    // In a fleet, also in Redis: at most 64 MiB, for 30 s.
    readAhead: createReadAheadCache({ ttlMs: 30_000, maxBytes: options.readAheadMaxBytes ?? 32 * 1024 * 1024, shared: fleet ? createSharedWindows(fleet) : undefined }),
    rateLimits,
    // Writes of one run take turns across the fleet (a lease in Redis).
    runLocks: fleet ? createRunLocks(fleet) : undefined,
    maxResponseBytes: options.maxResponseBytes,
  };
  const schema = createSubgraphSchema();
  const tracer = activeTracer();
  if (tracer) traceRootFields(schema, tracer);
  // Live runs: pollers shared by the process (by the fleet with Redis), each polling with its subscribers' own key.
  const live = createRunWatchers(
    { ...defaultLiveOptions, ...options.live },
    (authorization) => upstreamClientFor(contextOptions, authorization),
    fleet ? createPollCoordinator(fleet) : undefined,
  );
  contextOptions.live = live;
  const documentLimits = { ...defaultDocumentLimits, ...options.documentLimits };
  const introspection = options.introspection ?? true;
  const { apollo, warmPath } = createGraphQLServer(schema, logger, options.queryLimits, {
    cache: fleet ? createFleetCache(fleet) : undefined,
    traced: tracer !== null,
    documentLimits,
    introspection,
    onExecute: metrics.countExecution,
    warmPath: options.warmPath,
  });
  await apollo.start();

  let closing = false;
  const cors = createCors(options.corsOrigins);
  const hostAllowed = createHostCheck(options.allowedHosts, options.host ?? '127.0.0.1');
  const ready = createReadinessProbe({
    wandbBaseUrl: options.wandbBaseUrl,
    agents,
    logger,
    readiness: options.readiness,
    closing: () => closing,
    redisUp: fleet ? () => fleet.up() : undefined,
  });

  // Slow clients (slowloris) are shed: headers must arrive within headersTimeout, the whole request within
  // requestTimeout; connections are checked every second (Node's default is every 30 s).
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const requestTimeout = Math.max(options.requestTimeoutMs ?? 30_000, headersTimeout);
  const server = createServer({ headersTimeout, requestTimeout, connectionsCheckingInterval: Math.min(1_000, headersTimeout) }, (req, res) => {
    const started = performance.now();
    const state: RequestState = { id: requestIdOf(req.headers['x-request-id']), operationType: 'unknown', errorCodes: [] };
    res.setHeader('x-request-id', state.id);
    // For the log line, metrics and the trace: never the query string (it may carry a key).
    const path = pathOf(req.url);
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      const seconds = (performance.now() - started) / 1000;
      const status = res.writableFinished || res.headersSent ? res.statusCode : 499;
      if ((path === '/graphql' || path === '/') && req.method !== 'OPTIONS') metrics.observeRequest(state.operationType, status, seconds);
      for (const code of state.errorCodes) metrics.countError(code);
      // Never the headers, the query string nor the body: they may carry a key.
      const entry: Record<string, unknown> = { requestId: state.id, method: req.method, path, status, durationMs: Math.round(seconds * 10_000) / 10 };
      // Scrubbed before it is cut: a key cut in two would no longer be recognised.
      if (state.operationName !== undefined) entry.operationName = scrub(state.operationName.slice(0, 1000)).slice(0, 200);
      if (state.operationType !== 'unknown') entry.operationType = state.operationType;
      if (state.errorCodes.length > 0) entry.errorCodes = [...new Set(state.errorCodes)];
      if (state.traceId) Object.assign(entry, { trace_id: state.traceId, span_id: state.spanId });
      if (!res.writableFinished) entry.aborted = true;
      logger.info(entry, 'request');
      // During shutdown, a connection whose last request just finished is closed at once.
      if (closing) setImmediate(() => server.closeIdleConnections());
    };
    // With tracing on, a GraphQL request continues the caller's trace (traceparent) in a server span.
    const span =
      tracer && path !== '/health' && path !== '/ready' && path !== '/metrics'
        ? startSpan(tracer, `${req.method ?? 'GET'} ${path}`, SpanKind.SERVER, { 'http.request.method': req.method ?? 'GET', 'url.path': path }, incomingContext(req.headers))
        : null;
    if (span) {
      state.traceId = span.spanContext().traceId;
      state.spanId = span.spanContext().spanId;
      res.once('close', () => {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500 || !res.writableFinished) failSpan(span, `HTTP ${res.statusCode}`);
        else span.end();
      });
    }
    // A client that goes away before its answer abandons its upstream requests (queued ones leave the queue).
    const abandoned = new AbortController();
    res.once('finish', finished);
    // A socket already closed (its close event not seen yet) abandons the request at once.
    const abandonIfGone = () => {
      if (req.socket.destroyed && !res.writableFinished) abandoned.abort();
    };
    res.once('close', () => {
      if (!res.writableFinished) abandoned.abort();
      finished();
    });
    const handled = () => handle(req, res, state, abandoned.signal, abandonIfGone);
    (span ? withSpan(span, handled) : handled()).catch((error: unknown) => {
        const code = (error as { code?: string })?.code;
        if (abandoned.signal.aborted || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE') {
          // The client went away: not an error of the server's.
          logger.info({ requestId: state.id }, 'client went away before the answer');
          return;
        }
        logger.error({ requestId: state.id, error: scrub(error instanceof Error ? error.message : String(error)) }, 'unexpected error');
        if (!res.headersSent) {
          state.errorCodes.push('INTERNAL_SERVER_ERROR');
          sendJson(res, 500, { errors: [{ message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        } else res.destroy();
      });
  });

  async function handle(req: IncomingMessage, res: ServerResponse, state: RequestState, signal: AbortSignal, abandonIfGone: () => void): Promise<void> {
    const url = urlOf(req.url);
    if (!url) {
      state.errorCodes.push('BAD_REQUEST');
      return sendJson(res, 400, { errors: [{ message: 'the request URL cannot be read', extensions: { code: 'BAD_REQUEST' } }] });
    }
    if (closing) res.setHeader('connection', 'close');
    if (!hostAllowed(req.headers.host)) {
      state.errorCodes.push('FORBIDDEN');
      req.resume();
      return sendJson(res, 403, { errors: [{ message: 'this Host is not served here (see ALLOWED_HOSTS)', extensions: { code: 'FORBIDDEN' } }] });
    }
    if (cors(req, res)) return;
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname === '/ready') return ready(res);
    if (url.pathname === '/metrics' && !separateMetrics) return sendMetrics(res, metrics);
    if (closing) {
      state.errorCodes.push('SHUTTING_DOWN');
      return sendJson(res, 503, { errors: [{ message: 'the server is shutting down; retry the request', extensions: { code: 'SHUTTING_DOWN' } }] });
    }
    if (options.dashboardDir && isDashboardPath(url.pathname)) return serveDashboard(options.dashboardDir, url.pathname, req, res);
    if (url.pathname !== '/graphql' && url.pathname !== '/') return sendJson(res, 404, { error: 'not found; the GraphQL endpoint is /graphql' });
    if (req.method === 'POST' && !req.headers['content-type']) {
      state.errorCodes.push('BAD_REQUEST');
      req.resume();
      return sendJson(res, 415, { errors: [{ message: 'a POST needs a content-type header: application/json', extensions: { code: 'BAD_REQUEST' } }] });
    }
    const body = await readBody(req, res, maxBody);
    if (body === undefined) {
      state.errorCodes.push('BAD_REQUEST');
      return;
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
      if (typeof name === 'string') state.operationName = name;
    }
    abandonIfGone();
    const raw: RawJsonSink = [];
    const contextOf = (): Context => {
      try {
        return Object.assign(createContext(contextOptions, requestCredential(req), signal), { request: state, rawJson: raw, rawPlaces: [] });
      } catch (error) {
        // A malformed credential is answered by Apollo before any plugin runs: its code is counted and logged here.
        const code = (error as GraphQLError).extensions?.code;
        if (typeof code === 'string' && !state.errorCodes.includes(code)) state.errorCodes.push(code);
        throw error;
      }
    };
    // No key leaves in a body, even one W&B's data quotes: the service key's forms and the caller's own.
    const secrets = secretFormsOfAuthorization(typeof req.headers.authorization === 'string' ? req.headers.authorization : null);
    // W&B's raw JSON goes in first (rawJson.ts), so that secrets in it are redacted too.
    const outgoing = (text: string) => bodyOf(redactSecrets(spliceRaw(text, raw), secrets));
    const warm = warmPath && req.method === 'POST' ? warmPath.match(parsed, req.headers) : null;
    // A credential that makes no context (malformed) is answered by Apollo, as any other request's.
    const warmContext = warm ? contextOrNull(contextOf) : null;
    // Computed with errors by the warm path: Apollo finishes it from Context.precomputed.
    let handedOver: Context | null = null;
    if (warm && warmContext) {
      const outcome = await warmPath!.run(warm, warmContext);
      if (outcome.kind === 'answered') {
        head(res, 200, outcome.headers);
        return void res.end(outgoing(outcome.text));
      }
      if (outcome.kind === 'finish') handedOver = warmContext;
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers: headerMapOf(req), search: url.search, body: parsed },
      context: async () => handedOver ?? contextOf(),
    });
    head(res, result.status ?? 200, result.headers);
    if (result.body.kind === 'complete') return void res.end(outgoing(result.body.string));
    for await (const chunk of result.body.asyncIterator) res.write(outgoing(chunk));
    res.end();
  }

  /** A GraphQL response's status and headers. */
  function head(res: ServerResponse, status: number, headers: Iterable<[string, string]>): void {
    for (const [key, value] of headers) res.setHeader(key, value);
    if (closing) res.setHeader('connection', 'close');
    res.statusCode = status;
  }

  const maxBody = options.maxBodyBytes ?? 1_048_576;
  const separateMetrics = options.metricsPort !== undefined && options.metricsPort !== null;

  const subscriptions = serveSubscriptions(server, {
    schema,
    context: (authorization) => createContext(contextOptions, authorization),
    validationRules: validationRulesOf(options.queryLimits, documentLimits),
    maxTokens: documentLimits.maxTokens,
    introspection,
    maxPerConnection: options.live?.maxPerConnection ?? 20,
    maxPayload: maxBody,
    formatError: maskGraphQLError,
    costCheck: costCheck(options.queryLimits),
    listLimits: documentLimits,
    allowsOrigin: cors.allowsOrigin,
    hostAllowed,
    logger,
  });

  const host = options.host ?? '127.0.0.1';
  let port: number;
  let metricsServer: MetricsServer | null = null;
  try {
    port = await listen(server, options.port ?? 0, host);
    if (separateMetrics) metricsServer = await startMetricsServer(metrics, options.metricsPort!, host);
  } catch (error) {
    // A port in use: release what was started, and let the caller name the variable.
    server.close();
    await subscriptions.close();
    live.closeAll();
    await apollo.stop();
    destroyUpstreamAgents(agents);
    throw error;
  }
  // A request Node's parser refuses (a bad header line, headers too large, too slow) gets the JSON error every other
  // answer has, with its code, and is logged and counted, where Node would write a bare status line.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // A response already under way on this socket (keep-alive, a pipelined request after it) must not be cut into.
    const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || current?.headersSent) return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const message = status === 431 ? 'the request headers are too large' : status === 408 ? 'the request was not received in time' : 'the request is not valid HTTP';
    const body = JSON.stringify({ errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    logger.info({ status, errorCodes: ['BAD_REQUEST'], parserError: error.code }, 'request refused by the HTTP parser');
    metrics.observeRequest('unknown', status, 0);
    metrics.countError('BAD_REQUEST');
  });
  server.keepAliveTimeout = 65_000;
  server.maxConnections = options.maxConnections ?? 4096;
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
    rateLimits?.close();
    await fleet?.close();
    await metricsServer?.close();
    logger.info({ durationMs: Math.round(performance.now() - started) }, 'subgraph stopped');
  }

  return {
    url: `${origin(host, port)}/graphql`,
    port,
    server,
    logger,
    metrics,
    metricsUrl: metricsServer?.url ?? `${origin(host, port)}/metrics`,
    close: () => (closed ??= shutdown()),
  };
}

// Private:

/** The request's headers as Apollo reads them. */
function headerMapOf(req: IncomingMessage): HeaderMap {
  const headers = new HeaderMap();
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
  }
  return headers;
}

/** The request's context; null when it cannot be made (a malformed credential). */
function contextOrNull(make: () => Context): Context | null {
  try {
    return make();
  } catch {
    return null;
  }
}

/**
 * A response body as written: large texts go as UTF-8 bytes. Node writes a
 * string that does not fit the socket's buffer by encoding it again on a
 * slower path: measured on loopback, Buffer.from first takes 20% off the
 * write of a 250 KB to 1 MB JSON answer (0.2 ms at 250 KB, 0.4 ms at 484 KB:
 * a 100-run page), and makes no difference up to 120 KB.
 */
function bodyOf(text: string): string | Buffer {
  return text.length >= largeBody ? Buffer.from(text, 'utf8') : text;
}

/** Characters from which a body is written as bytes (see bodyOf). */
const largeBody = 128 * 1024;
