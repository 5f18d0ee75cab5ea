import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { Acd } from '../acd';
import { MediaNegotiationError, MediaPortsExhaustedError, MediaStateError } from '../media/media-errors';
import type { MediaEndpoint, MediaKind } from '../media/media-engine';
import { SipWsClient } from '../test-support/sip-ws-client';
import { TEST_SDP, TestMediaEngine } from '../test-support/test-media-engine';
import { sipFailureOf } from './sip-status';

describe('failure → SIP status', () => {
  it('maps media out of ports to 503, a refused offer to 488, anything else to the fallback', () => {
    expect(sipFailureOf(new MediaPortsExhaustedError('no free RTP port'), { status: 500 })).toEqual({ status: 503, reason: 'Media Ports Exhausted' });
    expect(sipFailureOf(new MediaNegotiationError('no G.711'), { status: 500 })).toEqual({ status: 488 });
    expect(sipFailureOf(new MediaStateError('closed'), { status: 500 })).toEqual({ status: 500 });
    expect(sipFailureOf(new Error('boom'), { status: 488 })).toEqual({ status: 488 });
  });
});

/** A media engine whose endpoints cannot be made: every port is taken. */
class FullMediaEngine extends TestMediaEngine {
  override createEndpoint(_opts: { legId: string; kind?: MediaKind }): Promise<MediaEndpoint> {
    return Promise.reject(new MediaPortsExhaustedError('no free RTP port in 40000-40010'));
  }
}

describe('an ACD out of media ports', () => {
  let acd: Acd | null = null;
  let caller: SipWsClient | null = null;
  afterEach(async () => {
    await caller?.close();
    await acd?.stop();
  });

  it('answers a caller 503 and holds nothing afterwards', async () => {
    acd = new Acd({
      config: { host: '127.0.0.1', port: 0, domain: 'patchbay.local', secret: 'x'.repeat(40), ringTimeoutDefaultSec: 20 },
      dialPlan: { lookup: (n) => (n === '+15550100' ? { holdAudio: 'queue-music' } : null) },
      media: new FullMediaEngine(),
      logger: pino({ level: 'silent' }),
    });
    await acd.start();
    caller = await SipWsClient.connect(`ws://127.0.0.1:${acd.port}`, 'caller');
    const inv = caller.makeRequest('INVITE', 'sip:+15550100@patchbay.local', { body: TEST_SDP });
    caller.send(inv);
    const res = await caller.response(inv.headers.get('Call-ID')!, 'INVITE');
    expect([res.status, res.reason]).toEqual([503, 'Media Ports Exhausted']);
    expect(acd.legs()).toEqual([]);
  });
});
