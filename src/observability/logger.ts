import pino from 'pino';
import { scrub } from '../security/credentials.js';

export { scrub };
import { activeTracer, traceFields } from './tracing.js';

export type Logger = pino.Logger;
type DestinationStream = pino.DestinationStream;

export const logLevels: readonly pino.LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Paths pino replaces with "[Redacted]" whatever the caller logs: defense
 * in depth, since the server never logs headers or keys in the first place.
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  '*.authorization',
  'apiKey',
  '*.apiKey',
  'serviceKey',
  '*.serviceKey',
];

export interface LoggerOptions {
  /** pino level; default: env LOG_LEVEL, else "info". */
  level?: string;
  /** Where the JSON lines go; default: stdout (synchronous writes). */
  destination?: DestinationStream;
}

/** A pino logger writing one JSON object per line, with keys redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.LOG_LEVEL ?? 'info';
  if (!(logLevels as readonly string[]).includes(level)) throw new Error(`log level must be one of ${logLevels.join(', ')}, got ${JSON.stringify(level)}`);
  return pino(
    {
      level,
      base: { service: 'wandb-runs-subgraph' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactPaths, censor: '[Redacted]' },
      // Every line is scrubbed as written: a key quoted in any message or field never reaches the log.
      hooks: { streamWrite: (line: string) => scrub(line) },
      // Lines written inside a traced request carry its trace_id and span_id (tracing on only).
      mixin: () => (activeTracer() ? traceFields() : {}),
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that writes nothing (tests, or callers that opt out). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** A logger whose JSON lines go to a callback, one line per call (the old `log` option). */
export function callbackLogger(write: (line: string) => void, level?: string): Logger {
  return createLogger({ level, destination: { write: (line: string) => write(line.replace(/\n$/, '')) } });
}
