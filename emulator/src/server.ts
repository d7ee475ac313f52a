import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execute, GraphQLError, parse, validate, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { openDb, type Db } from './store/db.js';
import { userByApiKey } from './store/accounts.js';
import { fileById, readFileContent, writeFileContent } from './store/files.js';
import { manifestContent } from './store/manifests.js';
import { createEmulatorSchema } from './schema.js';
import { createUrlSigner } from './storage.js';
import { ingestFileStream } from './filestream.js';
import { runByPath } from './access.js';
import { QueryInputError } from './runFilters.js';
import { isEmpty, seedDemo, type SeedOptions, type SeedResult } from './seed.js';
import type { EmulatorContext } from './context.js';
import type { UserRow } from './store/types.js';
import type { PagingMode } from './cursor.js';

export interface EmulatorOptions {
  /** TCP port; 0 (default) picks a free one. */
  port?: number;
  host?: string;
  /** Data directory for the SQLite file; null (default) keeps everything in memory. */
  dataDir?: string | null;
  /** Seed the demo dataset when the database is empty. */
  seed?: boolean | SeedOptions;
  /** Delay added before answering each GraphQL request, as a W&B round trip would take. */
  delayMs?: number;
  /** Base URL put in file URLs; by default the Host the caller used. */
  publicUrl?: string;
  /**
   * How runs, files and artifacts are paged. `offset` (default) as W&B does:
   * cursors are positions, so runs created or deleted while a client pages
   * shift its next page. `keyset`: cursors hold the last item's sort values,
   * so nothing is skipped or repeated (a property of the emulator, not W&B).
   */
  paging?: PagingMode;
  /** Where unexpected errors are reported (never with keys). */
  log?: (message: string) => void;
}

/** Largest GraphQL document served, in characters (the official clients' are a few kB; a 1,000-run lookup, about 100 kB). */
const maxDocumentChars = 2 * 1024 * 1024;
/** Most tokens parsed in one document. */
const maxDocumentTokens = 200_000;

/** One GraphQL request the emulator answered, for tests that count upstream calls. */
export interface RecordedRequest {
  operationName: string | null;
  query: string;
  variables: Record<string, unknown>;
}

