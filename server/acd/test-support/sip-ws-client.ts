import dgram from 'node:dgram';
import net from 'node:net';
import tls from 'node:tls';
import WebSocket from 'ws';
import { makeResponse, newBranch, randomToken } from '../sip/builders';
import { digestResponse } from '../sip/digest';
import { parseCSeq, parseNameAddr, parseParams } from '../sip/headers';
import { SipHeaders, type SipMessage, type SipRequest, type SipResponse } from '../sip/message';
import { parseMessage } from '../sip/parser';
import { serialize } from '../sip/serializer';
import { StreamFramer } from '../transport/stream-framer';

/** The bytes under a test client: a WebSocket, a UDP socket, a TCP or TLS connection. */
interface Wire {
  /** Via transport token and the sent-by this client names. */
  readonly transport: 'WS' | 'WSS' | 'UDP' | 'TCP' | 'TLS';
  readonly sentBy: string;
  send(text: string): void;
  onMessage(cb: (data: Buffer) => void): void;
  isOpen(): boolean;
  close(): Promise<void>;
}

function wsWire(ws: WebSocket, secure: boolean): Wire {
  return {
    transport: secure ? 'WSS' : 'WS',
    sentBy: `${randomToken(4)}.invalid`,
    send: (t) => ws.send(t),
    onMessage: (cb) => ws.on('message', (data) => cb(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer))),
    isOpen: () => ws.readyState === WebSocket.OPEN,
    close: () =>
      ws.readyState === WebSocket.CLOSED
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close();
          }),
  };
}

function streamWire(socket: net.Socket, secure: boolean): Wire {
  const framer = new StreamFramer();
  let open = true;
  socket.on('close', () => (open = false));
  return {
    transport: secure ? 'TLS' : 'TCP',
    sentBy: `127.0.0.1:${socket.localPort ?? 0}`,
    send: (t) => socket.write(t),
    onMessage: (cb) => socket.on('data', (chunk: Buffer) => framer.push(chunk).forEach((e) => e.kind === 'message' && cb(e.data))),
    isOpen: () => open,
    close: () =>
      !open
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            socket.once('close', () => resolve());
            socket.end();
            setTimeout(() => socket.destroy(), 200).unref();
          }),
  };
}

function udpWire(socket: dgram.Socket, host: string, port: number): Wire {
  let open = true;
  return {
    transport: 'UDP',
    sentBy: `127.0.0.1:${socket.address().port}`,
    send: (t) => socket.send(t, port, host),
    onMessage: (cb) => socket.on('message', (b) => cb(b)),
    isOpen: () => open,
    close: () => {
      if (!open) return Promise.resolve();
      open = false;
      return new Promise<void>((resolve) => socket.close(() => resolve()));
    },
  };
}

/**
 * A raw SIP test client over WS, WSS, UDP, TCP or TLS: it builds and sends messages by
 * hand and waits for what the ACD sends, so integration tests speak the real wire
 * protocol to a real server. It never retransmits: tests see the ACD's retransmissions.
 */
export class SipWsClient {
  private readonly inbox: SipMessage[] = [];
  private readonly waiters: Array<{ pred: (m: SipMessage) => boolean; resolve: (m: SipMessage) => void; reject: (err: Error) => void }> = [];
  /** Every message received, in order (never consumed). */
  readonly received: SipMessage[] = [];
  readonly contact: string;
  private cseq = 1;
  /** Our To tag per inbound INVITE's Call-ID, so provisional and final answers agree. */
  private readonly tags = new Map<string, string>();

  private constructor(
    private readonly wire: Wire,
    readonly name: string,
  ) {
    const host = wire.transport === 'WS' || wire.transport === 'WSS' ? `${randomToken(4)}.invalid` : wire.sentBy;
    this.contact = `<sip:${name}-${randomToken(4)}@${host};transport=${wire.transport.toLowerCase()}>`;
    wire.onMessage((data) => {
      const r = parseMessage(data);
      if (!r.ok) return;
      this.received.push(r.message);
      const i = this.waiters.findIndex((w) => w.pred(r.message));
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(r.message);
      else this.inbox.push(r.message);
    });
  }

