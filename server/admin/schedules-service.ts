import { randomBytes } from 'node:crypto';
import type { Page } from '../contracts/admin/paging';
import type { Holiday, ScheduleCreate, ScheduleOption, ScheduleRow, SchedulesQuery, ScheduleUpdate, WeeklyInterval } from '../contracts/admin/schedules';
import { AppError } from '../contracts/result';
import { isOpen } from '../cti/domain/business-hours';
import type { Prisma, Schedule } from '../db/generated/client';
import type { Actor, PrismaClient, Tx } from './admin-tx';
import { AdminWriter, editorNames } from './admin-writer';
import { expectUpdated } from './optimistic-lock';

/**
 * Business-hours schedules: create, edit, delete. A schedule that a queue or a number follows
 * is not deleted (the admin picks another schedule, or none, for them first). The CTI caches
 * schedules and reloads them on the change notification this service's writes publish.
 */
const USED_BY = {
  queues: { select: { name: true }, orderBy: { name: 'asc' } },
  numbers: { select: { e164: true }, orderBy: { e164: 'asc' } },
} satisfies Prisma.ScheduleInclude;
type ScheduleWithUse = Prisma.ScheduleGetPayload<{ include: typeof USED_BY }>;

function fields(s: Schedule): ScheduleCreate {
  return { name: s.name, timeZone: s.timeZone, weekly: (s.weekly ?? []) as WeeklyInterval[], holidays: (s.holidays ?? []) as Holiday[] };
}

/** Stored in a stable order (day, then start; holidays by first day), whatever order the form sent. */
function columns(input: ScheduleCreate) {
  const weekly = [...input.weekly].sort((a, b) => a.day - b.day || a.start.localeCompare(b.start));
  const holidays = [...input.holidays].sort((a, b) => a.from.localeCompare(b.from)).map((h) => ({ ...h, hours: [...h.hours].sort((a, b) => a.start.localeCompare(b.start)) }));
  return { name: input.name, timeZone: input.timeZone, weekly: weekly as Prisma.InputJsonArray, holidays: holidays as unknown as Prisma.InputJsonArray };
}

