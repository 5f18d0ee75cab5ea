import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { encryptTrunkPassword } from '../acd/trunks/trunk-secret';
import type { Page } from '../contracts/admin/paging';
import { trunkRules, type TrunkCreate, type TrunkLiveStatus, type TrunkRow, type TrunkSettings, type TrunkStatusAnswer, type TrunksQuery, type TrunkUpdate } from '../contracts/admin/trunks';
import { AppError, fieldErrors } from '../contracts/result';
import type { Prisma, Trunk } from '../db/generated/client';
import type { Actor, PrismaClient, Tx } from './admin-tx';
import { AdminWriter, editorNames } from './admin-writer';
import { expectUpdated } from './optimistic-lock';

/**
 * Carrier trunks: create, edit, delete. The password is write-only: stored encrypted
 * (encryptTrunkPassword, key from PATCHBAY_SECRET), never returned (rows say `passwordSet`),
 * and audited only as "set / changed / removed". A trunk that numbers still arrive through is
 * not deleted: detaching them silently would make the ACD refuse those DIDs' calls (a trunk's
 * caller must dial one of its own numbers), so the admin moves them first, as with queues.
 * The ACD reloads trunks on the change notification and reports their registrations through
 * TrunkStatusPort.
 */
export interface TrunkStatusPort {
  /** the ACD's trunks as it has them loaded, with their registrations */
  trunkStatus(): Array<Pick<TrunkLiveStatus, 'id' | 'name' | 'registration'>>;
  /** true: the ACD runs in another process, so its registrations cannot be read here */
  readonly elsewhere?: boolean;
}

export const NO_TRUNK_STATUS: TrunkStatusPort = { trunkStatus: () => [] };
/** The web run apart from the ACD (`--role web`): says so rather than "waiting for the switch" forever. */
export const TRUNK_STATUS_ELSEWHERE: TrunkStatusPort = { trunkStatus: () => [], elsewhere: true };

const TRUNK_INCLUDE = { numbers: { select: { e164: true }, orderBy: { e164: 'asc' } } } satisfies Prisma.TrunkInclude;
type TrunkWithNumbers = Prisma.TrunkGetPayload<{ include: typeof TRUNK_INCLUDE }>;

function settings(t: Trunk): TrunkSettings {
  return {
    name: t.name,
    host: t.host,
    port: t.port,
    transport: t.transport,
    username: t.username,
    realm: t.realm,
    register: t.register,
    registerExpirySec: t.registerExpirySec,
    inboundSources: t.inboundSources,
    inboundDigest: t.inboundDigest,
    outbound: t.outbound,
    callerIdMode: t.callerIdMode,
    callerIdE164: t.callerIdE164,
    assertIdentity: t.assertIdentity,
    privacy: t.privacy,
    enabled: t.enabled,
  };
}

function toRow(t: TrunkWithNumbers, names: Map<string, string>): TrunkRow {
  return {
    id: t.id,
    ...settings(t),
    passwordSet: t.password !== null,
    numbers: t.numbers.map((n) => n.e164),
    version: t.version,
    updatedAt: t.updatedAt.getTime(),
    updatedByName: t.updatedBy ? (names.get(t.updatedBy) ?? null) : null,
  };
}

/** What the audit row keeps of a trunk: its settings, and of the password only whether one is set. */
function snapshot(id: string, t: TrunkSettings, passwordSet: boolean) {
  return { id, ...t, passwordSet };
}

