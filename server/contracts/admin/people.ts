import { z } from 'zod';
import { Role } from '../agent';
import { LoginCredentials } from '../web-api';
import { Level, RowId, Version, listQuery, type ChangeStamp } from './paging';

/** People: the admin's view of users (server/admin/people-service.ts). */
export const SkillLevel = z
  .object({
    skill: z
      .string()
      .trim()
      .min(1, 'name the skill')
      .max(40, 'at most 40 characters')
      .regex(/^[\p{L}\p{N}][\p{L}\p{N} _-]*$/u, 'letters, digits, spaces, dash or underscore'),
    level: Level,
  })
  .strict();

export const Membership = z.object({ queueId: RowId, level: Level }).strict();

function unique<T>(key: (t: T) => string, what: string) {
  return (items: T[], ctx: z.RefinementCtx) => {
    const seen = new Set<string>();
    items.forEach((it, i) => {
      const k = key(it).toLowerCase();
      if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i, what === 'skill' ? 'skill' : 'queueId'], message: `this ${what} is listed twice` });
      seen.add(k);
    });
  };
}

const PersonFields = {
  name: z.string({ error: 'enter a name' }).trim().min(1, 'enter a name').max(100, 'at most 100 characters'),
  // the sign-in form's rule: an address that can be created can be signed in with
  email: LoginCredentials.shape.email,
  role: Role,
  active: z.boolean(),
  mustChangePassword: z.boolean(),
  skills: z.array(SkillLevel).max(50, 'at most 50 skills').superRefine(unique((s: z.infer<typeof SkillLevel>) => s.skill, 'skill')),
  memberships: z.array(Membership).max(100, 'at most 100 queues').superRefine(unique((m: z.infer<typeof Membership>) => m.queueId, 'queue')),
};

export const NewPassword = z.string({ error: 'enter a password' }).min(10, 'at least 10 characters').max(256, 'at most 256 characters');

/** POST /api/admin/people — without a password, the person gets a set-password link instead. */
export const PersonCreate = z.object({ ...PersonFields, password: NewPassword.optional() }).strict();
export type PersonCreate = z.infer<typeof PersonCreate>;

/** PATCH /api/admin/people/:id */
export const PersonUpdate = z.object({ ...PersonFields, version: Version }).strict();
export type PersonUpdate = z.infer<typeof PersonUpdate>;

/** POST /api/admin/people/:id/password — the admin sets a password. */
export const PasswordSet = z.object({ password: NewPassword, mustChangePassword: z.boolean(), version: Version }).strict();
export type PasswordSet = z.infer<typeof PasswordSet>;

/** POST /api/admin/people/:id/password-link — a one-time link, shown once. */
export const PasswordLinkCreate = z.object({}).strict();
export interface PasswordLink {
  /** a path on this site with the token in its fragment (never sent to a server in a Referer or log) */
  path: string;
  expiresAt: number;
}

export const PeopleQuery = listQuery(['name', 'email', 'role', 'active'], 'name').extend({
  role: Role.optional(),
  active: z.enum(['true', 'false']).optional(),
});
export type PeopleQuery = z.infer<typeof PeopleQuery>;

export interface PersonRow extends ChangeStamp {
  id: string;
  name: string;
  email: string;
  role: Role;
  active: boolean;
  mustChangePassword: boolean;
  skills: z.infer<typeof SkillLevel>[];
  memberships: (z.infer<typeof Membership> & { queueName: string })[];
}

/** POST /api/auth/set-password — the person behind a link sets their password. */
export const PasswordLinkUse = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'this link is not valid'), password: NewPassword }).strict();
export type PasswordLinkUse = z.infer<typeof PasswordLinkUse>;

/** POST /api/account/password — a signed-in person changes their own password. */
export const OwnPasswordChange = z
  .object({ currentPassword: z.string().min(1, 'enter your current password').max(256), password: NewPassword })
  .strict()
  .refine((v) => v.currentPassword !== v.password, { path: ['password'], message: 'choose a password different from the current one' });
export type OwnPasswordChange = z.infer<typeof OwnPasswordChange>;
