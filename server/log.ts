import pino, { type Logger } from 'pino';

/**
 * The one logger factory of the server. Child loggers carry `callId`, `legId` or
 * `operatorId` so every line about a call can be found with one grep.
 * Secrets never go in: the redact list below is a second line of defence.
 */
export type { Logger };

/** How long a log line may wait in the buffer (lines go out at 4 KB or at this tick, whichever first). */
const LOG_FLUSH_MS = 500;

export function createLogger(level: string): Logger {
  // Buffered and written asynchronously: a few writes a second instead of one blocking write per
  // line (9 % of the platform's CPU at 60 calls/s with one write per line). pino flushes what is
  // left synchronously when the process exits, a crash included; a SIGKILL loses at most the
  // last LOG_FLUSH_MS.
  const dest = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const tick = setInterval(() => {
    try {
      dest.flush();
    } catch {
      // destroyed (stdout closed): nothing to flush to
    }
  }, LOG_FLUSH_MS);
  tick.unref();
  return pino(
    {
      level,
      base: { svc: 'patchbay' },
      redact: {
        paths: ['password', '*.password', 'sipPassword', '*.sipPassword', 'secret', '*.secret', 'secretAccessKey', '*.secretAccessKey', '*.*.secretAccessKey', 'headers.cookie', 'authorization', '*.authorization'],
        censor: '[redacted]',
      },
    },
    dest,
  );
}
