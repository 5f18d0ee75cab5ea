import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { MediaBridge, MediaEndpoint } from '../media/media-engine';
import type { Flow } from '../transport/flow';
import { Leg, type LegCloseHooks } from './leg';

const log = pino({ level: 'silent' });
const flow = {} as Flow;

function hooks(calls: string[]): LegCloseHooks {
  return {
    partyClosed: (leg, bye) => calls.push(`party ${leg.id} bye=${bye}`),
    peerLeft: (peer) => calls.push(`peer ${peer.id}`),
    controlClosed: (leg, cause) => calls.push(`control ${leg.id} ${cause}`),
    closed: (leg) => calls.push(`closed ${leg.id}`),
  };
}

function newLeg(id: string, kind: 'caller' | 'device', h: LegCloseHooks): Leg {
  return new Leg(id, kind, `${id}@test`, flow, { display: null, uri: `sip:${id}@test`, params: new Map() }, log, h);
}

describe('Leg.close', () => {
  it('cascades once, in order: timers, bridge (peer told), media, then the hooks; a second close does nothing', async () => {
    const calls: string[] = [];
    const h = hooks(calls);
    const caller = newLeg('c', 'caller', h);
    const device = newLeg('d', 'device', h);
    caller.transition('confirm');
    const handle: MediaBridge = { unbridge: vi.fn(), finished: () => Promise.resolve() } as unknown as MediaBridge;
    caller.bridge = { peer: device, handle };
    device.bridge = { peer: caller, handle };
    caller.transition('bridge');
    device.transition('bridge');
    const close = vi.fn(() => Promise.resolve());
    device.endpoint = { close } as unknown as MediaEndpoint;
    const timer = vi.fn();
    device.after(10_000, timer);

    expect(device.close('remote-bye', { byeParty: false })).toBe(true);
    expect(device.close('error', { byeParty: true })).toBe(false);
    expect(calls).toEqual(['party d bye=false', 'peer c', 'control d remote-bye', 'closed d']);
    expect(handle.unbridge).toHaveBeenCalledTimes(1);
    expect(close).toHaveBeenCalledTimes(1);
    expect([device.state, device.control, device.endCause, device.bridge, caller.bridge]).toEqual(['ended', 'ended', 'remote-bye', null, null]);
    expect(device.endpoint).toBeNull();
  });

  it('refuses a move its table lacks and keeps its state', () => {
    const leg = newLeg('x', 'device', hooks([]));
    expect(leg.transition('confirm')).toBe(false);
    expect(leg.state).toBe('ringing');
    expect(leg.transition('answer_alone')).toBe(true);
    expect(leg.state).toBe('waiting');
  });

  it('shutdown closes media without signalling', async () => {
    const calls: string[] = [];
    const leg = newLeg('s', 'caller', hooks(calls));
    const close = vi.fn(() => Promise.resolve());
    leg.endpoint = { close } as unknown as MediaEndpoint;
    await leg.shutdown();
    expect([leg.state, calls, close.mock.calls.length]).toEqual(['ended', [], 1]);
  });
});
