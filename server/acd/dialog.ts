import { newBranch } from './sip/builders';
import { SipHeaders, type SipRequest } from './sip/message';
import type { Flow } from './transport/flow';
import type { LocalAddress } from './local-address';

/** Dialog id from the ACD's point of view (RFC 3261 §12). */
export function dialogKey(callId: string, localTag: string, remoteTag: string): string {
  return `${callId}\u0000${localTag}\u0000${remoteTag}`;
}

export interface DialogInit {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** From/To of the ACD's side, without tag (name-addr). */
  localAddr: string;
  remoteAddr: string;
  /** Remote Contact URI: Request-URI of in-dialog requests. */
  remoteTarget: string;
  flow: Flow;
  localSeq: number;
  /** Route set (§12.1): the request's Record-Route as is (UAS) or the response's reversed (UAC). */
  routeSet?: string[];
}

/**
 * One SIP dialog the ACD is in. In-dialog requests always go back over the flow the
 * dialog was made on (over WebSocket the remote target is usually not routable).
 */
export class Dialog {
  localSeq: number;
  readonly key: string;

  constructor(
    readonly d: DialogInit,
    private readonly local: LocalAddress,
  ) {
    this.localSeq = d.localSeq;
    this.key = dialogKey(d.callId, d.localTag, d.remoteTag);
  }

  get callId(): string {
    return this.d.callId;
  }

  get flow(): Flow {
    return this.d.flow;
  }

  /** A new in-dialog request with the next CSeq. */
  request(method: string, extra: Array<[string, string]> = [], body = '', contentType = 'application/sdp'): SipRequest {
    this.localSeq += 1;
    return this.build(method, this.localSeq, extra, body, contentType);
  }

  /** The ACK for a 2xx to our INVITE: same CSeq number, its own branch (§13.2.2.4). */
  ack(inviteSeq: number): SipRequest {
    return this.build('ACK', inviteSeq, [], '', '');
  }

  /** The party came back on a new connection (a device's re-anchor): in-dialog requests go there. */
  moveTo(flow: Flow): void {
    this.d.flow = flow;
  }

  /** The remote target may change with a target refresh (re-INVITE/UPDATE Contact). */
  set remoteTarget(uri: string) {
    this.d.remoteTarget = uri;
  }

  private build(method: string, seq: number, extra: Array<[string, string]>, body: string, contentType: string): SipRequest {
    // §12.2.1.1: loose routing puts the route set in Route and the target in the Request-URI;
    // a strict router (no ;lr) first gets the target as the last Route and its own URI as the Request-URI
    const routes = [...(this.d.routeSet ?? [])];
    let uri = this.d.remoteTarget;
    if (routes.length && !/;lr\b/i.test(routes[0]!)) {
      const first = routes.shift()!;
      uri = /<([^>]*)>/.exec(first)?.[1] ?? first;
      routes.push(`<${this.d.remoteTarget}>`);
    }
    const h = new SipHeaders()
      .append('Via', this.local.via(this.d.flow, newBranch()))
      .append('Max-Forwards', '70')
      .append('From', `${this.d.localAddr};tag=${this.d.localTag}`)
      .append('To', `${this.d.remoteAddr};tag=${this.d.remoteTag}`)
      .append('Call-ID', this.d.callId)
      .append('CSeq', `${seq} ${method}`);
    for (const r of routes) h.append('Route', r);
    if (method !== 'ACK' && method !== 'BYE') h.append('Contact', this.local.contact(this.d.flow));
    for (const [n, v] of extra) h.append(n, v);
    if (body) h.append('Content-Type', contentType);
    return { kind: 'request', method, uri, headers: h, body };
  }
}
