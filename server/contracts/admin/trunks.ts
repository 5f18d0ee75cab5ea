import { z } from 'zod';
import { E164Number, Version, listQuery, type ChangeStamp } from './paging';

/**
 * Carrier trunks (docs/trunks.md): the one set of field rules, shared by the portal's form, the
 * admin API and the ACD's loader (server/acd/trunks/trunk-config.ts builds its TrunkConfig on
 * these), so a trunk the portal accepts is one the ACD loads. Browser-safe: the address checks
 * are zod's own (no node:net). The password is write-only: it goes in, never comes back out.
 */
export const TrunkTransport = z.enum(['udp', 'tcp', 'tls'], { error: 'choose UDP, TCP or TLS' });
export type TrunkTransport = z.infer<typeof TrunkTransport>;
export const CallerIdMode = z.enum(['fixed', 'pass'], { error: 'choose how the caller-ID is presented' });
export type CallerIdMode = z.infer<typeof CallerIdMode>;

export const TrunkName = z
  .string({ error: 'enter a name' })
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a trunk name: letters, digits, dot, dash, underscore (at most 64)');

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();
const hostname = z.hostname();

/** An IPv4 or IPv6 address literal (IPv6 without brackets). */
export function isIpLiteral(s: string): boolean {
  return ipv4.safeParse(s).success || ipv6.safeParse(s).success;
}

/** A DNS name (RFC 1123 labels) — a name whose last label is all digits must be a valid IPv4 instead. */
export function isHostName(s: string): boolean {
  if (!hostname.safeParse(s).success || s.length > 253) return false;
  return !/^\d+$/.test(s.split('.').at(-1) ?? '');
}

export const TrunkHost = z
  .string({ error: 'enter the carrier’s host name or IP address' })
  .trim()
  .min(1, 'enter the carrier’s host name or IP address')
  .refine((s) => isHostName(s) || isIpLiteral(s), 'this is neither a host name nor an IP address: check it for typos');

export const TrunkPort = z.number({ error: 'a port from 1 to 65535' }).int('a port from 1 to 65535').min(1, 'a port from 1 to 65535').max(65535, 'a port from 1 to 65535');
export const RegisterExpiry = z.number({ error: 'seconds, from 60 to 86400' }).int('whole seconds').min(60, 'at least 60 seconds').max(86_400, 'at most 86400 seconds (a day)');

/** An IPv4/IPv6 address or CIDR block, e.g. 203.0.113.0/24 or 2001:db8::/32. */
export function isSourceEntry(s: string): boolean {
  return isIpLiteral(s) || z.cidrv4().safeParse(s).success || z.cidrv6().safeParse(s).success;
}

/** The carrier's source addresses; a bad entry's message names it (the form edits them as one text). */
export const InboundSources = z
  .array(z.string().trim())
  .max(50, 'at most 50 addresses')
  .superRefine((list, ctx) => {
    const bad = list.find((s) => !isSourceEntry(s));
    if (bad !== undefined) ctx.addIssue({ code: 'custom', message: `“${bad}” is not an IP address or CIDR block (e.g. 203.0.113.0/24)` });
  });

const optionalText = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what}: at most ${max} characters`)
    .nullable()
    .transform((s) => (s === '' ? null : s));

/** Everything of a trunk but its id, its password and its DIDs (the numbers that name it). */
export const TrunkSettings = z
  .object({
    name: TrunkName,
    host: TrunkHost,
    port: TrunkPort,
    transport: TrunkTransport,
    username: optionalText(128, 'user name'),
    realm: optionalText(253, 'realm'),
    register: z.boolean(),
    registerExpirySec: RegisterExpiry,
    inboundSources: InboundSources,
    inboundDigest: z.boolean(),
    outbound: z.boolean(),
    callerIdMode: CallerIdMode,
    callerIdE164: E164Number.nullable().or(z.literal('').transform(() => null)),
    assertIdentity: z.boolean(),
    privacy: z.boolean(),
    enabled: z.boolean(),
  })
  .strict();
export type TrunkSettings = z.infer<typeof TrunkSettings>;

/** The password as typed: '' means none (create) or keep the stored one (edit). */
export const TrunkPassword = z.string().max(256, 'at most 256 characters');

/** Rules across fields; `hasPassword` is whether the trunk will have one after this save. */
export function trunkRules(v: Pick<TrunkSettings, 'callerIdMode' | 'callerIdE164' | 'register' | 'inboundDigest' | 'username'>, hasPassword: boolean, ctx: z.RefinementCtx): void {
  if (v.callerIdMode === 'fixed' && !v.callerIdE164) ctx.addIssue({ code: 'custom', path: ['callerIdE164'], message: 'a fixed caller-ID needs the number to present' });
  for (const [flag, what] of [
    ['register', 'registration'],
    ['inboundDigest', 'challenging the carrier'],
  ] as const) {
    if (!v[flag]) continue;
    if (!v.username) ctx.addIssue({ code: 'custom', path: ['username'], message: `${what} needs the user name the carrier gave you` });
    if (!hasPassword) ctx.addIssue({ code: 'custom', path: ['password'], message: `${what} needs the password the carrier gave you` });
  }
}

/** A new trunk's settings (the columns' defaults): the form starts from them. */
export const NEW_TRUNK: TrunkSettings = {
  name: '',
  host: '',
  port: 5060,
  transport: 'udp',
  username: null,
  realm: null,
  register: false,
  registerExpirySec: 600,
  inboundSources: [],
  inboundDigest: false,
  outbound: true,
  callerIdMode: 'fixed',
  callerIdE164: null,
  assertIdentity: true,
  privacy: false,
  enabled: true,
};

/** POST /api/admin/trunks */
export const TrunkCreate = TrunkSettings.extend({ password: TrunkPassword }).superRefine((v, ctx) => trunkRules(v, v.password !== '', ctx));
export type TrunkCreate = z.infer<typeof TrunkCreate>;

/**
 * PATCH /api/admin/trunks/:id — `password` '' keeps the stored one, `clearPassword` removes it.
 * The cross-field rules need the stored password too, so the service checks them (trunkRules).
 */
export const TrunkUpdate = TrunkSettings.extend({ password: TrunkPassword, clearPassword: z.boolean().default(false), version: Version });
export type TrunkUpdate = z.infer<typeof TrunkUpdate>;

export const TrunksQuery = listQuery(['name', 'host', 'transport'], 'name');
export type TrunksQuery = z.infer<typeof TrunksQuery>;

export interface TrunkRow extends ChangeStamp, TrunkSettings {
  id: string;
  /** whether a password is stored; the password itself never leaves the server */
  passwordSet: boolean;
  /** the DIDs that arrive through this trunk */
  numbers: string[];
}

/** The ACD's live view of one trunk (GET /api/admin/trunk-status); no secrets. */
export interface TrunkLiveStatus {
  id: string;
  name: string;
  /** the ACD has this trunk loaded (a row it refused, or not loaded yet, is absent) */
  registration: {
    state: 'off' | 'registering' | 'registered' | 'failed';
    lastStatus: number | null;
    expiresAt: number | null;
    nextAttemptAt: number | null;
    failures: number;
  } | null;
}

export interface TrunkStatusAnswer {
  /** ms since epoch on the server, to count "renews in" against */
  now: number;
  trunks: TrunkLiveStatus[];
  /** true: the switch runs in another process than the portal (docs/deploy.md), its live state is not known here */
  elsewhere: boolean;
}
