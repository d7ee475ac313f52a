import type { ServerResponse } from 'node:http';
import type { Logger } from '../observability/logger.js';
import { send, type UpstreamAgents } from '../wandb/transport.js';
import { sendJson } from './json.js';

export interface ReadinessOptions {
  wandbBaseUrl: string;
  agents: UpstreamAgents;
  logger: Logger;
  /** The probe's time limit (default 2 s) and how long its answer is reused (default 1 s). */
  readiness?: { timeoutMs?: number; cacheMs?: number };
  /** True once shutdown has begun: not ready then. */
  closing: () => boolean;
  /** With a fleet: whether its Redis answers (absent without one). */
  redisUp?: () => boolean;
}

/** Readiness: W&B answers (any status below 500) within the time limit; the answer is reused for cacheMs. */
export function createReadinessProbe(options: ReadinessOptions): (res: ServerResponse) => Promise<void> {
  const logger = options.logger;
  const agents = options.agents;
  const probeTimeoutMs = options.readiness?.timeoutMs ?? 2_000;
  const probeCacheMs = options.readiness?.cacheMs ?? 1_000;
  const probeUrl = `${options.wandbBaseUrl.replace(/\/$/, '')}/`;
  let lastProbe: { at: number; reason: string | null } | null = null;
  let probing: Promise<string | null> | null = null;

  async function ready(res: ServerResponse): Promise<void> {
    if (options.closing()) return sendJson(res, 503, { status: 'unavailable', reason: 'shutting down' });
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
    // or orchestrator that pulled them all because Redis fell would turn a slower fleet into an outage.
    const redis = options.redisUp ? (options.redisUp() ? 'ok' : 'unavailable') : undefined;
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
  return ready;
}
