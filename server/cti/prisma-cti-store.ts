import { PRESS1_BUILT_IN } from '../shared/press-one-prompt';
import { RecordingPolicy } from '../contracts/admin/recordings';
import { Announce, CallbackDigit, ROUTING_DEFAULTS, RequiredSkill, Strategy, StrategyParams } from '../contracts/admin/queues';
import type { Holiday, WeeklyInterval } from '../contracts/admin/schedules';
import type { Prisma, PrismaClient } from '../db/generated/client';
import { holdAudioOf } from '../shared/hold-audio';
import { journalStatements } from './journal-sql';
import { loadCallFacts } from './call-facts-query';
import { loadOpenCalls } from './open-calls-query';
import type { CallFacts } from './domain/queue-figures';
import type { CodeEntry, CtiStore, Diversion, HoursRule, JournalBatch, MobileStore, OpenCall, PastCallRow, QueueInfo, RoutingSnapshot, StoredSchedule } from './ports/cti-store';

type HoursColumns = { scheduleId: string | null; closedAudio: string | null; closedAction: string; closedQueueId: string | null; closedNumber: string | null };
const ACTIONS: ReadonlyArray<Diversion['action']> = ['release', 'overflow_queue', 'overflow_number'];
const action = (a: string): Diversion['action'] => (ACTIONS as readonly string[]).includes(a) ? (a as Diversion['action']) : 'release';
const hoursOf = (r: HoursColumns): HoursRule => ({ scheduleId: r.scheduleId, closed: { action: action(r.closedAction), audio: r.closedAudio, queueId: r.closedQueueId, number: r.closedNumber } });
const HOURS_SELECT = { scheduleId: true, closedAudio: true, closedAction: true, closedQueueId: true, closedNumber: true } as const;
const QUEUE_INCLUDE = { members: { select: { userId: true, level: true, user: { select: { skills: { select: { skill: true, level: true } } } } } } } as const;
type QueueWithMembers = Prisma.QueueGetPayload<{ include: typeof QUEUE_INCLUDE }>;

/** The CTI store over Prisma (PGlite embedded or PostgreSQL: same SQL). */
export class PrismaCtiStore implements CtiStore, MobileStore {
  constructor(private readonly prisma: PrismaClient) {}

  async mobileOf(userId: string): Promise<{ e164: string | null; verifiedAt: Date | null }> {
    const u = await this.prisma.user.findUnique({ where: { id: userId }, select: { mobileE164: true, mobileVerifiedAt: true } });
    return { e164: u?.mobileE164 ?? null, verifiedAt: u?.mobileVerifiedAt ?? null };
  }

  async setMobile(userId: string, e164: string, verifiedAt: Date | null): Promise<void> {
    await this.prisma.user.update({ where: { id: userId }, data: { mobileE164: e164, mobileVerifiedAt: verifiedAt } });
  }

  async routingSnapshot(): Promise<RoutingSnapshot> {
    const [numbers, queues] = await Promise.all([
      this.prisma.number.findMany({ select: { e164: true, queueId: true, holdAudio: true, priority: true, ...HOURS_SELECT } }),
      this.prisma.queue.findMany({ include: QUEUE_INCLUDE }),
    ]);
    return { numbers: numbers.map((n) => ({ e164: n.e164, queueId: n.queueId, holdAudio: n.holdAudio, hours: hoursOf(n), priority: n.priority })), queues: queues.map(queueInfo) };
  }

  async queueForNumber(e164: string): Promise<QueueInfo | null> {
    const n = await this.prisma.number.findUnique({ where: { e164 }, select: { queue: { include: QUEUE_INCLUDE }, holdAudio: true, priority: true, ...HOURS_SELECT } });
    if (!n) return null;
    const q = queueInfo(n.queue);
    return { ...q, holdAudio: holdAudioOf(n.holdAudio, q.holdAudio), numberHours: hoursOf(n), callPriority: n.priority };
  }

  async schedules(): Promise<StoredSchedule[]> {
    const rows = await this.prisma.schedule.findMany({ orderBy: { id: 'asc' } });
    return rows.map((s) => ({ id: s.id, name: s.name, timeZone: s.timeZone, weekly: (s.weekly ?? []) as WeeklyInterval[], holidays: (s.holidays ?? []) as Holiday[] }));
  }

  async writeJournal(batch: JournalBatch): Promise<void> {
    const statements = journalStatements(batch);
    if (statements.length === 0) return;
    await this.prisma.$transaction(statements.map((st) => this.prisma.$executeRawUnsafe(st.sql, ...st.params)));
  }

  async ping(): Promise<void> {
    await this.prisma.$queryRawUnsafe('SELECT 1');
  }

  async activeCodes(): Promise<CodeEntry[]> {
    const rows = await this.prisma.code.findMany({ where: { active: true }, orderBy: [{ position: 'asc' }, { code: 'asc' }], select: { kind: true, code: true, label: true } });
    return rows.filter((r): r is CodeEntry => r.kind === 'not_ready' || r.kind === 'disposition');
  }

