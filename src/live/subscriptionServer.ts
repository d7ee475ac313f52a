import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule, parse, specifiedRules, validate, type ExecutionArgs, type GraphQLSchema, type ValidationRule } from 'graphql';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Context } from '../context.js';
import type { Logger } from '../observability/logger.js';
import { serveGraphqlWs } from './wsTransport.js';
import { redactSecrets, requestCredential, secretFormsOfAuthorization } from '../security/credentials.js';
import type { CostCheck } from '../graphql/limits.js';
import { listArgumentProblem, type DocumentLimits } from '../graphql/documentLimits.js';

export interface SubscriptionServerOptions {
  schema: GraphQLSchema;
  /**
   * Builds the context of a subscription from the caller's credential
   * (connection params or upgrade headers); throws UNAUTHENTICATED when
   * the credential is malformed.
   */
  context: (authorization: unknown) => Context;
  /** Most tokens in a document (the parser stops there). */
  maxTokens: number;
  /** Whether introspection is allowed (as on HTTP). */
  introspection: boolean;
  /** Largest WebSocket message accepted, in bytes (the HTTP body cap). */
  maxPayload: number;
  /** Validation rules beyond graphql-js's own (query limits). */
  validationRules: readonly ValidationRule[];
  /** Most subscriptions at once on one connection. */
  maxPerConnection: number;
  /** Masks errors as the HTTP endpoint does. */
  formatError: (error: GraphQLError) => GraphQLError;
  /** The cost check with the operation's variables, as on HTTP. */
  costCheck: CostCheck;
  /** The list-argument limits, applied with the operation's variables, as on HTTP. */
  listLimits: Pick<DocumentLimits, 'maxListItems' | 'maxItemLength'>;
  /** Whether a browser page of this origin may open a socket (CORS_ORIGINS); requests without an Origin (servers, gateways) may. */
  allowsOrigin: (origin: string) => boolean;
  /** Whether the upgrade's Host is one the server answers (see http/hosts.ts). */
  hostAllowed: (host: string | undefined) => boolean;
  /** Where the sockets' own problems are logged. */
  logger: Logger;
}

/**
 * graphql-ws over WebSocket on the HTTP server's own port and path
 * (/graphql, and /), the way federation routers (Apollo Router's
 * passthrough mode, Hive Gateway) reach subgraphs for subscriptions.
 */
