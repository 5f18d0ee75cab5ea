import pino, { type Logger } from 'pino';

/**
 * The one logger factory of the server. Child loggers carry `callId`, `legId` or
 * `operatorId` so every line about a call can be found with one grep.
 * Secrets never go in: the redact list below is a second line of defence.
 */
export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { svc: 'patchbay' },
    redact: {
      paths: ['password', '*.password', 'sipPassword', '*.sipPassword', 'secret', '*.secret', 'headers.cookie', 'authorization', '*.authorization'],
      censor: '[redacted]',
    },
  });
}
