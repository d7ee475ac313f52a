import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * CORS, closed unless origins are configured: sets the headers for an
 * allowed Origin, and answers preflight requests (returns true then).
 */
export function createCors(corsOrigins: readonly string[] | null | undefined): ((req: IncomingMessage, res: ServerResponse) => boolean) & { allowsOrigin(origin: string): boolean } {
  const origins = new Set(corsOrigins ?? []);
  /** Whether pages of `origin` may call (also asked of WebSocket upgrades). */
  const allowsOrigin = (origin: string) => origins.has('*') || origins.has(origin);
  return Object.assign(cors, { allowsOrigin });

  function cors(req: IncomingMessage, res: ServerResponse): boolean {
    const origin = req.headers.origin;
    const allowed = origin !== undefined && allowsOrigin(origin);
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
}
