/**
 * The operators' SIP phones for bench/full-flow.ts, in a child process of their own so their
 * CPU is counted apart: one UDP socket per phone (the SIP test client of the ACD's test kit),
 * registered with the credentials the CTI granted the operator. Each phone rings (180) and
 * answers (200, PCMA) at once, and never hangs up: the CTI must release it (BYE) after the
 * caller hangs up. RTP the ACD sends lands in one discard socket.
 */
import dgram from 'node:dgram';
import { tagOf } from '../server/acd/sip/headers';
import type { SipRequest } from '../server/acd/sip/message';
import { SipWsClient } from '../server/acd/test-support/sip-ws-client';

export interface PhoneCreds {
  user: string;
  password: string;
}
export interface PhoneCounters {
  phones: number;
  invites: number;
  reinvites: number;
  byes: number;
  /** dialogs answered and not released yet */
  active: number;
  other: number;
}
export type PhonesRequest = { op: 'register'; phones: PhoneCreds[]; host: string; port: number; domain: string } | { op: 'stats' } | { op: 'stop' };
export type PhonesReply = { op: 'ready' } | { op: 'registered'; ok: number; failed: string[] } | { op: 'stats'; counters: PhoneCounters; cpuUserUs: number; cpuSystemUs: number; rss: number };

const counters: PhoneCounters = { phones: 0, invites: 0, reinvites: 0, byes: 0, active: 0, other: 0 };
const phones: SipWsClient[] = [];
const sink = dgram.createSocket('udp4');
sink.on('message', () => undefined);
await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
const SDP = (seq: number) =>
  ['v=0', `o=- ${seq} 1 IN IP4 127.0.0.1`, 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', `m=audio ${sink.address().port} RTP/AVP 8 101`, 'a=rtpmap:8 PCMA/8000', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', ''].join('\r\n');
let sdpSeq = 1;

function onRequest(ua: SipWsClient, live: Set<string>, req: SipRequest): void {
  const callId = req.headers.get('Call-ID') ?? '';
  switch (req.method) {
    case 'ACK':
      return;
    case 'INVITE':
      if (tagOf(req.headers.get('To'))) {
        counters.reinvites++;
        ua.answer(req, 200, { body: SDP(sdpSeq++) });
        return;
      }
      counters.invites++;
      ua.send(ua.answerProvisional(req, 180));
      ua.answer(req, 200, { body: SDP(sdpSeq++) });
      live.add(callId);
      counters.active++;
      return;
    case 'BYE':
      ua.respond(req, 200);
      if (live.delete(callId)) {
        counters.active--;
        counters.byes++;
      }
      return;
    default:
      counters.other++;
      ua.respond(req, 200);
  }
}

async function runPhone(ua: SipWsClient): Promise<void> {
  const live = new Set<string>();
  for (;;) {
    let m;
    try {
      m = await ua.next(() => true, 3_600_000);
    } catch {
      return; // closed
    }
    ua.received.length = 0; // the test client keeps every message; a phone needs none
    if (m.kind === 'request') onRequest(ua, live, m);
  }
}

async function register(req: Extract<PhonesRequest, { op: 'register' }>): Promise<PhonesReply> {
  const failed: string[] = [];
  let ok = 0;
  const batch = 25;
  for (let i = 0; i < req.phones.length; i += batch) {
    await Promise.all(
      req.phones.slice(i, i + batch).map(async (p) => {
        const ua = await SipWsClient.udp(req.host, req.port, p.user);
        try {
          const r = await ua.register(p.user, req.domain, p.user, p.password, 3600);
          if (r.status !== 200) throw new Error(`REGISTER ${r.status}`);
          ua.received.length = 0;
          phones.push(ua);
          counters.phones++;
          ok++;
          void runPhone(ua);
        } catch (err) {
          failed.push(`${p.user}: ${err instanceof Error ? err.message : String(err)}`);
          await ua.close();
        }
      }),
    );
  }
  return { op: 'registered', ok, failed };
}

const send = (m: PhonesReply) => process.send?.(m);
process.on('message', (req: PhonesRequest) => {
  if (req.op === 'register') void register(req).then(send);
  else if (req.op === 'stats') {
    const cpu = process.cpuUsage();
    send({ op: 'stats', counters: { ...counters }, cpuUserUs: cpu.user, cpuSystemUs: cpu.system, rss: process.memoryUsage().rss });
  } else {
    void Promise.all(phones.map((p) => p.close())).finally(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));
send({ op: 'ready' });
