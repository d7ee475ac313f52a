import { abortError, ResponseTooLargeError, send, type UpstreamAgents, type UpstreamResponse } from './transport.js';
import type { RateLimitGate } from '../fleet/rateLimits.js';
import { activeTracer, failSpan, injectInto, SpanKind, startSpan } from '../observability/tracing.js';

/** How the subgraph calls W&B: time limits, retries and concurrency. */
export interface UpstreamPolicy {
  /** Longest wait for one attempt. */
  attemptTimeoutMs: number;
  /** Longest time for a whole call, retries and queueing included. */
  budgetMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First backoff delay; doubled each retry, with jitter. */
  baseDelayMs: number;
  /** Largest backoff delay. */
  maxDelayMs: number;
  /** Most upstream requests in flight per process; more wait in a queue. */
  maxInFlight: number;
}

export const defaultPolicy: UpstreamPolicy = {
  attemptTimeoutMs: 15_000,
  budgetMs: 30_000,
  maxRetries: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxInFlight: 64,
};

/** What each attempt came to, for metrics. */
export type AttemptOutcome = 'ok' | 'http_4xx' | 'http_429' | 'http_5xx' | 'bad_body' | 'too_large' | 'timeout' | 'network';

export interface PolicyHooks {
  onAttempt?: (outcome: AttemptOutcome, seconds: number) => void;
  onRetry?: () => void;
}

/** Header by which the client says whether a request may be sent twice; removed before sending. */
export const idempotencyHeader = 'x-upstream-idempotent';

/** Set on the 502 a 200 with a body that is not JSON becomes. */
export const badBodyHeader = 'x-upstream-bad-body';

/** A counting semaphore: at most `max` tasks run at once, the rest wait in order. */
export function createLimiter(max: number) {
  let active = 0;
  const waiting: (() => void)[] = [];
  return {
    /** Runs `task` when a slot is free; a task whose `signal` aborts while it waits leaves the queue. */
    async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
      if (signal?.aborted) throw abortError();
      if (active >= max) {
        await new Promise<void>((resolve, reject) => {
          const wake = () => {
            signal?.removeEventListener('abort', leave);
            resolve();
          };
          const leave = () => {
            const i = waiting.indexOf(wake);
            if (i >= 0) waiting.splice(i, 1);
            reject(abortError());
          };
          waiting.push(wake);
          signal?.addEventListener('abort', leave, { once: true });
        });
        // Woken by a slot freed as clients leave: the other clients leaving in the same turn are seen
        // first, so a task whose client went away hands its slot on instead of reaching W&B.
        await new Promise((resolve) => setImmediate(resolve));
        if (signal?.aborted) {
          waiting.shift()?.();
          throw abortError();
        }
      }
      active++;
      try {
        return await task();
      } finally {
        active--;
        waiting.shift()?.();
      }
    },
    get inFlight() {
      return active;
    },
    get queued() {
      return waiting.length;
    },
  };
}

export type Limiter = ReturnType<typeof createLimiter>;

/**
 * A POST to W&B that applies the policy, as W&B's own
 * clients do: retries 408, 429 and 5xx except 501, timeouts and network
 * failures, with exponential backoff and jitter, honouring Retry-After
 * (seconds or an HTTP date) when it fits the budget; never retries other
 * 4xx, nor a 200 (GraphQL errors included). A request marked
 * non-idempotent (a delete, an artifact link) is retried only when it
 * surely never reached W&B (connection refused, DNS failure, connect
 * timeout) or was refused with 429, so it is never applied twice. The
 * body is read whole: a 200 whose body is not JSON (cut short, an HTML
 * error page) counts as a failure.
 */
