import { E164 } from '../../shared/sip-control';
import { formatNameAddr, parseUri, type NameAddr } from '../sip/headers';
import { e164Target } from './tel-target';
import type { TrunkConfig } from './trunk-config';

/**
 * The identity an outbound call presents to the carrier (docs/trunks.md, "Caller-ID"):
 * `fixed` presents the trunk's number; `pass` presents the caller's own E.164 when it has one
 * (else the fixed number, else anonymous). With `assertIdentity` the number also goes in
 * P-Asserted-Identity (RFC 3325, for a carrier that trusts us); with `privacy` the From is
 * anonymous and `Privacy: id` asks the carrier to withhold the asserted number.
 */
export interface OutboundIdentity {
  /** From header value without tag */
  from: string;
  headers: Array<[string, string]>;
  /** the number presented, or null when anonymous */
  presented: string | null;
}

export function outboundIdentity(trunk: TrunkConfig, caller: NameAddr | null): OutboundIdentity {
  const callerUri = caller ? parseUri(caller.uri) : null;
  const callerE164 = callerUri ? e164Target(callerUri) : null;
  const number = trunk.callerIdMode === 'pass' ? (callerE164 ?? trunk.callerIdE164) : trunk.callerIdE164;
  const presented = number !== null && E164.safeParse(number).success ? number : null;
  const headers: Array<[string, string]> = [];
  const hostPart = trunk.realm ?? trunk.host;
  if (presented === null || trunk.privacy) {
    if (presented !== null && trunk.assertIdentity) headers.push(['P-Asserted-Identity', `<sip:${presented}@${hostPart};user=phone>`]);
    headers.push(['Privacy', 'id']);
    return { from: '"Anonymous" <sip:anonymous@anonymous.invalid>', headers, presented: null };
  }
  if (trunk.assertIdentity) headers.push(['P-Asserted-Identity', `<sip:${presented}@${hostPart};user=phone>`]);
  const display = trunk.callerIdMode === 'pass' && caller?.display ? caller.display : null;
  const from: NameAddr = { display, uri: `sip:${presented}@${hostPart};user=phone`, params: new Map() };
  return { from: formatNameAddr(from), headers, presented };
}
