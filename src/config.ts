import { queryLimitsFromEnv, type QueryLimits } from './graphql/limits.js';
import { defaultPolicy, type UpstreamPolicy } from './wandb/policy.js';
import { defaultLiveOptions, type LiveOptions } from './live/runWatchers.js';

import { logLevels } from './observability/logger.js';
import { documentLimitsFromEnv, type DocumentLimits } from './graphql/documentLimits.js';
import { defaultMaxResponseBytes } from './wandb/transport.js';

/** Configuration from environment variables, read once at start. */
export interface Config {
  /** Port and interface of the subgraph. */
  port: number;
  host: string;
  /** NODE_ENV=production: W&B must be named (WANDB_BASE_URL); no demo emulator. */
  production: boolean;
  /** Port of a separate /metrics listener on `host` (METRICS_PORT); null serves /metrics on `port`. */
  metricsPort: number | null;
  /** W&B API base URL; null means "start the embedded emulator". */
  wandbBaseUrl: string | null;
  /** Service API key used upstream when a caller sends none. */
  wandbApiKey: string | null;
  /** W&B app URL for Run.url; derived from the API URL when unset. */
  wandbAppUrl: string | null;
  /** Origins allowed by CORS ('*' for any); null leaves CORS closed. */
  corsOrigins: string[] | null;
  /** Host names the server answers (ALLOWED_HOSTS; see http/hosts.ts); null for the default. */
  allowedHosts: string[] | null;
  /** Largest request body accepted, in bytes. */
  maxBodyBytes: number;
  /** Most HTTP connections open at once (MAX_CONNECTIONS); more are closed as they come. */
  maxConnections: number;
  /** Query depth and cost limits (MAX_QUERY_DEPTH, MAX_QUERY_COST). */
  queryLimits: QueryLimits;
  /** Tokens, aliases, directives, fragments and list arguments per document (MAX_QUERY_TOKENS…). */
  documentLimits: DocumentLimits;
  /** Introspection (INTROSPECTION=true|false); null: on for the emulator demo, off with a real W&B. */
  introspection: boolean | null;
  /** Serve queries that already ran compiled without Apollo's request pipeline (WARM_PATH=true|false; default true). */
  warmPath: boolean;
  /** Largest answer read from W&B, in bytes (WANDB_MAX_RESPONSE_BYTES). */
  maxResponseBytes: number;
  /** Bytes of ended runs' history kept read ahead (READ_AHEAD_MAX_BYTES). */
  readAheadMaxBytes: number;
  /** Longest wait for a request's headers, and for the whole request, in ms (HEADERS_TIMEOUT_MS, REQUEST_TIMEOUT_MS). */
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  /** Upstream time limits, retries and concurrency. */
  policy: UpstreamPolicy;
  /** Live runs: poll interval, idle backoff, caps. */
  live: LiveOptions & { maxPerConnection: number };
  /** pino log level (LOG_LEVEL): fatal, error, warn, info, debug, trace or silent. */
  logLevel: string;
  /** How long a shutdown lets in-flight requests finish (SHUTDOWN_TIMEOUT_MS). */
  shutdownTimeoutMs: number;
  /** Redis shared by the replicas (REDIS_URL, redis:// or rediss://); null: state in memory per process. */
  redisUrl: string | null;
  emulator: {
    port: number;
    host: string;
    dataDir: string;
    delayMs: number;
  };
}

