import { createHash, randomBytes } from 'node:crypto';
import type { OwnPasswordChange, PasswordLink, PasswordLinkUse, PasswordSet } from '../contracts/admin/people';
import { AppError } from '../contracts/result';
import { hashPassword, verifyPassword } from '../db/passwords';
import type { Actor, PrismaClient, Tx } from './admin-tx';
import type { AdminWriter } from './admin-writer';
import { expectUpdated } from './optimistic-lock';

/**
 * Passwords: an admin sets one (optionally forcing a change at next sign-in) or issues a
 * one-time link; the person uses the link, or changes their own password when forced to.
 * A link's token is 32 random bytes shown once; only its SHA-256 is stored. Issuing a new link
 * voids the person's older unused ones; using one voids the rest and ends their sessions.
 */
export const LINK_TTL_MS = 72 * 3600_000;

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const CHANGED = { password: 'changed' } as const;

export class PasswordService {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly writer: AdminWriter,
    private readonly now: () => number = Date.now,
  ) {}

  /** Inside a write: a fresh link for `userId`. */
  async issueLink(tx: Tx, actor: Actor, userId: string): Promise<PasswordLink> {
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now() + LINK_TTL_MS);
    await tx.passwordToken.deleteMany({ where: { userId, usedAt: null } });
    await tx.passwordToken.create({ data: { id: digest(token), userId, createdBy: actor.id, expiresAt } });
    return { path: `/set-password#token=${token}`, expiresAt: expiresAt.getTime() };
  }

  async createLink(actor: Actor, userId: string): Promise<PasswordLink> {
    return this.writer.write(actor, async (tx) => {
      const user = await tx.user.findUnique({ where: { id: userId }, select: { active: true } });
      if (!user) throw new AppError('NOT_FOUND', 'no such person');
      if (!user.active) throw new AppError('CONFLICT', 'reactivate this person before sending a link');
      const link = await this.issueLink(tx, actor, userId);
      return { result: link, audit: { action: 'person.password-link', entity: 'person', entityId: userId, before: null, after: { expiresAt: new Date(link.expiresAt) } }, change: 'update' };
    });
  }

  async set(actor: Actor, userId: string, input: PasswordSet): Promise<{ version: number }> {
    const passwordHash = await hashPassword(input.password);
    return this.writer.write(actor, async (tx) => {
      const r = await tx.user.updateMany({
        where: { id: userId, version: input.version },
        data: { passwordHash, mustChangePassword: input.mustChangePassword, version: { increment: 1 }, updatedAt: new Date(this.now()), updatedBy: actor.id },
      });
      await expectUpdated(tx, r.count, () => tx.user.findUnique({ where: { id: userId } }), 'person');
      await tx.passwordToken.deleteMany({ where: { userId, usedAt: null } });
      const { version } = await tx.user.findUniqueOrThrow({ where: { id: userId }, select: { version: true } });
      return {
        result: { version },
        audit: { action: 'person.password-set', entity: 'person', entityId: userId, before: null, after: { ...CHANGED, mustChangePassword: input.mustChangePassword } },
        change: 'update',
      };
    });
  }

  /** The person behind a link sets their password; the answer names them for the sign-in page. */
  async useLink(input: PasswordLinkUse): Promise<{ email: string }> {
    const passwordHash = await hashPassword(input.password);
    const id = digest(input.token);
    const row = await this.prisma.passwordToken.findUnique({ where: { id }, include: { user: { select: { id: true, name: true, email: true, active: true } } } });
    const expired = 'this link has expired or was already used; ask your admin for a new one';
    if (!row || row.usedAt || row.expiresAt.getTime() <= this.now() || !row.user.active) throw new AppError('BAD_REQUEST', expired, { token: expired });
    const actor = { id: row.user.id, name: row.user.name };
    await this.writer.write(actor, async (tx) => {
      // Conditional on "unused", so two tabs using one link cannot both succeed.
      const used = await tx.passwordToken.updateMany({ where: { id, usedAt: null }, data: { usedAt: new Date(this.now()) } });
      if (used.count !== 1) throw new AppError('BAD_REQUEST', expired, { token: expired });
      await tx.passwordToken.deleteMany({ where: { userId: actor.id, usedAt: null } });
      await tx.session.deleteMany({ where: { userId: actor.id } });
      await this.writeOwnPassword(tx, actor.id, passwordHash);
      return { result: null, audit: { action: 'person.password-link-used', entity: 'person', entityId: actor.id, before: null, after: CHANGED }, change: 'update' };
    });
    return { email: row.user.email };
  }

  /** A signed-in person changes their own password (also how a forced change is done). */
  async changeOwn(actor: Actor, input: OwnPasswordChange): Promise<void> {
    const user = await this.prisma.user.findUnique({ where: { id: actor.id }, select: { passwordHash: true } });
    if (!user || !(await verifyPassword(user.passwordHash, input.currentPassword))) {
      throw new AppError('BAD_REQUEST', 'the current password is not right', { currentPassword: 'the current password is not right' });
    }
    const passwordHash = await hashPassword(input.password);
    await this.writer.write(actor, async (tx) => {
      await this.writeOwnPassword(tx, actor.id, passwordHash);
      return { result: null, audit: { action: 'person.password-change', entity: 'person', entityId: actor.id, before: null, after: CHANGED }, change: 'update' };
    });
  }

  private async writeOwnPassword(tx: Tx, userId: string, passwordHash: string): Promise<void> {
    await tx.user.update({ where: { id: userId }, data: { passwordHash, mustChangePassword: false, version: { increment: 1 }, updatedAt: new Date(this.now()), updatedBy: userId } });
  }
}
