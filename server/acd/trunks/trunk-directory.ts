import type { PrismaClient } from '../../db/generated/client';
import type { Logger } from '../../log';
import { fieldErrors } from '../../contracts/result';
import { TrunkConfig } from './trunk-config';
import { decryptTrunkPassword } from './trunk-secret';

/** Where the ACD's trunks come from (the database in production, a list in tests). */
export interface TrunkDirectory {
  /** Every valid trunk, enabled or not, in a stable order (by name). */
  all(): readonly TrunkConfig[];
  /** Calls `listener` after a reload that changed the list (a directory that never changes has none). */
  onChange?(listener: () => void): () => void;
}

export class StaticTrunkDirectory implements TrunkDirectory {
  private readonly list: TrunkConfig[];
  constructor(trunks: readonly TrunkConfig[]) {
    this.list = trunks.map((t) => TrunkConfig.parse(t)).sort((a, b) => a.name.localeCompare(b.name));
  }
  all(): readonly TrunkConfig[] {
    return this.list;
  }
}

/**
 * Trunks read from the `trunks` table with their DIDs (`numbers.trunk_id`), held in memory (an
 * INVITE must not wait on the database) and refreshed like the dial plan. A row that fails the
 * schema is left out and logged; a failed refresh keeps the last good list.
 */
export class DatabaseTrunkDirectory implements TrunkDirectory {
  private list: TrunkConfig[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly secret: string,
    private readonly log: Logger,
  ) {}

  all(): readonly TrunkConfig[] {
    return this.list;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async load(): Promise<void> {
    const rows = await this.prisma.trunk.findMany({ include: { numbers: { select: { e164: true } } }, orderBy: { name: 'asc' } });
    const out: TrunkConfig[] = [];
    for (const r of rows) {
      let password: string | null = null;
      try {
        password = r.password === null ? null : decryptTrunkPassword(this.secret, r.password);
      } catch (err) {
        this.log.error({ err, trunk: r.name }, 'trunk password does not decrypt under PATCHBAY_SECRET; trunk skipped');
        continue;
      }
      const parsed = TrunkConfig.safeParse({
        id: r.id,
        name: r.name,
        host: r.host,
        port: r.port,
        transport: r.transport,
        username: r.username,
        password,
        realm: r.realm,
        register: r.register,
        registerExpirySec: r.registerExpirySec,
        inboundSources: r.inboundSources,
        inboundDigest: r.inboundDigest,
        outbound: r.outbound,
        callerIdMode: r.callerIdMode,
        callerIdE164: r.callerIdE164,
        assertIdentity: r.assertIdentity,
        privacy: r.privacy,
        enabled: r.enabled,
        dids: r.numbers.map((n) => n.e164),
      });
      if (!parsed.success) {
        this.log.error({ trunk: r.name, fields: fieldErrors(parsed.error) }, 'trunk row invalid; skipped');
        continue;
      }
      out.push(parsed.data);
    }
    const changed = JSON.stringify(out) !== JSON.stringify(this.list);
    this.list = out;
    if (!changed) return;
    for (const l of this.listeners) {
      try {
        l();
      } catch (err) {
        this.log.error({ err }, 'a trunk directory listener threw');
      }
    }
  }

  async start(everyMs = 60_000): Promise<void> {
    await this.load();
    this.timer = setInterval(() => {
      this.load().catch((err: unknown) => this.log.warn({ err }, 'trunk refresh failed; keeping the last list'));
    }, everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