export class SchedulesService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly writer: AdminWriter,
    private readonly now: () => number = Date.now,
  ) {}

  private toRow(s: ScheduleWithUse, names: Map<string, string>): ScheduleRow {
    const f = fields(s);
    return {
      id: s.id,
      ...f,
      openNow: isOpen(f, this.now()),
      usedBy: { queues: s.queues.map((q) => q.name), numbers: s.numbers.map((n) => n.e164) },
      version: s.version,
      updatedAt: s.updatedAt.getTime(),
      updatedByName: s.updatedBy ? (names.get(s.updatedBy) ?? null) : null,
    };
  }

  async list(q: SchedulesQuery): Promise<Page<ScheduleRow>> {
    const where: Prisma.ScheduleWhereInput = q.q ? { OR: [{ name: { contains: q.q, mode: 'insensitive' } }, { timeZone: { contains: q.q, mode: 'insensitive' } }] } : {};
    const [total, rows] = await Promise.all([
      this.prisma.schedule.count({ where }),
      this.prisma.schedule.findMany({ where, include: USED_BY, orderBy: [{ [q.sort]: q.dir }, { id: 'asc' }], skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
    ]);
    const names = await editorNames(this.prisma, rows.map((r) => r.updatedBy));
    return { rows: rows.map((r) => this.toRow(r, names)), total, page: q.page, pageSize: q.pageSize };
  }

  async options(): Promise<ScheduleOption[]> {
    return this.prisma.schedule.findMany({ select: { id: true, name: true, timeZone: true }, orderBy: { name: 'asc' } });
  }

  async get(id: string): Promise<ScheduleRow> {
    const s = await this.prisma.schedule.findUnique({ where: { id }, include: USED_BY });
    if (!s) throw new AppError('NOT_FOUND', 'no such schedule');
    return this.toRow(s, await editorNames(this.prisma, [s.updatedBy]));
  }

  async create(actor: Actor, input: ScheduleCreate): Promise<ScheduleRow> {
    const id = `s-${randomBytes(6).toString('hex')}`;
    await this.writer.write(actor, async (tx) => {
      await assertNameFree(tx, input.name, null);
      const created = await tx.schedule.create({ data: { ...columns(input), id, updatedBy: actor.id } });
      return { result: null, audit: { action: 'schedule.create', entity: 'schedule', entityId: id, before: null, after: { id, ...fields(created) } }, change: 'create' };
    });
    return this.get(id);
  }

  async update(actor: Actor, id: string, input: ScheduleUpdate): Promise<ScheduleRow> {
    const { version, ...rest } = input;
    await this.writer.write(actor, async (tx) => {
      const before = await tx.schedule.findUnique({ where: { id } });
      if (!before) throw new AppError('NOT_FOUND', 'no such schedule');
      await assertNameFree(tx, rest.name, id);
      const r = await tx.schedule.updateMany({ where: { id, version }, data: { ...columns(rest), version: { increment: 1 }, updatedAt: new Date(), updatedBy: actor.id } });
      await expectUpdated(tx, r.count, () => tx.schedule.findUnique({ where: { id } }), 'schedule');
      const after = await tx.schedule.findUniqueOrThrow({ where: { id } });
      return { result: null, audit: { action: 'schedule.update', entity: 'schedule', entityId: id, before: { id, ...fields(before) }, after: { id, ...fields(after) } }, change: 'update' };
    });
    return this.get(id);
  }

  async remove(actor: Actor, id: string, version: number): Promise<void> {
    await this.writer.write(actor, async (tx) => {
      const before = await tx.schedule.findUnique({ where: { id }, include: USED_BY });
      if (!before) throw new AppError('NOT_FOUND', 'no such schedule');
      if (before.version !== version) await expectUpdated(tx, 0, async () => before, 'schedule');
      const users = [...before.queues.map((q) => `queue ${q.name}`), ...before.numbers.map((n) => `number ${n.e164}`)];
      if (users.length > 0) throw new AppError('CONFLICT', `this schedule is in use (${users.join(', ')}); give them another schedule, or none, first`);
      const r = await tx.schedule.deleteMany({ where: { id, version } });
      await expectUpdated(tx, r.count, () => tx.schedule.findUnique({ where: { id } }), 'schedule');
      return { result: null, audit: { action: 'schedule.delete', entity: 'schedule', entityId: id, before: { id, ...fields(before) }, after: null }, change: 'delete' };
    });
  }
}

async function assertNameFree(tx: Tx, name: string, exceptId: string | null): Promise<void> {
  const other = await tx.schedule.findFirst({ where: { name: { equals: name, mode: 'insensitive' } }, select: { id: true } });
  if (other && other.id !== exceptId) throw new AppError('CONFLICT', 'another schedule has this name', { name: 'another schedule has this name' });
}

/** For queues and numbers: the schedule and the closed overflow queue they name must exist. */
export async function assertHoursLinks(tx: Tx, input: { scheduleId: string | null; closedAction: string; closedQueueId: string | null }, selfQueueId: string | null): Promise<void> {
  if (input.scheduleId && !(await tx.schedule.findUnique({ where: { id: input.scheduleId }, select: { id: true } }))) {
    throw new AppError('BAD_REQUEST', 'the schedule does not exist', { scheduleId: 'this schedule does not exist (any more)' });
  }
  if (input.closedAction !== 'overflow_queue' || !input.closedQueueId) return;
  if (input.closedQueueId === selfQueueId) throw new AppError('BAD_REQUEST', 'a queue cannot overflow to itself', { closedQueueId: 'a queue cannot overflow to itself' });
  if (!(await tx.queue.findUnique({ where: { id: input.closedQueueId }, select: { id: true } }))) {
    throw new AppError('BAD_REQUEST', 'the queue does not exist', { closedQueueId: 'this queue does not exist (any more)' });
  }
}