export function createPolicyFetch(options: {
  policy: UpstreamPolicy;
  agents: UpstreamAgents;
  limiter: Limiter;
  hooks?: PolicyHooks;
  /** Aborts every attempt and wait (the caller went away); never retried. */
  signal?: AbortSignal;
  /** Largest answer read (see transport's send). */
  maxResponseBytes?: number;
  /** W&B's rate-limit state (shared by the fleet when there is one), and this caller's name in it. */
  rateLimits?: { gate: RateLimitGate; principal: string };
}) {
  const { policy, agents, limiter, hooks, rateLimits } = options;
  return async function policyFetch(url: string, init: { method?: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }): Promise<UpstreamResponse> {
    // The request's own signal, else the client's.
    const signal = init.signal ?? options.signal;
    const { [idempotencyHeader]: idempotency, ...headers } = init.headers;
    const idempotent = idempotency !== '0';
    const deadline = Date.now() + policy.budgetMs;
    for (let attempt = 0; ; attempt++) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw timeoutError();
      if (signal?.aborted) throw abortError();
      // W&B said to wait (here or on another replica): wait when it fits the budget, else answer 429 without asking.
      const hold = rateLimits?.gate.waitMs(rateLimits.principal) ?? 0;
      if (hold > 0) {
        if (hold >= remaining) return rateLimited(hold);
        await new Promise((r) => setTimeout(r, hold));
        attempt--; // waiting is not an attempt
        continue;
      }
      const started = performance.now();
      let result: { response: UpstreamResponse; retryable: boolean; retryAfterMs: number | null } | { error: unknown; retryable: boolean };
      try {
        result = await limiter.run(() => attemptOnce(url, init, headers, Math.min(policy.attemptTimeoutMs, remaining), idempotent, signal ?? undefined), signal ?? undefined);
      } catch (error) {
        result = { error, retryable: false };
      }
      const seconds = (performance.now() - started) / 1000;
      const tooLarge = 'error' in result && result.error instanceof ResponseTooLargeError;
      if (tooLarge) hooks?.onAttempt?.('too_large', seconds);
      // Abandoned by its client, or too large itself: nothing to retry. One given up while the process
      // read too much at once (ResponseTooLargeError.together) is retried as a network failure is.
      if ('error' in result && (signal?.aborted || (tooLarge && !(result.error as ResponseTooLargeError).together))) throw result.error;
      if ('response' in result) hooks?.onAttempt?.(outcomeOf(result.response), seconds);
      else if (!tooLarge) hooks?.onAttempt?.(isTimeout(result.error) ? 'timeout' : 'network', seconds);

      const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
      const jittered = backoff / 2 + Math.random() * (backoff / 2);
      const delay = 'response' in result && result.retryAfterMs !== null ? result.retryAfterMs : jittered;
      if (rateLimits && 'response' in result && result.response.status === 429) rateLimits.gate.limited(rateLimits.principal, Date.now() + delay);
      if (!result.retryable || attempt >= policy.maxRetries) return finish(result);
      if (Date.now() + delay >= deadline) return finish(result);
      hooks?.onRetry?.();
      await sleep(delay, signal ?? undefined);
    }
  };

  async function attemptOnce(url: string, init: { method?: string; body?: string }, headers: Record<string, string>, timeoutMs: number, idempotent: boolean, signal: AbortSignal | undefined) {
    let response: UpstreamResponse;
    const method = init.method ?? 'POST';
    // One client span per W&B request, its trace context sent along (traceparent).
    const tracer = activeTracer();
    const outgoing = tracer ? { ...headers } : headers;
    const span = tracer ? startSpan(tracer, method, SpanKind.CLIENT, { 'http.request.method': method, 'server.address': new URL(url).hostname, 'url.path': new URL(url).pathname }) : null;
    if (span) injectInto(span, outgoing);
    try {
      response = await send(agents, url, { method, headers: outgoing, body: init.body, signal, maxResponseBytes: options.maxResponseBytes }, timeoutMs);
      if (span) {
        span.setAttribute('http.response.status_code', response.status);
        if (response.status >= 400) failSpan(span, `HTTP ${response.status}`);
        else span.end();
      }
    } catch (error) {
      if (span) failSpan(span, isTimeout(error) ? 'timeout' : 'network error');
      // Failed before an answer, or cut mid-body: only a request that never left, or a safe one, goes again.
      return { error, retryable: idempotent || surelyNotSent(error) };
    }
    const status = response.status;
    if (status === 200) {
      const readable = looksLikeJson(response.text);
      return { response: readable ? response : badBody(response), retryable: !readable && idempotent, retryAfterMs: null };
    }
    const retryableStatus = status === 408 || status === 429 || (status >= 500 && status !== 501);
    return {
      response,
      retryable: retryableStatus && (idempotent || status === 429),
      retryAfterMs: retryAfterMs(response.header('retry-after')),
    };
  }
}

/** The delay a Retry-After header asks for (seconds or an HTTP date), or null. */
export function retryAfterMs(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  if (/^\d+$/.test(value.trim())) return Math.min(Number(value.trim()) * 1000, maxRetryAfterMs);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.min(Math.max(0, at - now), maxRetryAfterMs);
}

/** The longest wait a Retry-After is believed for (10 minutes): a longer one is cut to it, in waits and in what callers are told. */
export const maxRetryAfterMs = 10 * 60_000;

// Private:

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    const stop = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', stop, { once: true });
  });
}

function finish(result: { response: UpstreamResponse } | { error: unknown }): UpstreamResponse {
  if ('response' in result) return result.response;
  throw result.error;
}

function outcomeOf(response: UpstreamResponse): AttemptOutcome {
  if (response.status === 200) return response.header(badBodyHeader) ? 'bad_body' : 'ok';
  if (response.status === 429) return 'http_429';
  return response.status >= 500 ? 'http_5xx' : 'http_4xx';
}

/** A 200 whose body is not JSON, passed on as a 502 so the client reports W&B unavailable. */
function badBody(response: UpstreamResponse): UpstreamResponse {
  return { status: 502, header: (name) => (name === badBodyHeader ? '1' : response.header(name)), text: '' };
}

/**
 * A cheap check that a body is a whole JSON object (the client parses
 * it afterwards; parsing twice would double the cost of large histories).
 * A body cut short or an HTML page fails it.
 */
function looksLikeJson(text: string): boolean {
  const t = text.trim();
  return t.startsWith('{') && t.endsWith('}');
}

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string })?.name;
  return name === 'TimeoutError' || name === 'AbortError';
}

/** Failures that happen before a request is sent: it cannot have been applied. */
function surelyNotSent(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

/** The answer W&B would give while it rate-limits this key, given without asking it. */
function rateLimited(waitMs: number): UpstreamResponse {
  const retryAfter = String(Math.ceil(waitMs / 1000));
  return { status: 429, header: (name) => (name === 'retry-after' ? retryAfter : null), text: '' };
}

function timeoutError(): Error {
  const error = new Error('W&B did not answer within the time budget');
  error.name = 'TimeoutError';
  return error;
}
