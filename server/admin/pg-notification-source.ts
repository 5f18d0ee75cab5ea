import pg from 'pg';
import type { Logger } from 'pino';

const FIRST_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/**
 * LISTEN for a PostgreSQL server: one dedicated connection (a pooled one may be handed to
 * someone else between notifications). PGlite needs no adapter: its `listen()` has this shape.
 *
 * The connection is kept: when the server ends it (a restart, a failover, pg_terminate_backend)
 * it is reported and opened again with a growing delay, then LISTENs again. Without an 'error'
 * listener that end would crash the process. What was written meanwhile reaches us through the
 * version-row poll the owner runs beside this (server/roles/platform-base.ts).
 */
export function pgNotificationSource(connectionString: string, log?: Logger) {
  return {
    async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
      const quoted = `"${channel.replace(/"/g, '')}"`;
      let client: pg.Client | null = null;
      let stopped = false;
      let retryMs = FIRST_RETRY_MS;
      let timer: NodeJS.Timeout | undefined;

      const open = async (): Promise<void> => {
        const c = new pg.Client({ connectionString });
        c.on('error', (err) => lost(c, err));
        c.on('end', () => lost(c, null));
        c.on('notification', (n) => {
          if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
        });
        client = c;
        try {
          await c.connect();
          await c.query(`LISTEN ${quoted}`);
        } catch (err) {
          // its 'error' may not fire for a failed connect: the caller decides what comes next
          if (client === c) client = null;
          c.end().catch(() => undefined);
          throw err;
        }
      };

      const lost = (c: pg.Client, err: Error | null): void => {
        if (stopped || client !== c) return; // ours ended on purpose, or already replaced
        client = null;
        c.end().catch(() => undefined);
        log?.warn({ err: err?.message ?? 'connection ended', retryInMs: retryMs }, 'configuration LISTEN connection lost; reconnecting');
        schedule();
      };

      const schedule = (): void => {
        if (stopped || timer) return;
        timer = setTimeout(() => {
          timer = undefined;
          open().then(
            () => {
              log?.info('configuration LISTEN connection back');
              retryMs = FIRST_RETRY_MS;
            },
            (err: unknown) => {
              retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
              log?.debug({ err: err instanceof Error ? err.message : String(err), retryInMs: retryMs }, 'configuration LISTEN reconnect failed');
              schedule();
            },
          );
        }, retryMs);
        timer.unref();
      };

      try {
        await open(); // the first connection must work: boot fails loudly otherwise
      } catch (err) {
        stopped = true;
        throw err;
      }
      return async () => {
        stopped = true;
        clearTimeout(timer);
        await client?.end().catch(() => undefined);
        client = null;
      };
    },
  };
}
