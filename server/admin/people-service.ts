import { randomBytes } from 'node:crypto';
import type { PeopleQuery, PersonCreate, PersonRow, PersonUpdate, PasswordLink } from '../contracts/admin/people';
import type { Page } from '../contracts/admin/paging';
import { AppError } from '../contracts/result';
import type { Prisma } from '../db/generated/client';
import { hashPassword } from '../db/passwords';
import type { Actor, PrismaClient, Tx } from './admin-tx';
import { AdminWriter, editorNames } from './admin-writer';
import { expectUpdated } from './optimistic-lock';
import type { PasswordService } from './password-service';

/**
 * People: list, create, edit, deactivate. Rules that hold whatever the page sends: an e-mail
 * belongs to one person; memberships name existing queues; the last active admin can be
 * neither demoted nor deactivated (checked under a row lock, so two admins demoting each other
 * at once cannot both succeed); a deactivated person's web sessions end at once.
 */
const PERSON_INCLUDE = {
  skills: { orderBy: { skill: 'asc' } },
  memberships: { include: { queue: { select: { name: true } } }, orderBy: { queue: { name: 'asc' } } },
} satisfies Prisma.UserInclude;
type UserWithLinks = Prisma.UserGetPayload<{ include: typeof PERSON_INCLUDE }>;

function toRow(u: UserWithLinks, names: Map<string, string>): PersonRow {
  return {
    id: u.id,
    name: u.name,
    email: u.email,
    role: u.role,
    active: u.active,
    mustChangePassword: u.mustChangePassword,
    skills: u.skills.map((s) => ({ skill: s.skill, level: s.level })),
    memberships: u.memberships.map((m) => ({ queueId: m.queueId, level: m.level, queueName: m.queue.name })),
    version: u.version,
    updatedAt: u.updatedAt.getTime(),
    updatedByName: u.updatedBy ? (names.get(u.updatedBy) ?? null) : null,
  };
}

/** What the audit shows of a person (no hash). */
function snapshot(u: UserWithLinks): object {
  const { passwordHash: _hash, memberships, skills, createdAt: _c, updatedAt: _u, updatedBy: _b, ...rest } = u;
  return { ...rest, skills: skills.map((s) => `${s.skill}:${s.level}`), memberships: memberships.map((m) => `${m.queue.name}:${m.level}`) };
}

