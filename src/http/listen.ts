import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Listens on `port` and `host` and resolves with the port bound (useful with
 * port 0). A failure (EADDRINUSE, EACCES) rejects with Node's own error,
 * which carries `code`, `port` and `address`: the entry point names the
 * variable to change from them.
 */
export async function listen(server: Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once('error', failed);
    server.listen(port, host, () => {
      server.off('error', failed);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** `http://host:port`, with the unspecified address shown as loopback and IPv6 in brackets. */
export function origin(host: string, port: number): string {
  const shown = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}`;
}
