/**
 * Why the process could not start, in one line naming the variable to change:
 * a listener's port in use (EADDRINUSE), not allowed (EACCES) or an address
 * not on this machine (EADDRNOTAVAIL). Used by the CLI entry (main.ts).
 */

/** A listener the entry point starts, with the variables that set its port and interface. */
export interface Listener {
  portVariable: string;
  hostVariable: string;
  port: number;
  host: string;
}

/** The message for a listen failure of one of `listeners`, or null when `error` is something else. */
export function listenFailureMessage(error: unknown, listeners: readonly Listener[]): string | null {
  const e = error as { code?: unknown; port?: unknown } | null;
  if (!e || typeof e.code !== 'string' || typeof e.port !== 'number') return null;
  const listener = listeners.find((l) => l.port === e.port);
  if (!listener) return null;
  const where = `port ${listener.port} on ${listener.host}`;
  switch (e.code) {
    case 'EADDRINUSE':
      return `${where} is already in use: set ${listener.portVariable} to a free port, or stop what listens there`;
    case 'EACCES':
      return `no permission to listen on ${where}: set ${listener.portVariable} to a port above 1023`;
    case 'EADDRNOTAVAIL':
      return `${listener.host} is not an address of this machine: set ${listener.hostVariable} (0.0.0.0 for every interface)`;
    default:
      return null;
  }
}

/** Prints `message` on stderr, without a stack trace, and exits with status 1. */
export function exitWith(message: string): never {
  process.stderr.write(`wandb-runs-subgraph: ${message}\n`);
  process.exit(1);
}
