import type { Server } from 'node:http';
import type { Logger } from 'pino';

/**
 * On SIGTERM or SIGINT, runs the `steps` in order (closing servers
 * gracefully) and exits; a second signal during shutdown exits at once.
 */
export function stopOnSignals(logger: Logger, steps: readonly (() => Promise<unknown>)[]): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, 'second signal during shutdown: exiting now');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping');
    void (async () => {
      try {
        for (const step of steps) await step();
        logger.info('stopped');
        process.exit(0);
      } catch (error) {
        logger.error({ error: error instanceof Error ? error.message : String(error) }, 'shutdown failed');
        process.exit(1);
      }
    })();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

/**
 * Stops accepting connections and lets in-flight requests finish, up to
 * timeoutMs, then destroys the connections still open. True when it timed out.
 */
export async function drainConnections(server: Server, timeoutMs: number, logger: Logger): Promise<boolean> {
  let timedOut = false;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      timedOut = true;
      logger.warn({ timeoutMs }, 'shutdown timeout: destroying the connections still open');
      server.closeAllConnections();
    }, timeoutMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
  return timedOut;
}
