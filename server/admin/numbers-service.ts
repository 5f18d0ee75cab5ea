import type { NumberCreate, NumberRow, NumbersQuery, NumberUpdate, TrunkOption } from '../contracts/admin/numbers';
import type { Page } from '../contracts/admin/paging';
import { AppError } from '../contracts/result';
import type { Prisma } from '../db/generated/client';
import type { Actor, PrismaClient, Tx } from './admin-tx';
import { AdminWriter, editorNames } from './admin-writer';
import { assertClipExists } from './audio-usages';
import { expectUpdated } from './optimistic-lock';
import { assertHoursLinks } from './schedules-service';

/**
 * Numbers (DIDs): each routes to a queue, optionally through a trunk, with its hold audio.
 * The ACD's dial plan and the CTI's number → queue lookup read this table; the change
 * notification tells them to reload.
 */
const NUMBER_INCLUDE = { queue: { select: { name: true } }, trunk: { select: { name: true } }, schedule: { select: { name: true } } } satisfies Prisma.NumberInclude;
type NumberWithLinks = Prisma.NumberGetPayload<{ include: typeof NUMBER_INCLUDE }>;

function toRow(n: NumberWithLinks, names: Map<string, string>): NumberRow {
  return {
    e164: n.e164,
    queueId: n.queueId,
    queueName: n.queue.name,
    trunkId: n.trunkId,
    trunkName: n.trunk?.name ?? null,
    holdAudio: n.holdAudio,
    scheduleId: n.scheduleId,
    scheduleName: n.schedule?.name ?? null,
    closedAudio: n.closedAudio,
    closedAction: n.closedAction as NumberRow['closedAction'],
    closedQueueId: n.closedQueueId,
    closedNumber: n.closedNumber,
    priority: n.priority,
    version: n.version,
    updatedAt: n.updatedAt.getTime(),
    updatedByName: n.updatedBy ? (names.get(n.updatedBy) ?? null) : null,
  };
}

type Snap = { e164: string; queueId: string; trunkId: string | null; holdAudio: string; scheduleId: string | null; closedAudio: string | null; closedAction: string; closedQueueId: string | null; closedNumber: string | null; priority: number };
const snapshot = (n: Snap) => ({
  e164: n.e164,
  queueId: n.queueId,
  trunkId: n.trunkId,
  holdAudio: n.holdAudio,
  scheduleId: n.scheduleId,
  closedAudio: n.closedAudio,
  closedAction: n.closedAction,
  closedQueueId: n.closedQueueId,
  closedNumber: n.closedNumber,
  priority: n.priority,
});

export class NumbersService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly writer: AdminWriter,
  ) {}

  async list(q: NumbersQuery): Promise<Page<NumberRow>> {
    const where: Prisma.NumberWhereInput = q.q ? { OR: [{ e164: { contains: q.q.replace(/[\s().-]/g, '') } }, { queue: { name: { contains: q.q, mode: 'insensitive' } } }] } : {};
    const orderBy: Prisma.NumberOrderByWithRelationInput[] = q.sort === 'queue' ? [{ queue: { name: q.dir } }, { e164: 'asc' }] : [{ e164: q.dir }];
    const [total, rows] = await Promise.all([
      this.prisma.number.count({ where }),
      this.prisma.number.findMany({ where, include: NUMBER_INCLUDE, orderBy, skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
    ]);
    const names = await editorNames(this.prisma, rows.map((r) => r.updatedBy));
    return { rows: rows.map((r) => toRow(r, names)), total, page: q.page, pageSize: q.pageSize };
  }

  async get(e164: string): Promise<NumberRow> {
    const n = await this.prisma.number.findUnique({ where: { e164 }, include: NUMBER_INCLUDE });
    if (!n) throw new AppError('NOT_FOUND', 'no such number');
    return toRow(n, await editorNames(this.prisma, [n.updatedBy]));
  }

  async trunkOptions(): Promise<TrunkOption[]> {
    return this.prisma.trunk.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } });
  }

  async create(actor: Actor, input: NumberCreate): Promise<NumberRow> {
    await this.writer.write(actor, async (tx) => {
      if (await tx.number.findUnique({ where: { e164: input.e164 }, select: { e164: true } })) {
        throw new AppError('CONFLICT', 'this number is already set up', { e164: 'this number is already set up' });
      }
      await assertLinks(tx, input);
      await assertClipExists(tx, 'holdAudio', input.holdAudio, null);
      await assertClipExists(tx, 'closedAudio', input.closedAudio, null);
      await tx.number.create({ data: { ...input, updatedBy: actor.id } });
      return { result: null, audit: { action: 'number.create', entity: 'number', entityId: input.e164, before: null, after: snapshot(input) }, change: 'create' };
    });
    return this.get(input.e164);
  }

  async update(actor: Actor, e164: string, input: NumberUpdate): Promise<NumberRow> {
    const { version, ...values } = input;
    await this.writer.write(actor, async (tx) => {
      const before = await tx.number.findUnique({ where: { e164 } });
      if (!before) throw new AppError('NOT_FOUND', 'no such number');
      await assertLinks(tx, values);
      await assertClipExists(tx, 'holdAudio', values.holdAudio, before.holdAudio);
      await assertClipExists(tx, 'closedAudio', values.closedAudio, before.closedAudio);
      const r = await tx.number.updateMany({ where: { e164, version }, data: { ...values, version: { increment: 1 }, updatedAt: new Date(), updatedBy: actor.id } });
      await expectUpdated(tx, r.count, () => tx.number.findUnique({ where: { e164 } }), 'number');
      return { result: null, audit: { action: 'number.update', entity: 'number', entityId: e164, before: snapshot(before), after: snapshot({ e164, ...values }) }, change: 'update' };
    });
    return this.get(e164);
  }

  async remove(actor: Actor, e164: string, version: number): Promise<void> {
    await this.writer.write(actor, async (tx) => {
      const before = await tx.number.findUnique({ where: { e164 } });
      if (!before) throw new AppError('NOT_FOUND', 'no such number');
      const r = await tx.number.deleteMany({ where: { e164, version } });
      await expectUpdated(tx, r.count, () => tx.number.findUnique({ where: { e164 } }), 'number');
      return { result: null, audit: { action: 'number.delete', entity: 'number', entityId: e164, before: snapshot(before), after: null }, change: 'delete' };
    });
  }
}

async function assertLinks(tx: Tx, input: { queueId: string; trunkId: string | null; scheduleId: string | null; closedAction: string; closedQueueId: string | null }): Promise<void> {
  await assertHoursLinks(tx, input, null);
  if (!(await tx.queue.findUnique({ where: { id: input.queueId }, select: { id: true } }))) {
    throw new AppError('BAD_REQUEST', 'the queue does not exist', { queueId: 'this queue does not exist (any more)' });
  }
  if (input.trunkId && !(await tx.trunk.findUnique({ where: { id: input.trunkId }, select: { id: true } }))) {
    throw new AppError('BAD_REQUEST', 'the trunk does not exist', { trunkId: 'this trunk does not exist (any more)' });
  }
}
