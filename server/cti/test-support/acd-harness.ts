import { Acd } from '../../acd/acd';
import { TestMediaEngine, TEST_SDP } from '../../acd/test-support/test-media-engine';
import { SipWsClient } from '../../acd/test-support/sip-ws-client';
import type { SipRequest, SipResponse } from '../../acd/sip/message';
import type { Logger } from '../../log';
import { issueDeviceCredentials } from '../../shared/credentials';
import { placeCall as answeredCall } from '../../test-support/sip-peers';

export const DOMAIN = 'patchbay.local';
export const SECRET = 'integration-secret-'.padEnd(40, 'x');
export const NUMBER = '+15550100';

/** A real ACD on an ephemeral loopback port, with the ACD's media test double (media is not the CTI's concern). */
export async function startAcd(logger: Logger): Promise<{ acd: Acd; media: TestMediaEngine; wsUrl: string }> {
  const media = new TestMediaEngine();
  const acd = new Acd({
    config: { host: '127.0.0.1', port: 0, domain: DOMAIN, secret: SECRET, ringTimeoutDefaultSec: 20 },
    dialPlan: { lookup: (e164) => (e164 === NUMBER ? { holdAudio: 'default' } : null) },
    media,
    logger,
  });
  await acd.start();
  return { acd, media, wsUrl: `ws://127.0.0.1:${acd.port}` };
}

/** A browser-like device: registers with CTI-issued credentials (raw SIP client of the ACD's test support). */
export async function registeredDevice(wsUrl: string): Promise<{ client: SipWsClient; uri: string; user: string }> {
  const cred = issueDeviceCredentials(SECRET, 600);
  const client = await SipWsClient.connect(wsUrl, cred.user);
  const res = await client.register(cred.user, DOMAIN, cred.user, cred.password);
  if (res.status !== 200) throw new Error(`device REGISTER answered ${res.status}`);
  return { client, uri: `sip:${cred.user}@${DOMAIN}`, user: cred.user };
}

/** A caller dialling the served number; resolves once the ACD answered and was ACKed. */
export async function placeCall(wsUrl: string): Promise<{ client: SipWsClient; hangUp: () => Promise<SipResponse> }> {
  const client = await SipWsClient.connect(wsUrl, 'carla');
  const { ok, dialog } = await answeredCall(client, `sip:${NUMBER}@${DOMAIN}`, TEST_SDP, { from: '"Carla Caller" <sip:carla@test.invalid>' });
  if (ok.status !== 200) throw new Error(`caller INVITE answered ${ok.status}`);
  return {
    client,
    hangUp: async () => {
      const bye = client.inDialog('BYE', dialog);
      client.send(bye);
      return client.response(dialog.callId, 'BYE');
    },
  };
}

export type { SipRequest };
