import { randomBytes } from 'node:crypto';
import type { Page } from '../contracts/admin/paging';
import { RecordingPolicy } from '../contracts/admin/recordings';
import { Announce, CallbackDigit } from '../contracts/admin/queues';
import type { QueueCreate, QueueOption, QueueRow, QueuesQuery, QueueUpdate } from '../contracts/admin/queues';
import { AppError } from '../contracts/result';
import type { Prisma, Queue } from '../db/generated/client';
import type { Actor, PrismaClient, Tx } from './admin-tx';
import { assertClipExists } from './audio-usages';
import { AdminWriter, editorNames } from './admin-writer';
import { expectUpdated } from './optimistic-lock';
import { assertHoursLinks } from './schedules-service';
import type { LiveCallsPort } from './waiting-callers';
import type { Logger } from '../log';
import { PressOneSentences, dropPressOne, type Speech } from './press-one-clip';

/**
 * Queues: create, edit, delete. A queue is not deleted while callers wait in it (asked of the
 * CTI through LiveCallsPort) or while numbers still route to it (the admin moves them first).
 * An overflow target must exist and may not be the queue itself.
 */
const QUEUE_INCLUDE = {
  overflowQueue: { select: { name: true } },
  schedule: { select: { name: true } },
  numbers: { select: { e164: true }, orderBy: { e164: 'asc' } },
  _count: { select: { members: true } },
} satisfies Prisma.QueueInclude;
type QueueWithLinks = Prisma.QueueGetPayload<{ include: typeof QUEUE_INCLUDE }>;

function fields(q: Queue): QueueCreate {
  return {
    name: q.name,
    strategy: q.strategy as QueueCreate['strategy'],
    strategyParams: (q.strategyParams ?? {}) as QueueCreate['strategyParams'],
    ringTimeoutSec: q.ringTimeoutSec,
    wrapUpSec: q.wrapUpSec,
    maxWaitSec: q.maxWaitSec,
    maxWaitAction: q.maxWaitAction as QueueCreate['maxWaitAction'],
    maxWaitMessage: q.maxWaitMessage,
    overflowQueueId: q.overflowQueueId,
    overflowNumber: q.overflowNumber,
    holdAudio: q.holdAudio,
    maxCallers: q.maxCallers,
    fullAudio: q.fullAudio,
    busyAudio: q.busyAudio,
    overflowWhenEmpty: q.overflowWhenEmpty,
    announce: Announce.catch('none').parse(q.announce),
    announceEverySec: q.announceEverySec,
    callbackDigit: CallbackDigit.nullable().catch(null).parse(q.callbackDigit),
    press1Mobile: q.press1Mobile,
    press1SipPhone: q.press1SipPhone,
    press1TimeoutSec: q.press1TimeoutSec,
    callbackTries: q.callbackTries,
    callbackRetrySec: q.callbackRetrySec,
    callbackExpiryMin: q.callbackExpiryMin,
    slTargetPct: q.slTargetPct,
    slThresholdSec: q.slThresholdSec,
    priority: q.priority,
    requiredSkills: (q.requiredSkills ?? []) as QueueCreate['requiredSkills'],
    scheduleId: q.scheduleId,
    closedAudio: q.closedAudio,
    closedAction: q.closedAction as QueueCreate['closedAction'],
    closedQueueId: q.closedQueueId,
    closedNumber: q.closedNumber,
    screenPopUrl: q.screenPopUrl,
    recordingPolicy: RecordingPolicy.catch('never').parse(q.recordingPolicy),
    recordingRetentionDays: q.recordingRetentionDays,
    recordingNotice: q.recordingNotice,
    alertMaxWaitSec: q.alertMaxWaitSec,
    alertNoReady: q.alertNoReady,
  };
}

function toRow(q: QueueWithLinks, names: Map<string, string>): QueueRow {
  return {
    id: q.id,
    ...fields(q),
    overflowQueueName: q.overflowQueue?.name ?? null,
    scheduleName: q.schedule?.name ?? null,
    members: q._count.members,
    numbers: q.numbers.map((n) => n.e164),
    version: q.version,
    updatedAt: q.updatedAt.getTime(),
    updatedByName: q.updatedBy ? (names.get(q.updatedBy) ?? null) : null,
  };
}

/** The columns of a queue's settings (the two JSON ones typed for Prisma). */
function columns(input: QueueCreate) {
  return { ...input, strategyParams: input.strategyParams as Prisma.InputJsonObject, requiredSkills: input.requiredSkills as Prisma.InputJsonArray };
}

