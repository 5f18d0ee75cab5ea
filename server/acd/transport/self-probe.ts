import dgram from 'node:dgram';
import { isIP } from 'node:net';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { newBranch, randomToken } from '../sip/builders';
import type { SipTransport, TransportProtocol } from './flow';

/** What one transport did when the ACD sent itself an OPTIONS over it. */
export interface TransportProbe {
  protocol: TransportProtocol;
  ok: boolean;
  /** plain words when not ok (no address, no port: readiness answers anonymous probes) */
  reason?: string;
}

/**
 * Readiness of the ACD's SIP transports (docs/operations.md): for each listening transport, an
 * OPTIONS sent from a fresh socket to the ACD's own bound port, answered 200 by the request
 * router like any peer's keep-alive. This proves more than "the socket is bound": the listener
 * accepts, the parser and the router answer. A wildcard bind is probed on loopback.
 */
export async function probeTransports(transports: readonly SipTransport[], host: string, domain: string, timeoutMs: number): Promise<TransportProbe[]> {
  const target = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return Promise.all(
    transports.map(async (t): Promise<TransportProbe> => {
      try {
        const status = await withTimeout(probeOne(t.protocol, target, t.port, domain), timeoutMs);
        if (status === null) return { protocol: t.protocol, ok: false, reason: `${t.protocol}: no answer to OPTIONS within ${timeoutMs} ms` };
        return status === 200 ? { protocol: t.protocol, ok: true } : { protocol: t.protocol, ok: false, reason: `${t.protocol}: OPTIONS answered ${status}` };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        return { protocol: t.protocol, ok: false, reason: code === 'ECONNREFUSED' ? `${t.protocol}: not listening (connection refused)` : `${t.protocol}: the probe failed` };
      }
    }),
  );
}

function options(protocol: TransportProtocol, domain: string, localPort: number): { text: string; callId: string } {
  const callId = `probe-${randomToken(8)}`;
  const sentBy = protocol === 'WS' || protocol === 'WSS' ? `${randomToken(4)}.invalid` : `127.0.0.1:${localPort}`;
  const text = [
    `OPTIONS sip:${domain} SIP/2.0`,
    `Via: SIP/2.0/${protocol} ${sentBy};branch=${newBranch()};rport`,
    'Max-Forwards: 70',
    `From: <sip:readiness@${domain}>;tag=${randomToken(4)}`,
    `To: <sip:${domain}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return { text, callId };
}

/** The status of the final response to our OPTIONS (matched by Call-ID), or a rejection. */
function statusOf(text: string, callId: string): number | null {
  if (!text.includes(callId)) return null;
  const m = /^SIP\/2\.0 (\d{3})/.exec(text);
  const status = m ? Number(m[1]) : null;
  return status !== null && status >= 200 ? status : null;
}

function probeOne(protocol: TransportProtocol, host: string, port: number, domain: string): { promise: Promise<number>; cancel(): void } {
  let cancel = (): void => undefined;
  const promise = new Promise<number>((resolve, reject) => {
    if (protocol === 'UDP') {
      const socket = dgram.createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
      let closed = false;
      cancel = () => {
        if (!closed) socket.close();
        closed = true;
      };
      let callId = '';
      socket.on('error', (err) => {
        cancel();
        reject(err);
      });
      socket.on('message', (buf) => {
        const s = statusOf(buf.toString('utf8'), callId);
        if (s !== null) {
          cancel();
          resolve(s);
        }
      });
      // connected: a closed port comes back as ECONNREFUSED (ICMP) at once instead of a timeout
      socket.connect(port, host, () => {
        const o = options('UDP', domain, socket.address().port);
        callId = o.callId;
        socket.send(o.text);
      });
      return;
    }
    if (protocol === 'WS' || protocol === 'WSS') {
      const ws = new WebSocket(`${protocol === 'WSS' ? 'wss' : 'ws'}://${isIP(host) === 6 ? `[${host}]` : host}:${port}`, 'sip', { rejectUnauthorized: false });
      cancel = () => ws.terminate();
      const o = options(protocol, domain, 0);
      ws.on('open', () => ws.send(o.text));
      ws.on('message', (data) => {
        const s = statusOf(String(data), o.callId);
        if (s !== null) {
          cancel();
          resolve(s);
        }
      });
      ws.on('error', (err) => {
        cancel();
        reject(err);
      });
      return;
    }
    // TCP or TLS: our own certificate is not checked here (we probe ourselves, not a peer)
    const socket = protocol === 'TLS' ? tls.connect({ host, port, rejectUnauthorized: false }) : net.connect({ host, port });
    cancel = () => socket.destroy();
    let got = '';
    let callId = '';
    socket.once(protocol === 'TLS' ? 'secureConnect' : 'connect', () => {
      const o = options(protocol, domain, socket.localPort ?? 0);
      callId = o.callId;
      socket.write(o.text);
    });
    socket.on('data', (buf) => {
      got += buf.toString('utf8');
      const s = statusOf(got, callId);
      if (s !== null) {
        cancel();
        resolve(s);
      }
    });
    socket.on('error', (err) => {
      cancel();
      reject(err);
    });
  });
  return { promise, cancel };
}

async function withTimeout(p: { promise: Promise<number>; cancel(): void }, ms: number): Promise<number | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([p.promise, timeout]);
  } finally {
    clearTimeout(timer);
    p.cancel();
  }
}
