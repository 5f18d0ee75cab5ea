import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { parseReachNotice } from '../shared/sip-reach';
import { LocalAddress } from './local-address';
import { ReachNotices } from './reach-notices';
import type { Binding } from './registrar';
import type { SipRequest } from './sip/message';
import type { Flow } from './transport/flow';

function flow(id: string): Flow {
  return { id, transport: 'WS', reliable: true, remoteAddress: '127.0.0.1', remotePort: 1, localPort: 5062, closed: false, send: () => true, close: () => {} };
}

function routeBinding(user: string, node: string | null): Binding {
  return { aor: 'route', contact: `sip:${user}@bank.invalid`, flow: flow(user), authUser: user, expiresAt: Infinity, callId: user, registeredAt: 0, node, path: [] };
}

function setup(bindings: Binding[]) {
  const sent: Array<{ to: string; req: SipRequest }> = [];
  const notices = new ReachNotices({
    domain: 'patchbay.local',
    registrar: { routeBindings: () => bindings, reachableDevices: () => ['dev-a'] },
    clientTx: {
      send: (req, f) => {
        sent.push({ to: f.id, req });
        return {} as never;
      },
    },
    local: new LocalAddress(() => '127.0.0.1'),
    logger: pino({ level: 'silent' }),
    running: () => true,
  });
  const body = (i: number) => {
    const r = parseReachNotice(sent[i]!.req.headers.get('Content-Type') ?? undefined, sent[i]!.req.body);
    if (!r.ok) throw new Error(r.message);
    return r.value;
  };
  return { notices, sent, body };
}

describe('ReachNotices', () => {
  it('tells one bank UA of each CTI node of a change, rotating within a node', () => {
    const { notices, sent, body } = setup([routeBinding('a1', 'cti-a'), routeBinding('a2', 'cti-a'), routeBinding('b1', 'cti-b')]);
    notices.deviceChanged('dev-x', true);
    expect(sent.map((s) => s.to)).toEqual(['a1', 'b1']);
    expect(body(0)).toEqual(body(1));
    expect(body(0)).toMatchObject({ state: 'partial', devices: [{ aor: 'dev-x', state: 'active' }] });
    notices.deviceChanged('dev-x', false);
    expect(sent.map((s) => s.to)).toEqual(['a1', 'b1', 'a2', 'b1']);
    expect(body(2)).toMatchObject({ devices: [{ aor: 'dev-x', state: 'terminated' }] });
    expect(body(2).version).toBeGreaterThan(body(0).version);
  });

  it('treats bank UAs that name no node as one node', () => {
    const { notices, sent } = setup([routeBinding('u1', null), routeBinding('u2', null)]);
    notices.deviceChanged('dev-x', true);
    notices.deviceChanged('dev-y', true);
    expect(sent.map((s) => s.to)).toEqual(['u1', 'u2']);
  });

  it('sends nothing with no bank registered, and the full state to a bank UA that registers', () => {
    const bindings: Binding[] = [];
    const { notices, sent, body } = setup(bindings);
    notices.deviceChanged('dev-x', true);
    expect(sent).toEqual([]);
    const b = routeBinding('a1', 'cti-a');
    notices.routeRegistered(b);
    expect(sent.map((s) => s.to)).toEqual(['a1']);
    expect(body(0)).toMatchObject({ state: 'full', devices: [{ aor: 'dev-a', state: 'active' }] });
  });
});