export class QueuesService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly writer: AdminWriter,
    private readonly live: LiveCallsPort,
    log: Logger,
    speech: Speech | null = null,
  ) {
    this.sentences = speech ? new PressOneSentences(writer, speech, log) : null;
  }

  /** the phones' press-1 sentence with each queue's name, made after a save (press-one-clip.ts); null without a synthesiser */
  readonly sentences: PressOneSentences | null;

  async list(q: QueuesQuery): Promise<Page<QueueRow>> {
    const where: Prisma.QueueWhereInput = q.q ? { name: { contains: q.q, mode: 'insensitive' } } : {};
    const [total, rows] = await Promise.all([
      this.prisma.queue.count({ where }),
      this.prisma.queue.findMany({ where, include: QUEUE_INCLUDE, orderBy: [{ [q.sort]: q.dir }, { id: 'asc' }], skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
    ]);
    const names = await editorNames(this.prisma, rows.map((r) => r.updatedBy));
    return { rows: rows.map((r) => toRow(r, names)), total, page: q.page, pageSize: q.pageSize };
  }

  async options(): Promise<QueueOption[]> {
    return this.prisma.queue.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } });
  }

  async get(id: string): Promise<QueueRow> {
    const q = await this.prisma.queue.findUnique({ where: { id }, include: QUEUE_INCLUDE });
    if (!q) throw new AppError('NOT_FOUND', 'no such queue');
    return toRow(q, await editorNames(this.prisma, [q.updatedBy]));
  }

  async create(actor: Actor, input: QueueCreate): Promise<QueueRow> {
    const id = `q-${randomBytes(6).toString('hex')}`;
    await this.writer.write(actor, async (tx) => {
      await assertNameFree(tx, input.name, null);
      await assertOverflow(tx, input, id);
      await assertHoursLinks(tx, input, id);
      await assertClipExists(tx, 'holdAudio', input.holdAudio, null);
      await assertClipExists(tx, 'maxWaitMessage', input.maxWaitMessage, null);
      await assertClipExists(tx, 'closedAudio', input.closedAudio, null);
      await assertClipExists(tx, 'fullAudio', input.fullAudio, null);
      await assertClipExists(tx, 'busyAudio', input.busyAudio, null);
      const created = await tx.queue.create({ data: { ...columns(input), id, updatedBy: actor.id } });
      return { result: null, audit: { action: 'queue.create', entity: 'queue', entityId: id, before: null, after: { id, ...fields(created) } }, change: 'create' };
    });
    this.sentences?.afterSave(actor, id, input, null);
    return this.get(id);
  }

  async update(actor: Actor, id: string, input: QueueUpdate): Promise<QueueRow> {
    const { version, ...rest } = input;
    let previous: { name: string; press1Clip: string | null } | null = null;
    await this.writer.write(actor, async (tx) => {
      const before = await tx.queue.findUnique({ where: { id } });
      if (!before) throw new AppError('NOT_FOUND', 'no such queue');
      await assertNameFree(tx, rest.name, id);
      await assertOverflow(tx, rest, id);
      await assertHoursLinks(tx, rest, id);
      await assertClipExists(tx, 'holdAudio', rest.holdAudio, before.holdAudio);
      await assertClipExists(tx, 'maxWaitMessage', rest.maxWaitMessage, before.maxWaitMessage);
      await assertClipExists(tx, 'closedAudio', rest.closedAudio, before.closedAudio);
      await assertClipExists(tx, 'fullAudio', rest.fullAudio, before.fullAudio);
      await assertClipExists(tx, 'busyAudio', rest.busyAudio, before.busyAudio);
      previous = before;
      const r = await tx.queue.updateMany({
        where: { id, version },
        data: { ...columns(rest), version: { increment: 1 }, updatedAt: new Date(), updatedBy: actor.id },
      });
      await expectUpdated(tx, r.count, () => tx.queue.findUnique({ where: { id } }), 'queue');
      const after = await tx.queue.findUniqueOrThrow({ where: { id } });
      return { result: null, audit: { action: 'queue.update', entity: 'queue', entityId: id, before: { id, ...fields(before) }, after: { id, ...fields(after) } }, change: 'update' };
    });
    this.sentences?.afterSave(actor, id, rest, previous);
    return this.get(id);
  }

  async remove(actor: Actor, id: string, version: number): Promise<void> {
    const waiting = await this.live.waitingInQueue(id);
    if (waiting > 0) throw new AppError('CONFLICT', `${waiting} ${waiting === 1 ? 'caller is' : 'callers are'} waiting in this queue; delete it when it is empty`);
    await this.writer.write(actor, async (tx) => {
      const before = await tx.queue.findUnique({ where: { id }, include: { numbers: { select: { e164: true } } } });
      if (!before) throw new AppError('NOT_FOUND', 'no such queue');
      if (before.version !== version) await expectUpdated(tx, 0, async () => before, 'queue');
      if (before.numbers.length > 0) {
        const list = before.numbers.map((n) => n.e164).join(', ');
        throw new AppError('CONFLICT', `numbers still route to this queue (${list}); give them another queue first`);
      }
      const r = await tx.queue.deleteMany({ where: { id, version } });
      await expectUpdated(tx, r.count, () => tx.queue.findUnique({ where: { id } }), 'queue');
      await dropPressOne(tx, id);
      return { result: null, audit: { action: 'queue.delete', entity: 'queue', entityId: id, before: { id, ...fields(before) }, after: null }, change: 'delete' };
    });
  }
}

async function assertNameFree(tx: Tx, name: string, exceptId: string | null): Promise<void> {
  const other = await tx.queue.findFirst({ where: { name: { equals: name, mode: 'insensitive' } }, select: { id: true } });
  if (other && other.id !== exceptId) throw new AppError('CONFLICT', 'another queue has this name', { name: 'another queue has this name' });
}

async function assertOverflow(tx: Tx, input: QueueCreate, selfId: string): Promise<void> {
  if (input.maxWaitAction !== 'overflow_queue' || !input.overflowQueueId) return;
  if (input.overflowQueueId === selfId) throw new AppError('BAD_REQUEST', 'a queue cannot overflow to itself', { overflowQueueId: 'a queue cannot overflow to itself' });
  const target = await tx.queue.findUnique({ where: { id: input.overflowQueueId }, select: { id: true } });
  if (!target) throw new AppError('BAD_REQUEST', 'the overflow queue does not exist', { overflowQueueId: 'this queue does not exist (any more)' });
}
