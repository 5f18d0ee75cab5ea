import type { PrismaClient } from '../db/generated/client';
import type { CallEventRow, CallRowPatch, CtiStore, MobileStore, NewCallRow, QueueInfo } from './ports/cti-store';

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

  async queueForNumber(e164: string): Promise<QueueInfo | null> {
    const n = await this.prisma.number.findUnique({ where: { e164 }, select: { queueId: true, holdAudio: true } });
    if (!n) return null;
    const q = await this.queue(n.queueId);
    return q ? { ...q, holdAudio: n.holdAudio || q.holdAudio } : null;
  }

  async queue(id: string): Promise<QueueInfo | null> {
    const q = await this.prisma.queue.findUnique({ where: { id }, include: { members: { select: { userId: true, level: true } } } });
    if (!q) return null;
    return {
      id: q.id,
      name: q.name,
      ringTimeoutSec: q.ringTimeoutSec,
      wrapUpSec: q.wrapUpSec,
      maxWaitSec: q.maxWaitSec,
      holdAudio: q.holdAudio,
      members: q.members.map((m) => ({ operatorId: m.userId, level: m.level })),
    };
  }

  async createCall(row: NewCallRow): Promise<void> {
    await this.prisma.call.create({ data: row });
  }

  async updateCall(id: string, patch: CallRowPatch): Promise<void> {
    await this.prisma.call.update({ where: { id }, data: patch });
  }

  async appendCallEvent(ev: CallEventRow): Promise<void> {
    await this.prisma.callEvent.create({
      data: { callId: ev.callId, seq: ev.seq, type: ev.type, at: ev.at, ...(ev.data ? { data: ev.data as object } : {}) },
    });
  }

  async logAgentState(row: { userId: string; from: string; to: string; reason: string; at: Date }): Promise<void> {
    await this.prisma.agentStateLog.create({ data: row });
  }

  async inactiveAmong(userIds: string[]): Promise<string[]> {
    if (userIds.length === 0) return [];
    const active = await this.prisma.user.findMany({ where: { id: { in: userIds }, active: true }, select: { id: true } });
    const ok = new Set(active.map((u) => u.id));
    return userIds.filter((id) => !ok.has(id));
  }

  async operators(): Promise<Array<{ id: string; name: string; lastChangeAt: Date | null }>> {
    const users = await this.prisma.user.findMany({
      where: { role: 'OPERATOR', active: true },
      select: { id: true, name: true, agentStates: { orderBy: { at: 'desc' }, take: 1, select: { at: true } } },
      orderBy: { name: 'asc' },
    });
    return users.map((u) => ({ id: u.id, name: u.name, lastChangeAt: u.agentStates[0]?.at ?? null }));
  }
}