/**
 * Reads the configuration from `env`. Throws an Error naming the variable
 * when a value is malformed, or when NODE_ENV=production leaves
 * WANDB_BASE_URL unset (the demo emulator is for development only).
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  if (production && !env.WANDB_BASE_URL) {
    throw new Error(
      'WANDB_BASE_URL is required when NODE_ENV=production (e.g. https://api.wandb.ai or your W&B Server); ' +
        'the demo emulator starts only outside production (npm start)',
    );
  }
  const port = int(env, 'PORT', 4001, 0, 65535);
  const metricsPort = env.METRICS_PORT ? int(env, 'METRICS_PORT', 0, 1, 65535) : null;
  if (metricsPort !== null && metricsPort === port) throw new Error(`METRICS_PORT must differ from PORT, both are ${port}`);
  return {
    port,
    host: env.HOST || '127.0.0.1',
    production,
    metricsPort,
    wandbBaseUrl: env.WANDB_BASE_URL ? url(env, 'WANDB_BASE_URL') : null,
    wandbApiKey: env.WANDB_API_KEY || null,
    wandbAppUrl: env.WANDB_APP_URL ? url(env, 'WANDB_APP_URL') : null,
    corsOrigins: env.CORS_ORIGINS ? env.CORS_ORIGINS.split(',').map((o) => o.trim()).filter(Boolean) : null,
    allowedHosts: env.ALLOWED_HOSTS ? env.ALLOWED_HOSTS.split(',').map((h) => h.trim()).filter(Boolean) : null,
    queryLimits: queryLimitsFromEnv(env),
    documentLimits: documentLimitsFromEnv(env),
    introspection: bool(env, 'INTROSPECTION'),
    warmPath: bool(env, 'WARM_PATH') ?? true,
    maxResponseBytes: int(env, 'WANDB_MAX_RESPONSE_BYTES', defaultMaxResponseBytes, 1024, 2 ** 31),
    readAheadMaxBytes: int(env, 'READ_AHEAD_MAX_BYTES', 32 * 1024 * 1024, 0, 2 ** 31),
    headersTimeoutMs: int(env, 'HEADERS_TIMEOUT_MS', 10_000, 100, 600_000),
    requestTimeoutMs: int(env, 'REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
    policy: {
      ...defaultPolicy,
      attemptTimeoutMs: int(env, 'WANDB_ATTEMPT_TIMEOUT_MS', defaultPolicy.attemptTimeoutMs, 100, 600_000),
      budgetMs: int(env, 'WANDB_REQUEST_BUDGET_MS', defaultPolicy.budgetMs, 100, 600_000),
      maxRetries: int(env, 'WANDB_MAX_RETRIES', defaultPolicy.maxRetries, 0, 20),
      maxInFlight: int(env, 'WANDB_MAX_IN_FLIGHT', defaultPolicy.maxInFlight, 1, 10_000),
    },
    live: {
      intervalMs: int(env, 'LIVE_POLL_INTERVAL_MS', defaultLiveOptions.intervalMs, 50, 600_000),
      maxIntervalMs: int(env, 'LIVE_MAX_INTERVAL_MS', defaultLiveOptions.maxIntervalMs, 50, 3_600_000),
      maxSubscriptions: int(env, 'LIVE_MAX_SUBSCRIPTIONS', defaultLiveOptions.maxSubscriptions, 1, 1_000_000),
      maxPerConnection: int(env, 'LIVE_MAX_PER_CONNECTION', 20, 1, 10_000),
    },
    maxBodyBytes: int(env, 'MAX_BODY_BYTES', 1_048_576, 1024, 64 * 1_048_576),
    maxConnections: int(env, 'MAX_CONNECTIONS', 4096, 16, 1_000_000),
    logLevel: oneOf(env, 'LOG_LEVEL', 'info', logLevels),
    shutdownTimeoutMs: int(env, 'SHUTDOWN_TIMEOUT_MS', 10_000, 0, 600_000),
    redisUrl: env.REDIS_URL ? redisUrl(env.REDIS_URL) : null,
    emulator: {
      port: int(env, 'EMULATOR_PORT', 4100, 0, 65535),
      host: env.EMULATOR_HOST || '127.0.0.1',
      dataDir: env.EMULATOR_DATA_DIR || '.data',
      delayMs: int(env, 'EMULATOR_DELAY_MS', 0, 0, 60_000),
    },
  };
}

// Private:

function oneOf(env: NodeJS.ProcessEnv, name: string, fallback: string, allowed: readonly string[]): string {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = raw.trim().toLowerCase();
  if (!allowed.includes(value)) throw new Error(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(raw)}`);
  return value;
}

function bool(env: NodeJS.ProcessEnv, name: string): boolean | null {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return null;
  const value = raw.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(value)) return true;
  if (['0', 'false', 'off', 'no'].includes(value)) return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be an integer in ${min}..${max}, got ${JSON.stringify(raw)}`);
  return value;
}

function redisUrl(raw: string): string {
  let protocol = '';
  try {
    protocol = new URL(raw).protocol;
  } catch {
    // reported below
  }
  // The message never quotes the URL: it may carry a password.
  if (protocol !== 'redis:' && protocol !== 'rediss:') throw new Error('REDIS_URL must be a redis:// or rediss:// URL');
  return raw;
}

function url(env: NodeJS.ProcessEnv, name: string): string {
  const raw = env[name]!;
  try {
    const u = new URL(raw);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new Error(`${name} must be an http(s) URL, got ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/$/, '');
}