  static connect(url: string, name: string, protocol = 'sip', opts: { ca?: string } = {}): Promise<SipWsClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, protocol, opts.ca ? { ca: opts.ca } : {});
      ws.once('open', () => resolve(new SipWsClient(wsWire(ws, url.startsWith('wss:')), name)));
      ws.once('error', reject);
    });
  }

  /** A client on its own UDP socket talking to host:port. */
  static async udp(host: string, port: number, name: string): Promise<SipWsClient> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return new SipWsClient(udpWire(socket, host, port), name);
  }

  /** A client on an accepted TCP connection (the carrier's side of a trunk in tests). */
  static fromSocket(sock: net.Socket, name: string): SipWsClient {
    return new SipWsClient(streamWire(sock, false), name);
  }

  /** A client on a TCP connection, or TLS when `tlsCa` is given (the server's certificate is verified against it). */
  static stream(host: string, port: number, name: string, tlsCa?: string): Promise<SipWsClient> {
    return new Promise((resolve, reject) => {
      const s = tlsCa ? tls.connect({ host, port, ca: tlsCa, servername: 'localhost' }) : net.connect({ host, port });
      s.once(tlsCa ? 'secureConnect' : 'connect', () => resolve(new SipWsClient(streamWire(s, !!tlsCa), name)));
      s.once('error', reject);
    });
  }

  get open(): boolean {
    return this.wire.isOpen();
  }

  /** The sent-by (host:port) this client names in its Via. */
  get sentBy(): string {
    return this.wire.sentBy;
  }

  /** Via transport token of this client. */
  get transport(): string {
    return this.wire.transport;
  }

  sendRaw(text: string): void {
    this.wire.send(text);
  }

  send(msg: SipMessage): void {
    this.wire.send(serialize(msg));
  }

  private via(): string {
    return `SIP/2.0/${this.wire.transport} ${this.wire.sentBy};branch=${newBranch()};rport`;
  }

  /** The first message (already received or still to come) matching `pred`. */
  next(pred: (m: SipMessage) => boolean, timeoutMs = 3000): Promise<SipMessage> {
    const i = this.inbox.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        pred,
        resolve: (m: SipMessage) => {
          clearTimeout(timer);
          resolve(m);
        },
        reject: (err: Error) => {
          clearTimeout(timer);
          reject(err);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        reject(new Error(`${this.name}: no matching message within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async response(callId: string, method: string, final = true, timeoutMs?: number): Promise<SipResponse> {
    const m = await this.next(
      (x) => x.kind === 'response' && x.headers.get('Call-ID') === callId && parseCSeq(x.headers.get('CSeq') ?? '')?.method === method && (!final || x.status >= 200),
      timeoutMs,
    );
    return m as SipResponse;
  }

  async request(method: string, pred: (r: SipRequest) => boolean = () => true, timeoutMs?: number): Promise<SipRequest> {
    return (await this.next((x) => x.kind === 'request' && x.method === method && pred(x), timeoutMs)) as SipRequest;
  }

  /** True when no message matching `pred` arrived so far. */
  never(pred: (m: SipMessage) => boolean): boolean {
    return !this.received.some(pred);
  }

  /** A new out-of-dialog request. */
  makeRequest(method: string, uri: string, opts: { from?: string; to?: string; callId?: string; headers?: Array<[string, string]>; body?: string } = {}): SipRequest {
    const h = new SipHeaders()
      .append('Via', this.via())
      .append('Max-Forwards', '70')
      .append('From', `${opts.from ?? `<sip:${this.name}@test.invalid>`};tag=${randomToken()}`)
      .append('To', opts.to ?? `<${uri}>`)
      .append('Call-ID', opts.callId ?? `${randomToken(10)}@test`)
      .append('CSeq', `${this.cseq++} ${method}`)
      .append('Contact', this.contact);
    for (const [n, v] of opts.headers ?? []) h.append(n, v);
    if (opts.body) h.append('Content-Type', 'application/sdp');
    return { kind: 'request', method, uri, headers: h, body: opts.body ?? '' };
  }

  /**
   * Sends a request that the ACD challenges (a bank dial gets 407), ACKs the challenge and sends
   * it again with credentials; returns the authenticated request that was sent.
   */
  async sendWithAuth(req: SipRequest, user: string, password: string): Promise<SipRequest> {
    this.send(req);
    const challenge = await this.response(req.headers.get('Call-ID')!, req.method);
    if (challenge.status !== 401 && challenge.status !== 407) throw new Error(`expected a challenge, got ${challenge.status}`);
    if (req.method === 'INVITE') this.ackFailure(req, challenge);
    const authed = this.withAuth(req, challenge, user, password);
    this.send(authed);
    return authed;
  }

  /** The same request again with credentials answering a 401/407 (new branch, next CSeq). */
  withAuth(req: SipRequest, challenge: SipResponse, user: string, password: string): SipRequest {
    const proxy = challenge.status === 407;
    const chal = challenge.headers.get(proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate') ?? '';
    const p = parseParams(chal.replace(/^Digest\s+/i, '').replace(/,\s*/g, ';'));
    const realm = p.get('realm') ?? '';
    const nonce = p.get('nonce') ?? '';
    const cnonce = randomToken();
    const nc = '00000001';
    const response = digestResponse({ username: user, password, realm, method: req.method, uri: req.uri, nonce, qop: 'auth', nc, cnonce });
    const h = req.headers.clone();
    h.delete('Via').prepend('Via', this.via());
    const cseq = parseCSeq(h.get('CSeq') ?? '')!;
    h.set('CSeq', `${cseq.seq + 1} ${cseq.method}`);
    h.set(proxy ? 'Proxy-Authorization' : 'Authorization', `Digest username="${user}", realm="${realm}", nonce="${nonce}", uri="${req.uri}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="${cnonce}"`);
    return { ...req, headers: h };
  }

  /** ACK for a non-2xx final response (same branch as the INVITE). */
  ackFailure(inv: SipRequest, res: SipResponse): void {
    const h = new SipHeaders()
      .append('Via', inv.headers.get('Via')!)
      .append('Max-Forwards', '70')
      .append('From', inv.headers.get('From')!)
      .append('To', res.headers.get('To')!)
      .append('Call-ID', inv.headers.get('Call-ID')!)
      .append('CSeq', `${parseCSeq(inv.headers.get('CSeq')!)!.seq} ACK`);
    this.send({ kind: 'request', method: 'ACK', uri: inv.uri, headers: h, body: '' });
  }

  /** An in-dialog request built from the dialog we hold with the ACD. */
  inDialog(method: string, d: ClientDialog, body = ''): SipRequest {
    const h = new SipHeaders()
      .append('Via', this.via())
      .append('Max-Forwards', '70')
      .append('From', d.local)
      .append('To', d.remote)
      .append('Call-ID', d.callId)
      .append('CSeq', `${method === 'ACK' ? d.inviteSeq : ++d.seq} ${method}`);
    if (body) h.append('Content-Type', 'application/sdp');
    return { kind: 'request', method, uri: d.target, headers: h, body };
  }

  /** Registers an AOR, answering the 401 challenge. Returns the final response. */
  async register(aorUser: string, domain: string, authUser: string, password: string, expires = 600): Promise<SipResponse> {
    const aor = `sip:${aorUser}@${domain}`;
    const req = this.makeRequest('REGISTER', `sip:${domain}`, { from: `<${aor}>`, to: `<${aor}>`, headers: [['Expires', String(expires)]] });
    this.send(req);
    const first = await this.response(req.headers.get('Call-ID')!, 'REGISTER');
    if (first.status !== 401) return first;
    const again = this.withAuth(req, first, authUser, password);
    this.send(again);
    return this.response(req.headers.get('Call-ID')!, 'REGISTER');
  }

  /** Answers an inbound INVITE (UAS side) and returns the dialog. */
  answer(inv: SipRequest, status: number, opts: { headers?: Array<[string, string]>; body?: string } = {}): ClientDialog {
    const tag = this.tagFor(inv);
    const res = makeResponse(inv, status, { toTag: tag, headers: [['Contact', this.contact], ...(opts.headers ?? []), ...(opts.body ? ([['Content-Type', 'application/sdp']] as Array<[string, string]>) : [])], body: opts.body ?? '' });
    this.send(res);
    return { callId: inv.headers.get('Call-ID')!, local: res.headers.get('To')!, remote: inv.headers.get('From')!, target: parseNameAddr(inv.headers.get('Contact')!)!.uri, seq: 1000, inviteSeq: parseCSeq(inv.headers.get('CSeq')!)!.seq };
  }

  /** A 180 Ringing to an inbound INVITE. */
  answerProvisional(inv: SipRequest, status = 180): SipResponse {
    return makeResponse(inv, status, { toTag: this.tagFor(inv), headers: [['Contact', this.contact]] });
  }

  /** The CANCEL of an INVITE we sent (§9.1: same branch, Call-ID, From, To, CSeq number). */
  cancelOf(inv: SipRequest): SipRequest {
    const h = new SipHeaders()
      .append('Via', inv.headers.get('Via')!)
      .append('Max-Forwards', '70')
      .append('From', inv.headers.get('From')!)
      .append('To', inv.headers.get('To')!)
      .append('Call-ID', inv.headers.get('Call-ID')!)
      .append('CSeq', `${parseCSeq(inv.headers.get('CSeq')!)!.seq} CANCEL`);
    return { kind: 'request', method: 'CANCEL', uri: inv.uri, headers: h, body: '' };
  }

  private tagFor(inv: SipRequest): string {
    const callId = inv.headers.get('Call-ID')!;
    let tag = this.tags.get(callId);
    if (!tag) {
      tag = randomToken();
      this.tags.set(callId, tag);
    }
    return tag;
  }

  /** The dialog made by a 2xx to an INVITE we sent (UAC side); for a failure (no Contact) the target is the request's own URI. */
  dialogFrom(inv: SipRequest, ok: SipResponse): ClientDialog {
    return { callId: inv.headers.get('Call-ID')!, local: inv.headers.get('From')!, remote: ok.headers.get('To')!, target: parseNameAddr(ok.headers.get('Contact') ?? '')?.uri ?? inv.uri, seq: parseCSeq(inv.headers.get('CSeq')!)!.seq, inviteSeq: parseCSeq(inv.headers.get('CSeq')!)!.seq };
  }

  respond(req: SipRequest, status: number, headers: Array<[string, string]> = []): void {
    this.send(makeResponse(req, status, { headers }));
  }

  /** Closes the wire; pending `next()` waits are rejected so their timers do not hold the process open. */
  close(): Promise<void> {
    for (const w of this.waiters.splice(0)) w.reject(new Error(`${this.name}: closed`));
    return this.wire.close();
  }
}

export interface ClientDialog {
  callId: string;
  local: string;
  remote: string;
  target: string;
  seq: number;
  inviteSeq: number;
}