export class TrunksService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly writer: AdminWriter,
    /** PATCHBAY_SECRET: the key of stored trunk passwords (null: passwords cannot be stored) */
    private readonly secret: string | null,
    private readonly live: TrunkStatusPort,
    private readonly now: () => number = Date.now,
  ) {}

  async list(q: TrunksQuery): Promise<Page<TrunkRow>> {
    const where: Prisma.TrunkWhereInput = q.q ? { OR: [{ name: { contains: q.q, mode: 'insensitive' } }, { host: { contains: q.q, mode: 'insensitive' } }] } : {};
    const [total, rows] = await Promise.all([
      this.prisma.trunk.count({ where }),
      this.prisma.trunk.findMany({ where, include: TRUNK_INCLUDE, orderBy: [{ [q.sort]: q.dir }, { id: 'asc' }], skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
    ]);
    const names = await editorNames(this.prisma, rows.map((r) => r.updatedBy));
    return { rows: rows.map((r) => toRow(r, names)), total, page: q.page, pageSize: q.pageSize };
  }

  async get(id: string): Promise<TrunkRow> {
    const t = await this.prisma.trunk.findUnique({ where: { id }, include: TRUNK_INCLUDE });
    if (!t) throw new AppError('NOT_FOUND', 'no such trunk');
    return toRow(t, await editorNames(this.prisma, [t.updatedBy]));
  }

  /** The ACD's live registration state of every trunk it has loaded (no secrets in it). */
  status(): TrunkStatusAnswer {
    return {
      now: this.now(),
      trunks: this.live.trunkStatus().map((t) => ({ id: t.id, name: t.name, registration: t.registration ? { ...t.registration } : null })),
      elsewhere: this.live.elsewhere === true,
    };
  }

  async create(actor: Actor, input: TrunkCreate): Promise<TrunkRow> {
    const id = `tr-${randomBytes(6).toString('hex')}`;
    const { password, ...values } = input;
    const stored = password === '' ? null : this.encrypt(password);
    await this.writer.write(actor, async (tx) => {
      await assertNameFree(tx, values.name, null);
      await tx.trunk.create({ data: { ...values, id, password: stored, updatedBy: actor.id } });
      return { result: null, audit: { action: 'trunk.create', entity: 'trunk', entityId: id, before: null, after: snapshot(id, values, stored !== null) }, change: 'create' };
    });
    return this.get(id);
  }

  async update(actor: Actor, id: string, input: TrunkUpdate): Promise<TrunkRow> {
    const { version, password, clearPassword, ...values } = input;
    await this.writer.write(actor, async (tx) => {
      const before = await tx.trunk.findUnique({ where: { id } });
      if (!before) throw new AppError('NOT_FOUND', 'no such trunk');
      await assertNameFree(tx, values.name, id);
      // '' keeps the stored password; the rules are checked against what the trunk will have
      const next = password !== '' ? this.encrypt(password) : clearPassword ? null : before.password;
      checkRules(values, next !== null);
      const r = await tx.trunk.updateMany({ where: { id, version }, data: { ...values, password: next, version: { increment: 1 }, updatedAt: new Date(), updatedBy: actor.id } });
      await expectUpdated(tx, r.count, () => tx.trunk.findUnique({ where: { id } }), 'trunk');
      // the audit row says what happened to the password, never what it is
      const credentials = password !== '' ? (before.password === null ? 'password set' : 'password changed') : next === null && before.password !== null ? 'password removed' : 'password unchanged';
      return {
        result: null,
        audit: {
          action: 'trunk.update',
          entity: 'trunk',
          entityId: id,
          before: snapshot(id, settings(before), before.password !== null),
          // the audit page shows what differs: a password change alone appears as this line
          after: { ...snapshot(id, values, next !== null), ...(credentials === 'password unchanged' ? {} : { credentials }) },
        },
        change: 'update',
      };
    });
    return this.get(id);
  }

  async remove(actor: Actor, id: string, version: number): Promise<void> {
    await this.writer.write(actor, async (tx) => {
      const before = await tx.trunk.findUnique({ where: { id }, include: { numbers: { select: { e164: true }, orderBy: { e164: 'asc' } } } });
      if (!before) throw new AppError('NOT_FOUND', 'no such trunk');
      if (before.version !== version) await expectUpdated(tx, 0, async () => before, 'trunk');
      if (before.numbers.length > 0) {
        const list = before.numbers.map((n) => n.e164).join(', ');
        throw new AppError('CONFLICT', `calls to ${list} arrive through this trunk; give ${before.numbers.length === 1 ? 'that number' : 'those numbers'} another trunk (or none) first`);
      }
      const r = await tx.trunk.deleteMany({ where: { id, version } });
      await expectUpdated(tx, r.count, () => tx.trunk.findUnique({ where: { id } }), 'trunk');
      return { result: null, audit: { action: 'trunk.delete', entity: 'trunk', entityId: id, before: snapshot(id, settings(before), before.password !== null), after: null }, change: 'delete' };
    });
  }

  private encrypt(clear: string): string {
    if (!this.secret) throw new AppError('INTERNAL', 'the server has no PATCHBAY_SECRET to store trunk passwords with');
    return encryptTrunkPassword(this.secret, clear);
  }
}

/** The cross-field rules of the shared schema, against the password the trunk will have. */
function checkRules(values: TrunkSettings, hasPassword: boolean): void {
  const r = z
    .custom<TrunkSettings>()
    .superRefine((v, ctx) => trunkRules(v, hasPassword, ctx))
    .safeParse(values);
  if (!r.success) throw new AppError('BAD_REQUEST', 'check the highlighted fields', fieldErrors(r.error));
}

async function assertNameFree(tx: Tx, name: string, exceptId: string | null): Promise<void> {
  const other = await tx.trunk.findFirst({ where: { name: { equals: name, mode: 'insensitive' } }, select: { id: true } });
  if (other && other.id !== exceptId) throw new AppError('CONFLICT', 'another trunk has this name', { name: 'another trunk has this name' });
}
