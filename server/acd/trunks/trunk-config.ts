import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { E164 } from '../../shared/sip-control';

/**
 * A carrier trunk as the ACD uses it (docs/trunks.md). Loaded from the `trunks` table by
 * DatabaseTrunkDirectory, or given directly in tests. Every row is parsed with this schema:
 * a bad row is skipped and logged, never half-used.
 */
export const TrunkTransport = z.enum(['udp', 'tcp', 'tls']);
export type TrunkTransport = z.infer<typeof TrunkTransport>;

/** An IPv4/IPv6 address or CIDR block. */
export const SourceCidr = z.string().refine((s) => parseCidr(s) !== null, 'an IP address or CIDR block');

export const TrunkConfig = z
  .object({
    id: z.string().min(1),
    name: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'a trunk name is letters, digits, . _ -'),
    host: z.string().min(1).max(253),
    port: z.number().int().min(1).max(65535),
    transport: TrunkTransport,
    username: z.string().min(1).max(128).nullable(),
    /** clear text here (decrypted by the loader) */
    password: z.string().max(256).nullable(),
    realm: z.string().max(253).nullable(),
    register: z.boolean(),
    registerExpirySec: z.number().int().min(60).max(86_400),
    inboundSources: z.array(SourceCidr),
    inboundDigest: z.boolean(),
    outbound: z.boolean(),
    callerIdMode: z.enum(['fixed', 'pass']),
    callerIdE164: E164.nullable(),
    assertIdentity: z.boolean(),
    privacy: z.boolean(),
    enabled: z.boolean(),
    /** the DIDs this trunk delivers (numbers.trunk_id) */
    dids: z.array(E164),
  })
  .strict()
  .refine((t) => t.callerIdMode !== 'fixed' || t.callerIdE164 !== null, { message: 'a fixed caller-ID needs caller_id_e164', path: ['callerIdE164'] })
  .refine((t) => !t.register || (t.username !== null && t.password !== null), { message: 'registration needs username and password', path: ['register'] })
  .refine((t) => !t.inboundDigest || (t.username !== null && t.password !== null), { message: 'inbound digest needs username and password', path: ['inboundDigest'] });
export type TrunkConfig = z.infer<typeof TrunkConfig>;

export function parseCidr(s: string): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | null {
  const [addr, bits, ...rest] = s.trim().split('/');
  if (rest.length || !addr) return null;
  const v = isIP(addr);
  if (v === 0) return null;
  const max = v === 4 ? 32 : 128;
  const prefix = bits === undefined ? max : /^\d{1,3}$/.test(bits) ? Number(bits) : -1;
  if (prefix < 0 || prefix > max) return null;
  return { address: addr, prefix, family: v === 4 ? 'ipv4' : 'ipv6' };
}

/** The set of source addresses of one trunk (node's BlockList does the CIDR maths). */
export function sourceMatcher(cidrs: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const c of cidrs) {
    const p = parseCidr(c);
    if (p) list.addSubnet(p.address, p.prefix, p.family);
  }
  return (address: string) => {
    // IPv4-mapped IPv6 (::ffff:a.b.c.d) as a dual-stack socket reports it
    const a = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
    const v = isIP(a);
    if (v === 0) return false;
    return list.check(a, v === 4 ? 'ipv4' : 'ipv6');
  };
}
