import { createUpstreamClient, type UpstreamClient } from './wandb/client.js';
import type { Limiter, PolicyHooks, UpstreamPolicy } from './wandb/policy.js';
import type { Coalescer } from './wandb/coalesce.js';
import { createLoaders, type Loaders, type OnBatch } from './loaders/index.js';
import { createWandbApi, type WandbApi } from './wandb/api.js';
import type { UpstreamAgents } from './wandb/transport.js';
import type { RunWatchers } from './live/runWatchers.js';
import { principalOf, type ReadAheadCache } from './history/readAhead.js';
import type { CacheHints } from './graphql/cacheHints.js';
import type { RawJsonSink } from './graphql/rawJson.js';
import type { RateLimitGate } from './fleet/rateLimits.js';

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
  /** Where JSON from W&B goes into the HTTP response as text (see rawJson.ts); absent for subscriptions. */
  rawJson?: RawJsonSink;
  /** A hash of `authorization`: the caller's name in process-level caches. */
  principal: string;
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
  /** W&B's rate-limit state, shared by the process (or the fleet). */
  rateLimits?: RateLimitGate;
}

/**
 * The context of one request: the caller's Authorization header (Basic
 * api:<key> or Bearer) goes upstream as is; without one, the service key.
 */
export function createContext(options: ContextOptions, header: string | undefined): Context {
  const caller = header && /^(Basic|Bearer)\s+\S+$/i.test(header.trim()) ? header.trim() : null;
  const service = options.serviceKey ? `Basic ${Buffer.from(`api:${options.serviceKey}`).toString('base64')}` : null;
  const authorization = caller ?? service;
  const upstream = upstreamClientFor(options, authorization);
  const wandb = createWandbApi(upstream);
  let principal: string | undefined;
  return {
    upstream,
    wandb,
    loaders: createLoaders(wandb, options.onBatch),
    appUrl: options.appUrl,
    authorization,
    // Hashed when first needed (reading ahead): most requests never need it.
    get principal() {
      return (principal ??= principalOf(authorization));
    },
    live: options.live,
    readAhead: options.readAhead,
  };
}

/** An upstream client sending `authorization`, with the process's pools, policy and hooks. */
export function upstreamClientFor(options: ContextOptions, authorization: string | null): UpstreamClient {
  return createUpstreamClient({
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