export class PeopleService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly writer: AdminWriter,
    private readonly passwords: PasswordService,
  ) {}

  async list(q: PeopleQuery): Promise<Page<PersonRow>> {
    const where: Prisma.UserWhereInput = {
      ...(q.q ? { OR: [{ name: { contains: q.q, mode: 'insensitive' } }, { email: { contains: q.q, mode: 'insensitive' } }] } : {}),
      ...(q.role ? { role: q.role } : {}),
      ...(q.active ? { active: q.active === 'true' } : {}),
    };
    const [total, users] = await Promise.all([
      this.prisma.user.count({ where }),
      this.prisma.user.findMany({ where, include: PERSON_INCLUDE, orderBy: [{ [q.sort]: q.dir }, { id: 'asc' }], skip: (q.page - 1) * q.pageSize, take: q.pageSize }),
    ]);
    const names = await editorNames(this.prisma, users.map((u) => u.updatedBy));
    return { rows: users.map((u) => toRow(u, names)), total, page: q.page, pageSize: q.pageSize };
  }

  async get(id: string): Promise<PersonRow> {
    const u = await this.prisma.user.findUnique({ where: { id }, include: PERSON_INCLUDE });
    if (!u) throw new AppError('NOT_FOUND', 'no such person');
    return toRow(u, await editorNames(this.prisma, [u.updatedBy]));
  }

  /** Without a password, the answer carries a one-time set-password link (shown once). */
  async create(actor: Actor, input: PersonCreate): Promise<{ person: PersonRow; link: PasswordLink | null }> {
    const id = `u-${randomBytes(6).toString('hex')}`;
    // A random password nobody knows until the link is used: the row always has a valid hash.
    const passwordHash = await hashPassword(input.password ?? randomBytes(24).toString('base64url'));
    const link = await this.writer.write(actor, async (tx) => {
      await this.assertEmailFree(tx, input.email, null);
      await assertQueuesExist(tx, input.memberships);
      await tx.user.create({
        data: {
          id,
          email: input.email,
          name: input.name,
          role: input.role,
          active: input.active,
          mustChangePassword: input.mustChangePassword,
          passwordHash,
          updatedBy: actor.id,
          skills: { create: input.skills },
          memberships: { create: input.memberships },
        },
      });
      const created = await tx.user.findUniqueOrThrow({ where: { id }, include: PERSON_INCLUDE });
      const link = input.password ? null : await this.passwords.issueLink(tx, actor, id);
      return { result: link, audit: { action: 'person.create', entity: 'person', entityId: id, before: null, after: snapshot(created) }, change: 'create' };
    });
    return { person: await this.get(id), link };
  }

  async update(actor: Actor, id: string, input: PersonUpdate): Promise<PersonRow> {
    await this.writer.write(actor, async (tx) => {
      const before = await tx.user.findUnique({ where: { id }, include: PERSON_INCLUDE });
      if (!before) throw new AppError('NOT_FOUND', 'no such person');
      const losesAdmin = before.role === 'ADMIN' && before.active && (input.role !== 'ADMIN' || !input.active);
      if (losesAdmin) await assertAnotherAdmin(tx, id, input.active ? 'role' : 'active');
      await this.assertEmailFree(tx, input.email, id);
      await assertQueuesExist(tx, input.memberships);
      const r = await tx.user.updateMany({
        where: { id, version: input.version },
        data: {
          name: input.name,
          email: input.email,
          role: input.role,
          active: input.active,
          mustChangePassword: input.mustChangePassword,
          version: { increment: 1 },
          updatedAt: new Date(),
          updatedBy: actor.id,
        },
      });
      await expectUpdated(tx, r.count, () => tx.user.findUnique({ where: { id } }), 'person');
      await tx.userSkill.deleteMany({ where: { userId: id } });
      await tx.userSkill.createMany({ data: input.skills.map((s) => ({ ...s, userId: id })) });
      await tx.queueMember.deleteMany({ where: { userId: id } });
      await tx.queueMember.createMany({ data: input.memberships.map((m) => ({ ...m, userId: id })) });
      if (!input.active) {
        // Signs them out of the web at once; a call in progress is the CTI's (LiveCallsPort).
        await tx.session.deleteMany({ where: { userId: id } });
        await tx.passwordToken.deleteMany({ where: { userId: id, usedAt: null } });
      }
      const after = await tx.user.findUniqueOrThrow({ where: { id }, include: PERSON_INCLUDE });
      const action = before.active && !input.active ? 'person.deactivate' : !before.active && input.active ? 'person.reactivate' : 'person.update';
      return { result: null, audit: { action, entity: 'person', entityId: id, before: snapshot(before), after: snapshot(after) }, change: 'update' };
    });
    return this.get(id);
  }

  private async assertEmailFree(tx: Tx, email: string, exceptId: string | null): Promise<void> {
    const other = await tx.user.findUnique({ where: { email }, select: { id: true } });
    if (other && other.id !== exceptId) throw new AppError('CONFLICT', 'someone already has this e-mail address', { email: 'someone already has this e-mail address' });
  }
}

async function assertQueuesExist(tx: Tx, memberships: { queueId: string }[]): Promise<void> {
  if (memberships.length === 0) return;
  const found = new Set((await tx.queue.findMany({ where: { id: { in: memberships.map((m) => m.queueId) } }, select: { id: true } })).map((q) => q.id));
  const i = memberships.findIndex((m) => !found.has(m.queueId));
  if (i >= 0) throw new AppError('BAD_REQUEST', 'a membership names a queue that does not exist', { [`memberships.${i}.queueId`]: 'this queue does not exist (any more)' });
}

/** Locks the active admins' rows, then refuses if `id` is the only one. */
async function assertAnotherAdmin(tx: Tx, id: string, field: 'role' | 'active'): Promise<void> {
  const admins = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "users" WHERE "role" = 'ADMIN' AND "active" = true FOR UPDATE`;
  if (admins.some((a) => a.id !== id)) return;
  const message = field === 'role' ? 'the last admin cannot be given another role; make someone else an admin first' : 'the last admin cannot be deactivated; make someone else an admin first';
  throw new AppError('CONFLICT', message, { [field]: message });
}
