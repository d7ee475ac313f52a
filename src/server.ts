import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { resolvers } from '../resolvers/index.js';
import type { Config } from './config.js';
import { appUrlFor, createContext, upstreamClientFor, type Context, type ContextOptions, type RequestState } from './context.js';
import { createRunWatchers, defaultLiveOptions, type LiveOptions } from './live/runWatchers.js';
import { serveSubscriptions } from './live/subscriptionServer.js';
import { createReadAheadCache } from './readAhead.js';
import { createUpstreamAgents, destroyUpstreamAgents, send } from './upstream/transport.js';
import { queryLimitRules, queryLimitsPlugin, type QueryLimits } from './limits.js';
import { guardEntities } from './entities.js';
import { createLimiter, defaultPolicy, type UpstreamPolicy } from './upstream/policy.js';
import { callbackLogger, createLogger, scrub, type Logger } from './observability/logger.js';
import { createMetrics, type Metrics } from './observability/metrics.js';
import { clientErrorCodes } from './errors.js';
import { connectFleet, type Fleet } from './fleet/redis.js';
import { createFleetCache } from './fleet/apqCache.js';
import { createRateLimitGate } from './fleet/rateLimits.js';
import { createSharedWindows } from './fleet/sharedWindows.js';
import { createPollCoordinator } from './live/fleetPolls.js';
import { activeTracer, failSpan, incomingContext, SpanKind, startSpan, withSpan } from './observability/tracing.js';
import { traceRootFields, tracingPlugin } from './observability/tracingPlugin.js';

const schemaDir = fileURLToPath(new URL('../schema/subgraph/', import.meta.url));


/**
 * Records on the request's state (in its context) the operation's name and
 * type, and the codes of the errors sent; logs errors that are masked.
 */
function requestStatePlugin(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart({ request, contextValue }) {
      const state = contextValue.request;
      if (state && typeof request.operationName === 'string') state.operationName = request.operationName.slice(0, 200);
      return {
        async didResolveOperation({ operation, operationName }) {
          if (!state) return;
          if (operation) state.operationType = operation.operation;
          if (operationName) state.operationName = operationName.slice(0, 200);
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const code = error.extensions?.code;
            if (typeof code === 'string' && clientErrorCodes.has(code)) continue;
            const original = error.originalError ?? error;
            logger.error(
              {
                requestId: state?.id,
                path: error.path?.join('.'),
                errorName: original instanceof Error ? original.name : typeof original,
                error: scrub(original instanceof Error ? original.message : String(original)),
              },
              'masked error',
            );
          }
        },
        async willSendResponse({ response }) {
          if (!state || response.body.kind !== 'single') return;
          for (const error of response.body.singleResult.errors ?? []) {
            const code = error.extensions?.code;
            state.errorCodes.push(typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR');
          }
        },
      };
    },
  };
}

/** The subgraph's executable schema: schema/subgraph/*.graphql with the resolver map. */
export function createSubgraphSchema(): GraphQLSchema {
  const sdl = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(`${schemaDir}${f}`, 'utf8'))
    .join('\n');
  return guardEntities(buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers as never }]));
}

