import { StringDecoder } from 'node:string_decoder';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { kept } from '../memo.js';

/** Keep-alive connection pools for W&B, shared by every request of the process. */
export interface UpstreamAgents {
  http: HttpAgent;
  https: HttpsAgent;
  /**
   * Bytes of W&B's answers being read now, by every request of the
   * process together, and the most that may be: each answer is capped
   * (WANDB_MAX_RESPONSE_BYTES), and this caps their sum, whatever the
   * number of requests in flight (WANDB_MAX_IN_FLIGHT). Past it, an answer
   * larger than `smallAnswerBytes` is given up; smaller ones go on.
   */
  reading: { bytes: number; limit: number };
}

/**
 * Creates the keep-alive pools (at most `maxSockets` connections per host),
 * reading at most `answersReadAtOnce` answers of the largest size
 * (`maxResponseBytes`, WANDB_MAX_RESPONSE_BYTES) at once.
 */
export function createUpstreamAgents(maxSockets = 64, maxResponseBytes = defaultMaxResponseBytes): UpstreamAgents {
  const options = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets, maxFreeSockets: maxSockets, scheduling: 'lifo' as const };
  return { http: new HttpAgent(options), https: new HttpsAgent(options), reading: { bytes: 0, limit: answersReadAtOnce * maxResponseBytes } };
}

/** Answers of the largest size the process reads at once, all requests together (see UpstreamAgents.reading). */
export const answersReadAtOnce = 4;

/** Closes the pools' sockets. */
export function destroyUpstreamAgents(agents: UpstreamAgents): void {
  agents.http.destroy();
  agents.https.destroy();
}

/** An answer with its whole body, as text. */
export interface UpstreamResponse {
  status: number;
  /** A header's value (names in lower case), or null. */
  header(name: string): string | null;
  text: string;
}

/**
 * Default cap on one W&B answer's body (WANDB_MAX_RESPONSE_BYTES): 32 MiB,
 * several times the largest legitimate answer (a 1,000-run page with its
 * configs and summaries, or 20,000 history rows).
 */
export const defaultMaxResponseBytes = 32 * 1024 * 1024;

/** An answer up to this size is never given up for the process's sum of answers being read (UpstreamAgents.reading). */
const smallAnswerBytes = 1024 * 1024;

/**
 * The error an answer larger than the cap fails with (never retried: it
 * would be as large again), or with `together`, one that took the answers
 * being read at once past the process's cap (UpstreamAgents.reading).
 */
export class ResponseTooLargeError extends Error {
  readonly code = 'ERESPONSETOOLARGE';
  constructor(
    readonly limit: number,
    readonly together = false,
  ) {
    super(together ? `W&B's answers being read at once are larger than ${limit} bytes` : `W&B's answer is larger than ${limit} bytes`);
    this.name = 'ResponseTooLargeError';
  }
}

/**
 * One HTTP request over the keep-alive pools, answered with the whole body
 * read as text (no web streams, no copies: the body is read whole anyway).
 * node:http, not undici: fetch's web streams cost far more CPU per request
 * (see TOOLCHAIN.md), and undici's `request` over its keep-alive `Agent`,
 * measured against this function in alternating runs on a 50-run table page
 * and a history page, was no faster (CPU per request 2.58-3.08 ms vs
 * 2.67-2.85 ms, and 1.93-2.07 vs 1.77-1.93 ms) for one more dependency. Rejects on a network failure, a timeout (name TimeoutError)
 * or a connection cut mid-body; `error.code` keeps the system code
 * (ECONNREFUSED…) so callers can tell a request that never left.
 */
export function send(
  agents: UpstreamAgents,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal; maxResponseBytes?: number },
  timeoutMs: number,
): Promise<UpstreamResponse> {
  const limit = init.maxResponseBytes ?? defaultMaxResponseBytes;
  return new Promise((resolve, reject) => {
    if (init.signal?.aborted) return reject(abortError());
    const target = targetOf(url);
    const secure = target.protocol === 'https:';
    // The body goes as the string it is (its length counted), not copied into a Buffer first.
    const body = init.body;
    const headers = body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = (secure ? httpsRequest : httpRequest)(
      { ...target, method: init.method, headers, agent: secure ? agents.https : agents.http },
      (res) => {
        // Decoded as it arrives: each chunk's memory is free to go once read, and no second copy of
        // the whole body is made outside V8's heap (measured on a scan of 10,000-row pages: external
        // memory 8 MB against 25 MB with Buffer.concat, and a peak RSS 10-20 MB lower).
        const decoder = new StringDecoder('utf8');
        const chunks: string[] = [];
        let size = 0;
        // The declared length first: an answer announced too large is not read at all.
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > limit) return req.destroy(new ResponseTooLargeError(limit));
        const reading = agents.reading;
        // What this answer adds to the process's sum, given back once it is read whole or given up.
        res.once('close', () => {
          reading.bytes -= size;
          size = 0;
        });
        res.on('data', (c: Buffer) => {
          size += c.length;
          reading.bytes += c.length;
          // Past the process's sum, only a large answer is given up: a small one (a write's answer, a
          // lookup) goes on, its bytes counted, so that large reads never fail what W&B already did.
          if (size > limit || (reading.bytes > reading.limit && size > smallAnswerBytes)) {
            chunks.length = 0;
            req.destroy(size > limit ? new ResponseTooLargeError(limit) : new ResponseTooLargeError(reading.limit, true));
            return;
          }
          chunks.push(decoder.write(c));
        });
        res.on('error', reject);
        res.on('aborted', () => reject(Object.assign(new Error('connection closed before the body ended'), { code: 'ECONNRESET' })));
        res.on('end', () => {
          clearTimeout(timer);
          init.signal?.removeEventListener('abort', onAbort);
          if (!res.complete) return reject(Object.assign(new Error('connection closed before the body ended'), { code: 'ECONNRESET' }));
          const headers = res.headers;
          const status = res.statusCode ?? 502;
          resolve({
            status,
            header: (name) => {
              const v = headers[name];
              return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
            },
            text: chunks.join('') + decoder.end(),
          });
        });
      },
    );
    const timer = setTimeout(() => {
      const error = new Error('W&B did not answer in time');
      error.name = 'TimeoutError';
      req.destroy(error);
    }, timeoutMs);
    const onAbort = () => req.destroy(abortError());
    init.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (error) => {
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
      reject(error);
    });
    req.end(body);
  });
}

/** A URL's request options, parsed once per URL (a process sends to one or two). */
function targetOf(url: string): { protocol: string; hostname: string; port: string; path: string } {
  return kept(targets, url, 16, () => {
    const u = new URL(url);
    // An IPv6 literal's brackets are not part of the host name node:http connects to.
    return { protocol: u.protocol, hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port, path: `${u.pathname}${u.search}` };
  });
}
const targets = new Map<string, { protocol: string; hostname: string; port: string; path: string }>();

/** The error of a request abandoned because its caller went away. */
export function abortError(): Error {
  const error = new Error('the request was abandoned: its client went away');
  error.name = 'AbortError';
  return Object.assign(error, { code: 'ABORT_ERR' });
}
