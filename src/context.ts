import { createUpstreamClient, type UpstreamClient } from './upstream/client.js';
import type { Limiter, PolicyHooks, UpstreamPolicy } from './upstream/policy.js';
import { createLoaders, type Loaders, type OnBatch } from './loaders/index.js';
import type { UpstreamAgents } from './upstream/transport.js';

/** What the server records about a request, for its log line and metrics. */
export interface RequestState {
  id: string;
  operationName?: string;
  operationType: 'query' | 'mutation' | 'subscription' | 'unknown';
  /** extensions.code of every error sent, after masking. */
  errorCodes: string[];
}

/** What every resolver gets: built per request, with that request's credentials. */
export interface Context {
  upstream: UpstreamClient;
  loaders: Loaders;
  /** Base URL of the W&B app, for Run.url. */
  appUrl: string;
  /** The request's id and what the server logs about it (set by the HTTP server). */
  request?: RequestState;
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
  /** Told the size of every DataLoader batch (metrics). */
  onBatch?: OnBatch;
}

/**
 * The context of one request: the caller's Authorization header (Basic
 * api:<key> or Bearer) goes upstream as is; without one, the service key.
 */
export function createContext(options: ContextOptions, authorization: string | undefined): Context {
  const caller = authorization && /^(Basic|Bearer)\s+\S+$/i.test(authorization.trim()) ? authorization.trim() : null;
  const service = options.serviceKey ? `Basic ${Buffer.from(`api:${options.serviceKey}`).toString('base64')}` : null;
  const upstream = createUpstreamClient({
    baseUrl: options.wandbBaseUrl,
    authorization: caller ?? service,
    agents: options.agents,
    policy: options.policy,
    limiter: options.limiter,
    hooks: options.hooks,
  });
  return { upstream, loaders: createLoaders(upstream, options.onBatch), appUrl: options.appUrl };
}

/** The W&B app URL for an API base URL, as the W&B client derives it (api.wandb.ai → wandb.ai). */
export function appUrlFor(baseUrl: string): string {
  const url = new URL(baseUrl);
  if (url.hostname.startsWith('api.')) url.hostname = url.hostname.slice(4);
  return url.toString().replace(/\/$/, '');
}