export function serveSubscriptions(server: Server, options: SubscriptionServerOptions): { close(): Promise<void> } {
  // ws accepts 100 MiB messages by default: the HTTP body cap applies to messages too (a larger one closes with 1009).
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload, autoPong: false });
  const active = new Map<WebSocket, number>();
  /** Messages each socket sent in the current second (operations, pings, anything). */
  const rates = new WeakMap<WebSocket, { since: number; count: number }>();

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/graphql' && path !== '/') {
      socket.end('HTTP/1.1 404 Not Found\r\n\r\n');
      return;
    }
    if (!options.hostAllowed(req.headers.host)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    // Browsers open a socket from any page, with no preflight: only this server's own pages (the dashboard) and allowed origins may.
    const origin = req.headers.origin;
    const own = origin === `http://${req.headers.host}` || origin === `https://${req.headers.host}`;
    if (origin !== undefined && !own && !options.allowsOrigin(origin)) {
      socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.once('close', () => {
        unreadTotal -= unreadBy.get(ws) ?? 0;
        unreadBy.delete(ws);
      });
      wss.emit('connection', ws, req);
    });
  });

  const disposable = serveGraphqlWs(
    {
      context: (ctx) => options.context(credentialOf(ctx)) as unknown as Record<string, unknown>,
      onSubscribe: (ctx, _id, payload): ExecutionArgs | readonly GraphQLError[] => {
        const socket = ctx.extra.socket;
        // A malformed credential is refused here, with its code, before any work (the context would throw the same).
        try {
          options.context(credentialOf(ctx));
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('malformed credential', { extensions: { code: 'UNAUTHENTICATED' } })];
        }
        const count = active.get(socket) ?? 0;
        if (count >= options.maxPerConnection) {
          return [new GraphQLError(`too many subscriptions on this connection (at most ${options.maxPerConnection})`, { extensions: { code: 'RATE_LIMITED' } })];
        }
        let document;
        try {
          document = parse(payload.query, { maxTokens: options.maxTokens });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const rules = [...specifiedRules, ...options.validationRules, ...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule])];
        const errors = validate(options.schema, document, rules);
        if (errors.length > 0) return errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }));
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('the document names no operation to run', { extensions: { code: 'BAD_REQUEST' } })];
        // Queries and mutations go over HTTP, with its limits, CSRF checks and logs: a socket serves subscriptions only.
        if (operation.operation !== 'subscription') return [new GraphQLError(`a WebSocket serves subscriptions only: send this ${operation.operation} over HTTP`, { extensions: { code: 'BAD_REQUEST' } })];
        const variables = payload.variables ?? undefined;
        const costly = options.costCheck(options.schema, operation, document, variables);
        if (costly) return [costly];
        const problem = listArgumentProblem(options.schema, document, operation, variables ?? {}, options.listLimits);
        if (problem) return [new GraphQLError(problem, { extensions: { code: 'BAD_USER_INPUT' } })];
        active.set(socket, count + 1);
        return { schema: options.schema, document, variableValues: variables, operationName: payload.operationName ?? undefined };
      },
      onComplete: (ctx) => {
        const socket = ctx.extra.socket;
        const count = (active.get(socket) ?? 1) - 1;
        if (count <= 0) active.delete(socket);
        else active.set(socket, count);
      },
      onClose: (ctx) => {
        active.delete(ctx.extra.socket);
      },
      onNext: (ctx, _id, _payload, args, result) => {
        // A client that does not read gets no more events (its socket is closing).
        if (unread(ctx.extra.socket)) return;
        // Errors of fields that failed alone (Context.fieldErrors) join the event they belong to.
        const context = args.contextValue as Partial<Context> | undefined;
        const extra = context?.fieldErrors?.splice(0) ?? [];
        const errors = [...(('errors' in result && result.errors) || []), ...extra];
        const out = errors.length === 0 ? result : { ...result, errors: errors.map((e) => options.formatError(e as GraphQLError)) };
        // No key leaves in an event, even one W&B's data quotes (as on HTTP).
        const text = JSON.stringify(out);
        const redacted = redactSecrets(text, secretFormsOfAuthorization(context?.authorization ?? null));
        return redacted === text ? out : (JSON.parse(redacted) as typeof out);
      },
      onError: (_ctx, _id, _payload, errors) => errors.map((e) => options.formatError(e as GraphQLError)),
    },
    wss,
    options.logger,
    (socket) => !unread(socket) && !flooding(socket),
  );

  /**
   * True, and the socket closed (1008), when its client has left more than
   * a message's worth (maxPayload) of answers unread: a client that sends
   * and never reads would otherwise grow the process without bound.
   */
  function unread(socket: WebSocket): boolean {
    const buffered = socket.bufferedAmount;
    unreadTotal += buffered - (unreadBy.get(socket) ?? 0);
    unreadBy.set(socket, buffered);
    // Many sockets each under the cap add up too: past the process's budget, any socket holding a few answers unread goes.
    if (buffered <= options.maxPayload && (unreadTotal <= maxUnreadTotal || buffered <= 65_536)) return false;
    cut(socket, 'too many unread messages');
    return true;
  }

  /** Answers left unread per socket, as last seen by {@link unread}, and their sum (the process's budget is 32 messages' worth). */
  const unreadBy = new Map<WebSocket, number>();
  let unreadTotal = 0;
  const maxUnreadTotal = 32 * options.maxPayload;

  /**
   * True, and the socket closed (1008), when its client sends more
   * messages in a second (operations, pings, anything) than ten times the
   * subscriptions it may hold: each is answered, and a client that sends
   * without reading would hold the answers in memory.
   */
  function flooding(socket: WebSocket): boolean {
    const now = Date.now();
    let rate = rates.get(socket);
    if (!rate || now - rate.since >= 1000) rates.set(socket, (rate = { since: now, count: 0 }));
    if (++rate.count <= 10 * options.maxPerConnection) return false;
    cut(socket, 'too many messages');
    return true;
  }

  /**
   * Closes an abusive client's socket (1008) and stops reading it: the
   * messages already on their way are not handled (a client that does not
   * read would not send the close handshake's answer for 30 s).
   */
  function cut(socket: WebSocket, reason: string): void {
    if (socket.readyState !== socket.OPEN) return;
    socket.close(1008, reason);
    socket.pause();
    setTimeout(() => socket.terminate(), 1_000).unref();
  }

  /**
   * The caller's credential: from the connection params (an
   * `authorization` key in any case, at the top or under `headers`) when
   * any is there, even if not a string (then malformed; several are
   * malformed too), else the upgrade request's header.
   */
  function credentialOf(ctx: { connectionParams?: Readonly<Record<string, unknown>>; extra: { request: IncomingMessage } }): unknown {
    const params = (ctx.connectionParams ?? {}) as Record<string, unknown>;
    const headers = (typeof params.headers === 'object' && params.headers !== null ? params.headers : {}) as Record<string, unknown>;
    const given = [params, headers].flatMap((holder) =>
      Object.keys(holder)
        .filter((name) => name.toLowerCase() === 'authorization' && holder[name] !== undefined && holder[name] !== null)
        .map((name) => holder[name]),
    );
    if (given.length > 0) return given.length === 1 ? given[0] : given;
    return requestCredential(ctx.extra.request);
  }

  return {
    close: async () => {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await disposable.dispose();
    },
  };
}