  async callsFrom(callerNumber: string, exceptCallId: string, limit: number): Promise<PastCallRow[]> {
    const rows = await this.prisma.call.findMany({
      where: { callerNumber, id: { not: exceptCallId } },
      orderBy: { arrivedAt: 'desc' },
      take: limit,
      select: {
        id: true,
        arrivedAt: true,
        answeredAt: true,
        endedAt: true,
        outcome: true,
        endedBy: true,
        dispositionCode: true,
        notes: true,
        queue: { select: { name: true } },
        operator: { select: { name: true } },
      },
    });
    return rows.map(({ queue, operator, ...r }) => ({ ...r, queueName: queue?.name ?? null, operatorName: operator?.name ?? null }));
  }

  async inactiveAmong(userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const active = await this.prisma.user.findMany({ where: { id: { in: userIds }, active: true }, select: { id: true } });
    const ok = new Set(active.map((u) => u.id));
    return userIds.filter((id) => !ok.has(id));
  }

  async dialPrefixes(): Promise<string[]> {
    return (await this.prisma.dialPrefix.findMany({ select: { prefix: true } })).map((r) => r.prefix);
  }

  async operators(): Promise<Array<{ id: string; name: string; lastChangeAt: Date | null }>> {
    const users = await this.prisma.user.findMany({
      where: { role: 'OPERATOR', active: true },
      select: { id: true, name: true, agentStates: { orderBy: { at: 'desc' }, take: 1, select: { at: true } } },
      orderBy: { name: 'asc' },
    });
    return users.map((u) => ({ id: u.id, name: u.name, lastChangeAt: u.agentStates[0]?.at ?? null }));
  }

  async queues(): Promise<Array<{ id: string; name: string }>> {
    return this.prisma.queue.findMany({ select: { id: true, name: true }, orderBy: { name: 'asc' } });
  }

  callFacts(start: Date, end: Date): Promise<CallFacts[]> {
    return loadCallFacts(this.prisma, start, end);
  }

  openCalls(): Promise<OpenCall[]> {
    return loadOpenCalls(this.prisma);
  }

  async hasOutboundTrunk(): Promise<boolean> {
    return (await this.prisma.trunk.count({ where: { enabled: true, outbound: true } })) > 0;
  }
}

function queueInfo(q: QueueWithMembers): QueueInfo {
  // The admin API validated these on the way in; a row written otherwise routes with the defaults.
  const strategy = Strategy.safeParse(q.strategy);
  const parsed = StrategyParams.safeParse(q.strategyParams);
  const params = { ...ROUTING_DEFAULTS, ...(parsed.success ? parsed.data : {}) };
  const skills = RequiredSkill.array().safeParse(q.requiredSkills);
  return {
    id: q.id,
    name: q.name,
    ringTimeoutSec: q.ringTimeoutSec,
    wrapUpSec: q.wrapUpSec,
    maxWaitSec: q.maxWaitSec,
    holdAudio: q.holdAudio,
    recordingPolicy: RecordingPolicy.catch('never').parse(q.recordingPolicy),
    recordingNotice: q.recordingNotice,
    priority: q.priority,
    params,
    routing: {
      id: q.id,
      strategy: strategy.success ? strategy.data : 'longest-idle',
      tieBreaker: params.tieBreaker,
      tierWaitSec: params.tierWaitSec,
      requiredSkills: skills.success ? skills.data : [],
      members: q.members.map((m) => ({ operatorId: m.userId, level: m.level, skills: new Map(m.user.skills.map((s) => [s.skill, s.level])) })),
    },
    maxWait: { action: action(q.maxWaitAction), audio: q.maxWaitMessage, queueId: q.overflowQueueId, number: q.overflowNumber },
    maxCallers: q.maxCallers,
    full: { action: action(q.maxWaitAction), audio: q.fullAudio, queueId: q.overflowQueueId, number: q.overflowNumber },
    overflowWhenEmpty: q.overflowWhenEmpty,
    announce: Announce.catch('none').parse(q.announce),
    announceEverySec: q.announceEverySec,
    callbackDigit: CallbackDigit.nullable().catch(null).parse(q.callbackDigit),
    pressOne: { mobile: q.press1Mobile, sipPhone: q.press1SipPhone, timeoutSec: q.press1TimeoutSec, clip: q.press1Clip ?? PRESS1_BUILT_IN },
    callback: { tries: q.callbackTries, retrySec: q.callbackRetrySec, expiryMin: q.callbackExpiryMin },
    hours: hoursOf(q),
    screenPopUrl: q.screenPopUrl,
    board: { slTargetPct: q.slTargetPct, slThresholdSec: q.slThresholdSec, alerts: { maxWaitSec: q.alertMaxWaitSec, noReady: q.alertNoReady } },
  };
}
