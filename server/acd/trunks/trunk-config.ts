import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { InboundSources, TrunkSettings, TrunkTransport, trunkRules } from '../../contracts/admin/trunks';
import { E164 } from '../../shared/sip-control';

/**
 * A carrier trunk as the ACD uses it (docs/trunks.md). Loaded from the `trunks` table by
 * DatabaseTrunkDirectory, or given directly in tests. Every row is parsed with this schema:
 * a bad row is skipped and logged, never half-used. Its fields and cross-field rules are the
 * admin portal's (server/contracts/admin/trunks.ts): one set of rules for what is saved and
 * what is loaded.
 */
export { TrunkTransport };

export const TrunkConfig = TrunkSettings.extend({
  id: z.string().min(1),
  /** clear text here (decrypted by the loader) */
  password: z.string().max(256).nullable(),
  inboundSources: InboundSources,
  /** the DIDs this trunk delivers (numbers.trunk_id) */
  dids: z.array(E164),
}).superRefine((t, ctx) => trunkRules(t, t.password !== null && t.password !== '', ctx));
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