export interface SubgraphOptions {
  port?: number;
  host?: string;
  wandbBaseUrl: string;
  /** W&B app URL for Run.url; derived from wandbBaseUrl by default. */
  appUrl: string;
  serviceKey: string | null;
  /** Upstream time limits, retries and concurrency (defaults: defaultPolicy). */
  policy?: UpstreamPolicy;
  /** Query depth and cost limits (defaults: limits.ts). */
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
  /**
   * Redis shared by the replicas (REDIS_URL): APQ, history read-ahead,
   * live-run polls and W&B rate-limit state. Null or absent: each process
   * keeps them in memory.
   */
  redisUrl?: string | null;
  /** Prefix of the fleet's Redis keys and channels (default "wrs:"). */
  redisPrefix?: string;
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
    redisUrl: config.redisUrl,
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
  // The fleet's shared state, when Redis is configured; it never stops the start (degraded until Redis answers).
  const fleet: Fleet | null = options.redisUrl ? await connectFleet({ url: options.redisUrl, logger, prefix: options.redisPrefix }) : null;
  const rateLimits = createRateLimitGate(fleet ?? undefined);
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
    // In a fleet, also in Redis: at most 64 MiB, for 30 s.
    readAhead: createReadAheadCache({ ttlMs: 30_000, maxRows: 50_000, shared: fleet ? createSharedWindows(fleet) : undefined }),
    rateLimits,
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
  const apollo = new ApolloServer<Context>({
    schema,
    includeStacktraceInErrorResponses: false,
    // Depth and cost limits refuse oversized queries before any upstream call.
    validationRules: queryLimitRules(options.queryLimits),
    // Shutdown is ours (close(), called by main on SIGTERM/SIGINT): Apollo's own handler would stop it mid-drain and re-raise the signal.
    stopOnTerminationSignals: false,
    // APQ: shared by the fleet (a bounded local LRU in front of Redis), kept a day at most.
    ...(fleet ? { cache: createFleetCache(fleet), persistedQueries: { ttl: 86_400 } } : {}),
    plugins: [
      ...(tracer ? [tracingPlugin()] : []),
      // Cache-Control from the hints resolvers set (immutable history of ended runs); none otherwise.
      ApolloServerPluginCacheControl({ defaultMaxAge: 0 }),
      // Inline traces are sent only when a router asks for them (apollo-federation-include-trace).
      ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
      requestStatePlugin(logger),
      // Re-costs with the request's variables (validation sees only their defaults).
      queryLimitsPlugin(options.queryLimits),
    ],
    logger: logger.child({ component: 'apollo' }),
    formatError: (formatted: GraphQLFormattedError) => maskError(formatted),
  });
  await apollo.start();

