import pg from 'pg';

/**
 * LISTEN for a PostgreSQL server: one dedicated connection (a pooled one may be handed to
 * someone else between notifications). PGlite needs no adapter: its `listen()` has this shape.
 */
export function pgNotificationSource(connectionString: string) {
  return {
    async listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>> {
      const client = new pg.Client({ connectionString });
      await client.connect();
      client.on('notification', (n) => {
        if (n.channel === channel && n.payload !== undefined) onPayload(n.payload);
      });
      await client.query(`LISTEN "${channel.replace(/"/g, '')}"`);
      return async () => {
        await client.end().catch(() => undefined);
      };
    },
  };
}
