import { type Logger, pino, destination as pinoDestination, stdTimeFunctions } from 'pino';
import type { LogLevel } from '../config.js';

/**
 * The server's JSON logger: one line per event on stdout, ISO timestamps, secrets redacted wherever a
 * request or endpoint is logged.
 */
export function createLogger(level: LogLevel, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      timestamp: stdTimeFunctions.isoTime,
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["x-hookwire-token"]',
          'headers.authorization',
          'secret',
          '*.secret',
          'key',
        ],
        censor: '[redacted]',
      },
    },
    destination ?? pinoDestination({ fd: 1, sync: false }),
  );
}