  let closing = false;

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
      if (state.traceId) Object.assign(entry, { trace_id: state.traceId, span_id: state.spanId });
      if (!res.writableFinished) entry.aborted = true;
      logger.info(entry, 'request');
      // During shutdown, a connection whose last request just finished is closed at once.
      if (closing) setImmediate(() => server.closeIdleConnections());
    };
    // With tracing on, the request continues the caller's trace (traceparent) in a server span.
    const span = tracer && pathOf(req.url) !== '/health' && pathOf(req.url) !== '/metrics' && pathOf(req.url) !== '/ready'
      ? startSpan(tracer, `${req.method ?? 'GET'} ${pathOf(req.url)}`, SpanKind.SERVER, { 'http.request.method': req.method ?? 'GET', 'url.path': pathOf(req.url) }, incomingContext(req.headers))
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
    res.once('finish', finished);
    res.once('close', finished);
    (span ? withSpan(span, () => handle(req, res, state)) : handle(req, res, state)).catch((error: unknown) => {
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
    if (url.pathname === '/metrics') return sendMetrics(res);
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
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: parsed },
      context: async () => ({ ...createContext(contextOptions, req.headers.authorization), request: state }),
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    if (closing) res.setHeader('connection', 'close');
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  const maxBody = options.maxBodyBytes ?? 1_048_576;

  async function sendMetrics(res: ServerResponse): Promise<void> {
    const text = await metrics.registry.metrics();
    res.writeHead(200, { 'content-type': metrics.registry.contentType, 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  /** Readiness: W&B answers (any status below 500) within the time limit; the answer is reused for cacheMs. */
  const probeTimeoutMs = options.readiness?.timeoutMs ?? 2_000;
  const probeCacheMs = options.readiness?.cacheMs ?? 1_000;
  const probeUrl = `${options.wandbBaseUrl.replace(/\/$/, '')}/`;
  let lastProbe: { at: number; reason: string | null } | null = null;
  let probing: Promise<string | null> | null = null;

  async function ready(res: ServerResponse): Promise<void> {
    if (closing) return sendJson(res, 503, { status: 'unavailable', reason: 'shutting down' });
    let reason: string | null;
    if (lastProbe && performance.now() - lastProbe.at < probeCacheMs) reason = lastProbe.reason;
    else {
      probing ??= probeUpstream().then((r) => {
        if (r !== (lastProbe?.reason ?? null)) {
          if (r === null) logger.info('W&B reachable');
          else logger.warn({ reason: r }, 'W&B unreachable');
        }
        lastProbe = { at: performance.now(), reason: r };
        probing = null;
        return r;
      });
      reason = await probing;
    }
    // Redis away is degraded, not unready: every replica serves from its own state, and a router
    // that pulled them all because Redis fell would turn a slower fleet into an outage.
    const redis = fleet ? (fleet.up() ? 'ok' : 'unavailable') : undefined;
    if (reason === null) return sendJson(res, 200, redis === 'unavailable' ? { status: 'degraded', redis } : { status: 'ok', ...(redis ? { redis } : {}) });
    sendJson(res, 503, { status: 'unavailable', reason, ...(redis ? { redis } : {}) });
  }

  /** null when W&B is reachable, else why not. Unauthenticated: no key is ever sent. */
  async function probeUpstream(): Promise<string | null> {
    try {
      const response = await send(agents, probeUrl, { method: 'GET', headers: {} }, probeTimeoutMs);
      return response.status < 500 ? null : `W&B answered HTTP ${response.status}`;
    } catch (error) {
      const name = (error as { name?: string })?.name;
      if (name === 'TimeoutError' || name === 'AbortError') return `W&B did not answer within ${probeTimeoutMs} ms`;
      const code = (error as { code?: unknown })?.code;
      return `W&B unreachable${typeof code === 'string' && /^[A-Z_]+$/.test(code) ? ` (${code})` : ''}`;
    }
  }
  const origins = new Set(options.corsOrigins ?? []);

  /**
   * CORS, closed unless origins are configured: sets the headers for an
   * allowed Origin, and answers preflight requests (returns true then).
   */
  function cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && (origins.has('*') || origins.has(origin));
    if (allowed) {
      res.setHeader('access-control-allow-origin', origins.has('*') ? '*' : origin);
      res.setHeader('vary', 'Origin');
      res.setHeader('access-control-expose-headers', 'x-request-id');
    }
    if (req.method !== 'OPTIONS') return false;
    if (allowed) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader(
        'access-control-allow-headers',
        'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, apollographql-client-version, x-request-id',
      );
      res.setHeader('access-control-max-age', '600');
    }
    res.statusCode = 204;
    res.end();
    return true;
  }

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
    let timedOut = false;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timedOut = true;
        logger.warn({ timeoutMs: shutdownTimeoutMs }, 'shutdown timeout: destroying the connections still open');
        server.closeAllConnections();
      }, shutdownTimeoutMs);
      server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      server.closeIdleConnections();
    });
    await apollo.stop();
    // Upstream requests still running after a timeout are abandoned with their sockets.
    void timedOut;
    destroyUpstreamAgents(agents);
    rateLimits.close();
    await fleet?.close();
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

// Private:

async function readBody(req: IncomingMessage, res: ServerResponse, maxBody: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) {
      sendJson(res, 413, { errors: [{ message: `request body larger than ${maxBody} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
      req.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The caller's x-request-id when it is a sane token (at most 128 of [A-Za-z0-9._-]), else a new UUID. */
function requestIdOf(header: string | string[] | undefined): string {
  return typeof header === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(header) ? header : randomUUID();
}

/** The path of a request URL, without its query string (which may carry user data). */
function pathOf(url: string | undefined): string {
  try {
    return new URL(url ?? '/', 'http://subgraph').pathname.slice(0, 200);
  } catch {
    return '-';
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** maskError for GraphQLErrors (subscriptions over WebSocket). */
function maskGraphQLError(error: GraphQLError): GraphQLError {
  const code = error.extensions?.code;
  if (typeof code === 'string' && clientErrorCodes.has(code)) return error;
  return new GraphQLError('Internal server error', { nodes: error.nodes, path: error.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}

/** Errors with a known code pass; anything else is masked so no internals leak (requestStatePlugin logs it). */
function maskError(formatted: GraphQLFormattedError): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && clientErrorCodes.has(code)) {
    const { stacktrace: _, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
