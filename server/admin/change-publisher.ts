import type { AuditEntity } from '../contracts/admin/audit';
import type { Logger } from '../log';
import { TypedEmitter } from '../shared/typed-emitter';
import type { PrismaClient, Tx } from './admin-tx';

/**
 * Tells the running platform that configuration changed, without a restart. Every admin write
 * calls `bump()` inside its transaction: the single `config_version` row goes up by one and
 * `pg_notify('patchbay_config', …)` is queued (PostgreSQL and PGlite deliver it at commit, and
 * not at all on rollback). After the commit the service calls `published()`, which tells this
 * process's subscribers at once. Other processes hear it through `attach()` (LISTEN on a
 * connection of their own) or `startPolling()` (the version row), whichever the owner wires.
 *
 * A notification means "reload": its entity and id say what changed, as a hint. Delivery is
 * once per version and in increasing version order; a version older than one already delivered
 * is dropped (the reload it asks for has happened). Consumers (the CTI's and the ACD's caches,
 * wired by their owners) call `subscribe()`.
 */
export const CONFIG_CHANNEL = 'patchbay_config';

export interface ConfigChange {
  version: number;
  entity: AuditEntity | '*';
  id: string | null;
  action: 'create' | 'update' | 'delete' | 'poll';
  at: number;
}

/** LISTEN on a connection of its own. PGlite's `listen()` has exactly this shape; pg needs a small adapter. */
export interface NotificationSource {
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
}

type Events = { change: ConfigChange };

export class ChangePublisher {
  private readonly events: TypedEmitter<Events>;
  private lastVersion = 0;
  private readonly stops: Array<() => Promise<void> | void> = [];
  private readonly log: Logger;

  constructor(logger: Logger, private readonly now: () => number = Date.now) {
    this.log = logger.child({ part: 'admin', module: 'change-publisher' });
    this.events = new TypedEmitter<Events>((err) => this.log.error({ err }, 'a configuration subscriber threw'));
  }

  /** Inside a write's transaction: bumps the version and queues the NOTIFY. */
  async bump(tx: Tx, what: Pick<ConfigChange, 'entity' | 'id' | 'action'>): Promise<ConfigChange> {
    const rows = await tx.$queryRaw<{ version: bigint | number }[]>`UPDATE "config_version" SET "version" = "version" + 1, "changed_at" = CURRENT_TIMESTAMP WHERE "id" = 1 RETURNING "version"`;
    const change: ConfigChange = { ...what, version: Number(rows[0]?.version ?? 0), at: this.now() };
    await tx.$queryRaw`SELECT pg_notify(${CONFIG_CHANNEL}, ${JSON.stringify(change)})::text AS "sent"`;
    return change;
  }

  /** After the commit: tells this process's subscribers. */
  published(change: ConfigChange): void {
    if (change.version <= this.lastVersion) return;
    this.lastVersion = change.version;
    this.events.emit('change', change);
  }

  /** Calls `listener` after every committed configuration change; returns the unsubscribe. */
  subscribe(listener: (change: ConfigChange) => void): () => void {
    return this.events.on('change', listener);
  }

  get version(): number {
    return this.lastVersion;
  }

  /** Hears other processes' writes at once (LISTEN). */
  async attach(source: NotificationSource): Promise<void> {
    const unlisten = await source.listen(CONFIG_CHANNEL, (payload) => {
      const change = parseChange(payload);
      if (change) this.published(change);
      else this.log.warn({ payload }, 'ignored a malformed configuration notification');
    });
    this.stops.push(unlisten);
  }

  /** Hears other processes' writes by reading the version row every `everyMs` (no LISTEN needed). */
  startPolling(prisma: PrismaClient, everyMs = 2000): void {
    const tick = async () => {
      const row = await prisma.configVersion.findUnique({ where: { id: 1 }, select: { version: true } });
      const version = Number(row?.version ?? 0);
      if (version > this.lastVersion) this.published({ version, entity: '*', id: null, action: 'poll', at: this.now() });
    };
    const timer = setInterval(() => void tick().catch((err: unknown) => this.log.warn({ err }, 'configuration version poll failed')), everyMs);
    timer.unref();
    this.stops.push(() => clearInterval(timer));
  }

  async stop(): Promise<void> {
    for (const s of this.stops.splice(0)) await s();
    this.events.clear();
  }
}

function parseChange(payload: string): ConfigChange | null {
  try {
    const v = JSON.parse(payload) as Partial<ConfigChange>;
    return typeof v.version === 'number' && typeof v.entity === 'string' && typeof v.action === 'string'
      ? { version: v.version, entity: v.entity, id: v.id ?? null, action: v.action, at: typeof v.at === 'number' ? v.at : Date.now() }
      : null;
  } catch {
    return null;
  }
}
