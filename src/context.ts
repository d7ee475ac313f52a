import { createUpstreamClient, type UpstreamClient } from './wandb/client.js';
import type { Limiter, PolicyHooks, UpstreamPolicy } from './wandb/policy.js';
import type { Coalescer } from './wandb/coalesce.js';
import { createLoaders, type Loaders, type OnBatch } from './loaders/index.js';
import { createWandbApi, type WandbApi } from './wandb/api.js';
import type { UpstreamAgents } from './wandb/transport.js';
import type { RunWatchers } from './live/runWatchers.js';
import type { ReadAheadCache } from './history/readAhead.js';
import { principalOf } from './security/credentials.js';
import type { CacheHints } from './graphql/cacheHints.js';
import type { RawJsonSink, RawPlace } from './graphql/rawJson.js';
import { basicForKey, readCredential } from './security/credentials.js';
import { codedError } from './errors.js';
import type { ExecutionResult, GraphQLError } from 'graphql';
import type { RateLimitGate } from './fleet/rateLimits.js';
import type { RunLocks } from './fleet/runLocks.js';

/** What the server records about a request, for its log line and metrics. */
export interface RequestState {
  id: string;
  operationName?: string;
  operationType: 'query' | 'mutation' | 'subscription' | 'unknown';
  /** extensions.code of every error sent, after masking. */
  errorCodes: string[];
  /** The request's trace and span, when tracing is on (for its log line). */
  traceId?: string;
  spanId?: string;
}

/** What every resolver gets: built per request, with that request's credentials. */
export interface Context extends CacheHints {
  upstream: UpstreamClient;
  /** The W&B reads, as named methods over `upstream`. */
  wandb: WandbApi;
  loaders: Loaders;
  /** Base URL of the W&B app, for Run.url. */
  appUrl: string;
  /** The request's id and what the server logs about it (set by the HTTP server). */
  request?: RequestState;
  /** The Authorization header sent upstream for this caller (never logged). */
  authorization: string | null;
  /** Live runs, shared by the process (subscriptions). */
  live?: RunWatchers;
  /** Ended runs' history read ahead, shared by the process, keyed by principal. */
  readAhead?: ReadAheadCache;
  /** Leases that make the fleet's writes of one run take turns (with Redis only). */
  runLocks?: RunLocks;
  /** Where JSON from W&B goes into the HTTP response as text (see rawJson.ts); absent for subscriptions. */
  rawJson?: RawJsonSink;
  /** Lists given as text, placed in the result after execution (see rawJson.ts); absent for subscriptions. */
  rawPlaces?: RawPlace[];
  /** A hash of `authorization`: the caller's name in process-level caches. */
  principal: string;
  /**
   * Errors of fields that still resolved to a placeholder (a run state W&B
   * reported that the schema does not know → UNKNOWN): sent with the
   * response, at their field's path, so one bad value fails only itself.
   */
  fieldErrors?: GraphQLError[];
  /** A result the warm path computed with errors, for Apollo to finish (graphql/warmPath.ts); the executor returns it. */
  precomputed?: ExecutionResult;
}

export interface ContextOptions {
  wandbBaseUrl: string;
  appUrl: string;
  /** Used upstream when the caller sends no Authorization header. */
  serviceKey: string | null;
  /** The process's keep-alive pools to W&B. */
  agents: UpstreamAgents;
  policy?: UpstreamPolicy;
  /** The process's cap on upstream requests in flight. */
  limiter?: Limiter;
  hooks?: PolicyHooks;
  /** Identical reads in flight sent once, for the whole process. */
  coalescer?: Coalescer;
  /** Told the size of every DataLoader batch (metrics). */
  onBatch?: OnBatch;
  live?: RunWatchers;
  readAhead?: ReadAheadCache;
  /** Largest W&B answer read, in bytes (WANDB_MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** W&B's rate-limit state, shared by the process (or the fleet). */
  rateLimits?: RateLimitGate;
  /** Leases of runs being written, shared by the fleet (with Redis only). */
  runLocks?: RunLocks;
}

/**
 * The Authorization sent upstream for a caller's credential: the caller's
 * own when well formed (Basic api:<key> or Bearer <token>); the service
 * key's only when no credential was sent at all. A credential present but
 * malformed throws UNAUTHENTICATED (HTTP 401): it is never replaced by the
 * service key.
 */
export function authorizationFor(serviceKey: string | null, credential: unknown): string | null {
  const read = readCredential(credential);
  if (read.kind === 'valid') return read.authorization;
  if (read.kind === 'malformed') throw codedError('UNAUTHENTICATED', `malformed credential: ${read.reason}`, { http: { status: 401 } });
  return serviceKey ? basicForKey(serviceKey) : null;
}

/**
 * The context of one request: the caller's Authorization header goes
 * upstream as is; without one, the service key (see {@link authorizationFor}).
 * `signal` aborts the request's upstream calls (the client went away).
 */
export function createContext(options: ContextOptions, header: unknown, signal?: AbortSignal): Context {
  const authorization = authorizationFor(options.serviceKey, header);
  const upstream = upstreamClientFor(options, authorization, signal);
  const wandb = createWandbApi(upstream);
  return {
    upstream,
    wandb,
    loaders: createLoaders(wandb, options.onBatch),
    appUrl: options.appUrl,
    authorization,
    // A plain property, not a lazy getter: an object literal with an accessor gets a hidden class of
    // its own per request (see patches/), and Apollo's copy of the context reads it anyway. Hashed
    // once per Authorization value (principalOf keeps them).
    principal: principalOf(authorization),
    fieldErrors: [],
    live: options.live,
    readAhead: options.readAhead,
    runLocks: options.runLocks,
  };
}

/** An upstream client sending `authorization`, with the process's pools, policy and hooks. */
export function upstreamClientFor(options: ContextOptions, authorization: string | null, signal?: AbortSignal): UpstreamClient {
  return createUpstreamClient({
    signal,
    maxResponseBytes: options.maxResponseBytes,
    baseUrl: options.wandbBaseUrl,
    authorization,
    agents: options.agents,
    policy: options.policy,
    limiter: options.limiter,
    hooks: options.hooks,
    rateLimits: options.rateLimits,
    coalescer: options.coalescer,
  });
}

/** The W&B app URL for an API base URL, as the W&B client derives it (api.wandb.ai → wandb.ai). */
export function appUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.hostname.startsWith('api.')) url.hostname = url.hostname.slice(4);
  return url.toString().replace(/\/$/, '');
}
