import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ApolloServer, HeaderMap } from '@apollo/server';
import { ApolloServerPluginCacheControl } from '@apollo/server/plugin/cacheControl';
import { ApolloServerPluginInlineTrace } from '@apollo/server/plugin/inlineTrace';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Agent } from 'undici';
import { resolvers } from '../resolvers/index.js';
import { createContext, type Context, type ContextOptions } from './context.js';
import { createUpstreamAgent } from './upstream/client.js';

const schemaDir = fileURLToPath(new URL('../schema/subgraph/', import.meta.url));

/** Codes the subgraph itself sets; any other error is masked. */
const knownCodes = new Set([
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'UPSTREAM_TIMEOUT',
  'UPSTREAM_UNAVAILABLE',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

/** The subgraph's executable schema: schema/subgraph/*.graphql with the resolver map. */
export function createSubgraphSchema(): GraphQLSchema {
  const sdl = readdirSync(schemaDir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => readFileSync(`${schemaDir}${f}`, 'utf8'))
    .join('\n');
  return buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: resolvers as never }]);
}

export interface SubgraphOptions {
  port?: number;
  host?: string;
  wandbBaseUrl: string;
  /** W&B app URL for Run.url; derived from wandbBaseUrl by default. */
  appUrl: string;
  serviceKey: string | null;
  /** Origins allowed by CORS ('*' for any); null or empty leaves CORS closed. */
  corsOrigins?: string[] | null;
  /** Largest request body accepted (default 1 MiB). */
  maxBodyBytes?: number;
  log?: (message: string) => void;
}

export interface Subgraph {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** Starts the subgraph on node:http: POST/GET /graphql, GET /health. */
export async function startSubgraph(options: SubgraphOptions): Promise<Subgraph> {
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const agent: Agent = createUpstreamAgent();
  const contextOptions: ContextOptions = { wandbBaseUrl: options.wandbBaseUrl, appUrl: options.appUrl, serviceKey: options.serviceKey, agent };
  const apollo = new ApolloServer<Context>({
    schema: createSubgraphSchema(),
    includeStacktraceInErrorResponses: false,
    plugins: [
      // Cache-Control from the hints resolvers set (immutable history of ended runs); none otherwise.
      ApolloServerPluginCacheControl({ defaultMaxAge: 0 }),
      // Inline traces are sent only when a router asks for them (apollo-federation-include-trace).
      ApolloServerPluginInlineTrace({ includeErrors: { masked: true } }),
    ],
    formatError: (formatted: GraphQLFormattedError, error: unknown) => maskError(formatted, error, log),
  });
  await apollo.start();

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`subgraph: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { errors: [{ message: 'internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://subgraph');
    if (cors(req, res)) return;
    if (url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
    if (url.pathname !== '/graphql' && url.pathname !== '/') return sendJson(res, 404, { error: 'not found; the GraphQL endpoint is /graphql' });
    const body = await readBody(req, res, maxBody);
    if (body === undefined) return;
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let parsed: unknown = undefined;
    if (req.method === 'POST' && body.length > 0) {
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return sendJson(res, 400, { errors: [{ message: 'request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } }] });
      }
    }
    const result = await apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body: parsed },
      context: async () => createContext(contextOptions, req.headers.authorization),
    });
    for (const [key, value] of result.headers) res.setHeader(key, value);
    res.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  }

  const maxBody = options.maxBodyBytes ?? 1_048_576;
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
    }
    if (req.method !== 'OPTIONS') return false;
    if (allowed) {
      res.setHeader('access-control-allow-methods', 'GET, POST, OPTIONS');
      res.setHeader(
        'access-control-allow-headers',
        'content-type, authorization, apollo-require-preflight, x-apollo-operation-name, apollographql-client-name, apollographql-client-version',
      );
      res.setHeader('access-control-max-age', '600');
    }
    res.statusCode = 204;
    res.end();
    return true;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  server.keepAliveTimeout = 65_000;
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/graphql`,
    port,
    server,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await apollo.stop();
      await agent.close();
    },
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

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Errors with a known code pass; anything else is masked so no internals leak. */
function maskError(formatted: GraphQLFormattedError, error: unknown, log: (m: string) => void): GraphQLFormattedError {
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && knownCodes.has(code)) {
    const { stacktrace: _, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  const original = (error as { originalError?: unknown })?.originalError ?? error;
  log(`subgraph: masked error at ${formatted.path?.join('.') ?? '-'}: ${original instanceof Error ? original.message : String(original)}`);
  return { message: 'Internal server error', path: formatted.path, locations: formatted.locations, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
