import { randomBytes } from 'node:crypto';
import type { PrismaClient } from './generated/client';
import { hashPassword } from './passwords';

/**
 * Demo data for a fresh platform: one admin, two operators, one queue, one number.
 * Idempotent: existing rows are left as they are (and their passwords are not reset).
 * Tests reuse these functions instead of clicking through the UI.
 */
export const DEMO = {
  number: '+15550100',
  queue: { id: 'q-support', name: 'Support' },
  users: [
    { id: 'u-admin', email: 'admin@patchbay.local', name: 'Ada Admin', role: 'ADMIN' as const },
    { id: 'u-op1', email: 'olivia@patchbay.local', name: 'Olivia Operator', role: 'OPERATOR' as const },
    { id: 'u-op2', email: 'oscar@patchbay.local', name: 'Oscar Operator', role: 'OPERATOR' as const },
  ],
} as const;

/** Starting lists for the console's not-ready reasons and wrap-up dispositions (the admin edits them). */
const CODES = [
  { id: 'nr-break', kind: 'not_ready', code: 'break', label: 'Break', position: 1 },
  { id: 'nr-lunch', kind: 'not_ready', code: 'lunch', label: 'Lunch', position: 2 },
  { id: 'nr-training', kind: 'not_ready', code: 'training', label: 'Training', position: 3 },
  { id: 'wd-resolved', kind: 'disposition', code: 'resolved', label: 'Resolved', position: 1 },
  { id: 'wd-callback', kind: 'disposition', code: 'callback', label: 'Call back', position: 2 },
  { id: 'wd-escalated', kind: 'disposition', code: 'escalated', label: 'Escalated', position: 3 },
] as const;

export interface SeedResult {
  /** Users created by this run with their clear passwords (to print once); empty when they existed. */
  created: { email: string; role: string; password: string }[];
}

export async function seedDemo(prisma: PrismaClient, opts: { password?: string | undefined } = {}): Promise<SeedResult> {
  const created: SeedResult['created'] = [];
  for (const u of DEMO.users) {
    const exists = await prisma.user.findUnique({ where: { id: u.id }, select: { id: true } });
    if (exists) continue;
    const password = opts.password ?? randomBytes(9).toString('base64url');
    await prisma.user.create({ data: { ...u, passwordHash: await hashPassword(password) } });
    created.push({ email: u.email, role: u.role, password });
  }
  await prisma.queue.upsert({
    where: { id: DEMO.queue.id },
    update: {},
    create: { id: DEMO.queue.id, name: DEMO.queue.name, ringTimeoutSec: 20, wrapUpSec: 5 },
  });
  for (const u of DEMO.users.filter((x) => x.role === 'OPERATOR')) {
    await prisma.queueMember.upsert({
      where: { queueId_userId: { queueId: DEMO.queue.id, userId: u.id } },
      update: {},
      create: { queueId: DEMO.queue.id, userId: u.id, level: 1 },
    });
  }
  await prisma.number.upsert({
    where: { e164: DEMO.number },
    update: {},
    create: { e164: DEMO.number, queueId: DEMO.queue.id, holdAudio: 'default' },
  });
  for (const c of CODES) await prisma.code.upsert({ where: { id: c.id }, update: {}, create: c });
  return { created };
}
