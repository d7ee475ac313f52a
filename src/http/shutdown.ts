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
