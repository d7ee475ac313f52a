import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What the proxy does to one request. */
export type Fault =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'delay'; ms: number }
  | { kind: 'reset' }
  | { kind: 'resetAfterForward' }
  | { kind: 'truncate' }
  | { kind: 'nonJson' }
  | { kind: 'graphqlError'; message: string }
  /** A 200 whose body is `bytes` long (a JSON string of x's), streamed; with or without content-length; with `pauseMs`, half of it, a pause, then the rest. */
  | { kind: 'huge'; bytes: number; declareLength: boolean; pauseMs?: number }
  /** W&B's real answer, parsed and rewritten by `transform` before it is sent on. */
  | { kind: 'rewrite'; transform: (body: any) => any }
  /** A 200 with this exact body. */
  | { kind: 'raw'; body: string };

interface Rule {
  fault: Fault;
  /** Requests it still applies to. */
  times: number;
  /** Only requests whose body contains this text. */
  match?: string;
}

export interface FaultProxy {
  url: string;
  /** Applies `fault` to the next `times` matching requests. */
  inject(fault: Fault, times?: number, match?: string): void;
  clear(): void;
  /** Requests received, in order, with the fault applied to each (or "forward"). */
  log: { body: string; applied: string }[];
  close(): Promise<void>;
}

/**
 * A loopback HTTP proxy between the subgraph and the W&B emulator that a
 * test drives to misbehave: error statuses, 429 with Retry-After, latency,
 * connection resets before or after W&B applied the request, cut-short and
 * non-JSON bodies, GraphQL errors, huge answers, and W&B's real answers
 * rewritten (other runs, more rows, deep JSON, odd states…).
 */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const rules: Rule[] = [];
  const log: FaultProxy['log'] = [];
  const sockets = new Set<Socket>();

  const server = createServer(async (req, res) => {
    const body = await read(req);
    const text = body.toString('utf8');
    const rule = rules.find((r) => r.times > 0 && (!r.match || text.includes(r.match)));
    if (rule) rule.times--;
    const fault = rule?.fault;
    log.push({ body: text, applied: fault ? fault.kind : 'forward' });
    if (!fault) return forward(req, res, body);
    switch (fault.kind) {
      case 'status':
        res.writeHead(fault.status, { 'content-type': 'application/json', ...(fault.retryAfter ? { 'retry-after': fault.retryAfter } : {}) });
        return void res.end(JSON.stringify({ errors: [{ message: `injected ${fault.status}` }] }));
      case 'delay':
        await new Promise((r) => setTimeout(r, fault.ms));
        if (res.destroyed || req.socket.destroyed) return;
        return forward(req, res, body);
      case 'reset':
        return void req.socket.destroy();
      case 'resetAfterForward': {
        // W&B applies the request; the answer is lost on the way back.
        await new Promise<void>((resolve) => {
          const out = httpRequest(options(req), (up) => {
            up.resume();
            up.on('end', resolve);
          });
          out.on('error', () => resolve());
          out.end(body);
        });
        return void req.socket.destroy();
      }
      case 'truncate': {
        const full = await new Promise<{ status: number; text: string }>((resolve) => {
          const out = httpRequest(options(req), async (up) => resolve({ status: up.statusCode ?? 200, text: (await read(up)).toString('utf8') }));
          out.end(body);
        });
        res.writeHead(full.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(full.text)) });
        res.write(full.text.slice(0, Math.floor(full.text.length / 2)));
        return void setTimeout(() => req.socket.destroy(), 10);
      }
      case 'nonJson':
        res.writeHead(200, { 'content-type': 'text/html' });
        return void res.end('<html><body>upstream proxy error</body></html>');
      case 'huge': {
        const head = '{"data":{"x":"';
        const tail = '"}}';
        res.writeHead(200, { 'content-type': 'application/json', ...(fault.declareLength ? { 'content-length': String(fault.bytes) } : {}) });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        let left = fault.bytes - head.length - tail.length;
        let pauseAt = fault.pauseMs ? Math.floor(left / 2) : -1;
        res.write(head);
        const pump = () => {
          while (left > 0) {
            if (left <= pauseAt) {
              pauseAt = -1;
              return void setTimeout(pump, fault.pauseMs);
            }
            const n = Math.min(left, chunk.length);
            left -= n;
            if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
          }
          res.end(tail);
        };
        res.on('error', () => {});
        return pump();
      }
      case 'rewrite': {
        const full = await new Promise<{ status: number; text: string }>((resolve) => {
          const out = httpRequest(options(req), async (up) => resolve({ status: up.statusCode ?? 200, text: (await read(up)).toString('utf8') }));
          out.end(body);
        });
        let rewritten: string;
        try {
          rewritten = JSON.stringify(fault.transform(JSON.parse(full.text)));
        } catch (error) {
          // A transform that does not fit the answer is the test's mistake: say so loudly upstream.
          res.writeHead(599, { 'content-type': 'text/plain' });
          return void res.end(`rewrite failed: ${String(error)}`);
        }
        res.writeHead(full.status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(rewritten)) });
        return void res.end(rewritten);
      }
      case 'raw':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(fault.body);
      case 'graphqlError':
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ data: null, errors: [{ message: fault.message }] }));
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  function options(req: IncomingMessage) {
    return { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } };
  }

  function forward(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
    const out = httpRequest(options(req), (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on('error', () => res.destroy());
    out.end(body);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    inject: (fault, times = 1, match) => rules.push({ fault, times, match }),
    clear: () => {
      rules.length = 0;
      log.length = 0;
    },
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function read(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