export interface Emulator {
  url: string;
  port: number;
  db: Db;
  seeded: SeedResult | null;
  /** GraphQL requests received (the last 1,000), in order. */
  requests: RecordedRequest[];
  /** GraphQL requests received since start or the last reset. */
  requestCount(): number;
  resetRequests(): void;
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** Starts the W&B API emulator: GraphQL at /graphql, filestream, and file storage. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const db = openDb(options.dataDir ?? null);
  let seeded: SeedResult | null = null;
  if (options.seed && isEmpty(db)) seeded = seedDemo(db, typeof options.seed === 'object' ? options.seed : {});
  const schema = createEmulatorSchema();
  const signer = createUrlSigner((db.prepare(`SELECT value FROM meta WHERE key = 'signing_secret'`).get() as { value: string }).value);
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const requests: RecordedRequest[] = [];
  let count = 0;
  let delayMs = options.delayMs ?? 0;
  const paging = options.paging ?? 'offset';
  if (paging !== 'offset' && paging !== 'keyset') throw new Error(`paging must be "offset" or "keyset", got ${String(paging)}`);
  const documents = new Map<string, DocumentNode | readonly GraphQLError[]>();
  let documentChars = 0;
  let recordedChars = 0;

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      log(`emulator: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) send(res, 500, { errors: [{ message: 'internal server error' }] });
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = URL.parse(req.url ?? '/', 'http://emulator');
    // A request target no URL reads (such as "//") is the client's error, as W&B answers it.
    if (!url) return send(res, 400, { errors: [{ message: 'the request URL cannot be read' }] });
    const path = url.pathname;
    if (req.method === 'GET' && (path === '/healthz' || path === '/')) return send(res, 200, { ok: true });
    if (path.startsWith('/storage/')) return storage(req, res, url);
    // The clients send their own telemetry here when a server proxies it; W&B Server without the proxy answers 404, and they stop.
    if (path.startsWith('/sdk/otel/')) {
      req.resume();
      return send(res, 404, { error: 'this server does not proxy OpenTelemetry' });
    }

    const user = authenticate(req);
    if (!user) return send(res, 401, { errors: [{ message: 'unauthorized: send HTTP Basic auth with user "api" and a valid API key' }] });
    const ctx: EmulatorContext = { db, user, baseUrl: baseUrl(req), signer, now, paging };

    if (path === '/graphql' && req.method === 'POST') return graphql(req, res, ctx);
    const stream = /^\/files\/([^/]+)\/([^/]+)\/([^/]+)\/file_stream$/.exec(path);
    if (stream && req.method === 'POST') {
      const body = await readJson(req, res);
      if (body === undefined) return;
      const names = stream.slice(1).map((part) => {
        try {
          return decodeURIComponent(part);
        } catch {
          return null;
        }
      });
      if (names.includes(null)) return send(res, 400, { errors: [{ message: 'the request path is not valid percent-encoding' }] });
      const [entity, project, run] = names as string[];
      const row = runByPath(ctx, entity, project, run);
      if (!row) return send(res, 404, { error: `run ${entity}/${project}/${run} not found` });
      try {
        return send(res, 200, ingestFileStream(db, row, body, now()));
      } catch (error) {
        if (error instanceof QueryInputError) return send(res, 400, { error: error.message });
        throw error;
      }
    }
    return send(res, 404, { error: `no route for ${req.method} ${path}` });
  }

  async function graphql(req: IncomingMessage, res: ServerResponse, ctx: EmulatorContext): Promise<void> {
    const body = (await readJson(req, res)) as { query?: unknown; variables?: unknown; operationName?: unknown } | undefined;
    if (body === undefined) return;
    if (typeof body !== 'object' || body === null || typeof body.query !== 'string') {
      return send(res, 400, { errors: [{ message: 'expected a JSON body {"query": string, "variables"?: object}' }] });
    }
    // A document larger than any client sends is refused before it is parsed (its tree would hold ~80 times its text).
    if (body.query.length > maxDocumentChars) {
      return send(res, 413, { errors: [{ message: `the document is larger than ${maxDocumentChars} characters` }] });
    }
    const variables = (typeof body.variables === 'object' && body.variables !== null ? body.variables : {}) as Record<string, unknown>;
    // wandb-core (the Go side of the newest client) sends "operationName": "" for "none given".
    const operationName = typeof body.operationName === 'string' && body.operationName !== '' ? body.operationName : null;
    count++;
    requests.push({ operationName, query: body.query, variables });
    recordedChars += body.query.length;
    // The last 1,000 requests, and at most 16 M characters of their documents.
    while (requests.length > 1000 || (recordedChars > 16 * 1024 * 1024 && requests.length > 1)) recordedChars -= requests.shift()!.query.length;
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));

    const document = parsed(body.query);
    if (!('kind' in document)) return send(res, 400, { errors: document.map(formatError) });
    const result = await execute({ schema, document, contextValue: ctx, variableValues: variables, operationName });
    const payload: { data?: unknown; errors?: GraphQLFormattedError[] } = { data: result.data };
    if (result.errors?.length) payload.errors = result.errors.map(formatError);
    return send(res, 200, payload);
  }

  /** Parses and validates a document once; later requests reuse the result. */
  function parsed(query: string): DocumentNode | readonly GraphQLError[] {
    let doc = documents.get(query);
    if (!doc) {
      try {
        const ast = parse(query, { maxTokens: maxDocumentTokens });
        const errors = validate(schema, ast);
        doc = errors.length ? errors : ast;
      } catch (error) {
        doc = [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
      }
      // At most 500 documents and 4 M characters of their text; a larger one is parsed each time.
      if (query.length <= 256 * 1024) {
        for (const old of documents.keys()) {
          if (documents.size < 500 && documentChars + query.length <= 4 * 1024 * 1024) break;
          documents.delete(old);
          documentChars -= old.length;
        }
        documents.set(query, doc);
        documentChars += query.length;
      }
    }
    return doc;
  }

  function formatError(error: GraphQLError): GraphQLFormattedError {
    const original = error.originalError;
    if (original instanceof QueryInputError) {
      return { message: original.message, path: error.path, locations: error.locations, extensions: { code: 'BAD_USER_INPUT' } };
    }
    if (original && !(original instanceof GraphQLError)) {
      log(`emulator: resolver error at ${error.path?.join('.')}: ${original.message}`);
      return { message: 'internal server error', path: error.path, locations: error.locations };
    }
    return error.toJSON();
  }

  async function storage(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const match = /^\/storage\/(upload|files)\/(\d+)(?:\/.*)?$/.exec(url.pathname);
    const signature = url.searchParams.get('sig') ?? '';
    const manifest = /^\/storage\/manifests\/(\d{1,15})(?:\/.*)?$/.exec(url.pathname);
    if (manifest) return manifestFile(req, res, Number(manifest[1]), signature);
    if (!match) return send(res, 404, { error: 'no such object' });
    const fileId = Number(match[2]);
    const upload = match[1] === 'upload';
    if (!signer.verify(upload ? 'put' : 'get', fileId, signature) || !fileById(db, fileId)) {
      return send(res, 403, { error: 'invalid or expired signature' });
    }
    if (upload && req.method === 'PUT') {
      const bytes = await readBody(req, res);
      if (bytes === undefined) return;
      writeFileContent(db, fileId, bytes, now());
      return send(res, 200, { ok: true });
    }
    if (!upload && (req.method === 'GET' || req.method === 'HEAD')) {
      const file = fileById(db, fileId)!;
      const content = readFileContent(db, fileId);
      if (!content) return send(res, 404, { error: 'file not uploaded yet' });
      res.writeHead(200, { 'content-type': file.mimetype ?? 'application/octet-stream', 'content-length': content.length });
      res.end(req.method === 'HEAD' ? undefined : content);
      return;
    }
    return send(res, 405, { error: `${req.method} not allowed here` });
  }

  /** An artifact version's manifest JSON, by signed URL. */
  function manifestFile(req: IncomingMessage, res: ServerResponse, artifactId: number, signature: string): void {
    if (!signer.verify('manifest', artifactId, signature)) return send(res, 403, { error: 'invalid or expired signature' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { error: `${req.method} not allowed here` });
    const content = manifestContent(db, artifactId);
    if (!content) return send(res, 404, { error: 'no such manifest' });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': content.length });
    res.end(req.method === 'HEAD' ? undefined : content);
  }

  function authenticate(req: IncomingMessage): UserRow | null {
    const header = req.headers.authorization ?? '';
    let key: string | null = null;
    const basic = /^Basic\s+(\S+)$/i.exec(header);
    if (basic) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const sep = decoded.indexOf(':');
      key = sep >= 0 ? decoded.slice(sep + 1) : null;
    }
    const bearer = /^Bearer\s+(\S+)$/i.exec(header);
    if (bearer) key = bearer[1];
    return key ? userByApiKey(db, key) : null;
  }

  function baseUrl(req: IncomingMessage): string {
    if (options.publicUrl) return options.publicUrl.replace(/\/$/, '');
    const host = req.headers.host;
    return host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}` : `http://${hostForUrl}:${port}`;
  }

  const maxBody = 64 * 1024 * 1024;

  async function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBody) {
        send(res, 413, { error: `request body larger than ${maxBody} bytes` });
        req.destroy();
        return undefined;
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async function readJson(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
    const bytes = await readBody(req, res);
    if (bytes === undefined) return undefined;
    try {
      return JSON.parse(bytes.toString('utf8')) as unknown;
    } catch {
      send(res, 400, { errors: [{ message: 'request body is not valid JSON' }] });
      return undefined;
    }
  }

  const host = options.host ?? '127.0.0.1';
  const hostForUrl = host.includes(':') ? `[${host}]` : host;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  server.keepAliveTimeout = 65_000;

  return {
    url: `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${port}`,
    port,
    db,
    seeded,
    requests,
    requestCount: () => count,
    resetRequests: () => {
      count = 0;
      requests.length = 0;
      recordedChars = 0;
    },
    setDelay: (ms) => {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          db.close();
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}

/** The current time as W&B prints it: YYYY-MM-DDTHH:MM:SSZ. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
