/**
 * graphql-ws's protocol server (`makeServer`) carried over a `ws`
 * WebSocketServer. It does what graphql-ws's own adapter
 * (`graphql-ws/use/ws`) does (subprotocol choice, keep-alive pings, one
 * protocol connection per socket), with four differences:
 * - every message, of any kind, passes the caller's abuse guards before it
 *   is handled, and a WebSocket ping frame before it is answered;
 * - a graphql-ws ping is answered with a pong without its payload;
 * - its problems go to the JSON logger, not to `console.error` lines on
 *   stderr, and a close never tells the client an internal error message;
 * - an answer that cannot be written because the client is already gone
 *   (a socket closing or cut by the abuse guards) is not an error: the
 *   adapter would log each one and close the socket with 1011.
 */
import type { IncomingMessage } from 'node:http';
import { CloseCode, handleProtocols, makeServer, type ServerOptions } from 'graphql-ws';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../observability/logger.js';

/** What each operation's hooks see of its connection (as graphql-ws/use/ws gives it). */
export interface SocketExtra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** graphql-ws's pong, without a payload. */
const pong = JSON.stringify({ type: 'pong' });

/** The close reason of a failure: never the error's own message. */
const internal = 'Internal server error';

/**
 * Serves graphql-ws on `wss` until disposed. `admit` sees each message's
 * socket before the message is handled, and may refuse it (and close the
 * socket); `keepAliveMs` is the ping interval (a client that misses a pong
 * for as long is terminated).
 */
export function serveGraphqlWs(
  options: ServerOptions<Record<string, unknown> | undefined, SocketExtra>,
  wss: WebSocketServer,
  logger: Logger,
  admit: (socket: WebSocket) => boolean,
  keepAliveMs = 12_000,
): { dispose(): Promise<void> } {
  const server = makeServer(options);
  wss.options.handleProtocols = handleProtocols;
  wss.once('error', (error) => {
    logger.error({ error: messageOf(error) }, 'WebSocket server error');
    for (const client of wss.clients) client.close(CloseCode.InternalServerError, internal);
  });
  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    // ws has already closed the socket with its own code (1009 for a message over the cap, 1002 for a bad frame).
    socket.once('error', (error) => {
      logger.warn({ error: messageOf(error) }, 'WebSocket client error');
      socket.close(CloseCode.InternalServerError, internal);
    });
    // WebSocket ping frames are answered here (ws's own answer is off), once the guards have counted them.
    socket.on('ping', (data) => {
      if (admit(socket)) socket.pong(data);
    });
    let pongWait: NodeJS.Timeout | null = null;
    const pings = setInterval(() => {
      if (socket.readyState !== socket.OPEN) return;
      pongWait = setTimeout(() => socket.terminate(), keepAliveMs);
      socket.once('pong', () => {
        if (pongWait) clearTimeout(pongWait);
        pongWait = null;
      });
      socket.ping();
    }, keepAliveMs);
    const open = () => socket.readyState === socket.OPEN;
    const send = (data: string) =>
      new Promise<void>((resolve, reject) => {
        if (!open()) return resolve();
        // A write that fails because the socket closed meanwhile has no one left to tell.
        socket.send(data, (error) => (error && open() ? reject(error) : resolve()));
      });
    const closed = server.opened(
      {
        protocol: socket.protocol,
        send,
        // A pong without the ping's payload (the protocol allows it): graphql-ws would send the payload back, and a
        // client that pings a megabyte and does not read would be answered a megabyte each time.
        onPing: () => send(pong),
        close: (code, reason) => socket.close(code, reason),
        onMessage: (handle) =>
          socket.on('message', async (data) => {
            // Every message, of any type (a ping is answered with its own payload), passes the abuse guards first.
            if (!admit(socket)) return;
            try {
              await handle(String(data));
            } catch (error) {
              if (!open()) return;
              logger.error({ error: messageOf(error) }, 'WebSocket message failed');
              socket.close(CloseCode.InternalServerError, internal);
            }
          }),
      },
      { socket, request },
    );
    socket.once('close', (code, reason) => {
      if (pongWait) clearTimeout(pongWait);
      clearInterval(pings);
      void closed(code, String(reason));
    });
  });
  return {
    dispose: async () => {
      for (const client of wss.clients) client.close(1001, 'Going away');
      wss.removeAllListeners();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
