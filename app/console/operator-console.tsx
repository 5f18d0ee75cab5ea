'use client';
import { useCallback, useEffect, useRef, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import type { Invitation, Registerer, UserAgent } from 'sip.js';
import type { AgentView, BrowserGrant, CallOffer, CallView, ClientEvents, DeviceGrant, MobileGrant, MobileStatus, ServerEvents } from '@/server/contracts/socket-events';
import { MobileDevice } from './mobile-device';
import type { Response } from '@/server/contracts/result';
import { AudioStatsPanel } from '../_components/audio-stats';
import { SiteHeader } from '../_components/site-header';
import { UserBox } from '../_components/user-box';
import { Ringer } from '../_lib/ringer';
import { AUDIO_ONLY, baseUaOptions, peerConnectionOf, remoteStreamOf } from '../_lib/sip';
import { formatDuration, useNow } from '../_lib/time';
import { AgentBadge } from '../_components/agent-badge';

/**
 * The operator's console. Two connections, shown separately because they fail separately:
 * socket.io to the CTI (who I am, my state, what is offered to me) and sip.js to the ACD
 * (the browser device that actually rings and carries audio). A lost registration is shown
 * in red with a button to register again — never retried behind the operator's back.
 */

type Link = { kind: 'connecting' } | { kind: 'connected' } | { kind: 'down'; reason: string };
type Reg =
  | { kind: 'none' }
  | { kind: 'connecting' }
  | { kind: 'registering' }
  | { kind: 'registered' }
  | { kind: 'failed'; reason: string }
  | { kind: 'unregistered'; reason: string }
  | { kind: 'lost'; reason: string };
type Mic = 'unknown' | 'asking' | 'allowed' | 'blocked';
type Phase = 'ringing' | 'answering' | 'talking';
interface ActiveCall {
  phase: Phase;
  fromName: string;
  fromUri: string;
}

type PbSocket = Socket<ServerEvents, ClientEvents>;

function ackError<T>(r: Response<T>): string | null {
  return r.ok ? null : r.error.message;
}

/** Text for a call that ended, from the CTI's `endedBy`. */
export function endedText(endedBy: string | null): string {
  const by = (endedBy ?? '').toLowerCase();
  if (by.includes('caller')) return 'Call ended by the caller (released by the CTI)';
  if (by.includes('operator') || by.includes('agent')) return 'You ended the call';
  if (!by) return 'Call ended';
  return `Call ended (${endedBy})`;
}

function regText(reg: Reg): string {
  switch (reg.kind) {
    case 'none':
      return 'No device yet';
    case 'connecting':
      return 'Connecting to the switch…';
    case 'registering':
      return 'Registering…';
    case 'registered':
      return 'Registered — this browser can take calls';
    case 'failed':
      return `Registration failed: ${reg.reason}`;
    case 'unregistered':
      return `Not registered: ${reg.reason}`;
    case 'lost':
      return `Connection to the switch lost: ${reg.reason}`;
  }
}

export function OperatorConsole() {
  const now = useNow(1000);
  const [link, setLink] = useState<Link>({ kind: 'connecting' });
  const [agent, setAgent] = useState<AgentView | null>(null);
  const [agentError, setAgentError] = useState<string | null>(null);
  const [deviceError, setDeviceError] = useState<string | null>(null);
  const [grant, setGrant] = useState<BrowserGrant | null>(null);
  const [mobile, setMobile] = useState<MobileStatus | null>(null);
  const [reg, setReg] = useState<Reg>({ kind: 'none' });
  const [mic, setMic] = useState<Mic>('unknown');
  const [offer, setOffer] = useState<CallOffer | null>(null);
  const [call, setCall] = useState<ActiveCall | null>(null);
  const [callView, setCallView] = useState<CallView | null>(null);
  const [ended, setEnded] = useState<string | null>(null);
  const [pc, setPc] = useState<RTCPeerConnection | null>(null);
  const [talkStart, setTalkStart] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);

  const socketRef = useRef<PbSocket | null>(null);
  const uaRef = useRef<UserAgent | null>(null);
  const registererRef = useRef<Registerer | null>(null);
  const sessionRef = useRef<Invitation | null>(null);
  const localEndRef = useRef(false);
  const phaseRef = useRef<Phase | null>(null);
  const stoppingRef = useRef(false);
  const ringerRef = useRef<Ringer | null>(null);
  const audioRef = useRef<HTMLAudioElement | null>(null);
  const answerRef = useRef<HTMLButtonElement | null>(null);

  // ---- socket.io to the CTI
  useEffect(() => {
    const socket: PbSocket = io({ withCredentials: true });
    socketRef.current = socket;
    socket.on('connect', () => {
      setLink({ kind: 'connected' });
      socket.timeout(10_000).emit('agent:mobile-status', {}, (err, res) => {
        if (!err && res.ok) setMobile(res.data);
      });
    });
    socket.on('agent:mobile', (m) => setMobile(m));
    socket.on('disconnect', (reason) => setLink({ kind: 'down', reason }));
    socket.on('connect_error', (err) => setLink({ kind: 'down', reason: err.message }));
    socket.on('agent:state', (view) => {
      setAgent(view);
      // The CTI took the offer back (the device did not answer, the caller left): clear the panel.
      if (view.callId === null && !sessionRef.current) setOffer(null);
    });
    socket.on('call:offer', (o) => {
      setOffer(o);
      setEnded(null);
      setCallView(null);
    });
    socket.on('call:update', (c) => {
      setCallView(c);
      if (c.status === 'ended') {
        setEnded(endedText(c.endedBy));
        if (!sessionRef.current) setOffer(null);
      }
    });
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
      socketRef.current = null;
    };
  }, []);

  // ---- sip.js device
  const teardown = useCallback(async () => {
    stoppingRef.current = true;
    ringerRef.current?.stop();
    const session = sessionRef.current;
    sessionRef.current = null;
    session?.dispose().catch(() => undefined);
    const registerer = registererRef.current;
    registererRef.current = null;
    if (registerer && registerer.state === 'Registered') await registerer.unregister().catch(() => undefined);
    await registerer?.dispose().catch(() => undefined);
    const ua = uaRef.current;
    uaRef.current = null;
    await ua?.stop().catch(() => undefined);
    stoppingRef.current = false;
  }, []);

  useEffect(() => {
    const ringer = new Ringer();
    ringerRef.current = ringer;
    window.patchbay = {
      pc: () => peerConnectionOf(sessionRef.current),
      registered: () => registererRef.current?.state === 'Registered' && uaRef.current?.isConnected() === true,
    };
    return () => {
      void teardown();
      ringer.close();
      delete window.patchbay;
    };
  }, [teardown]);

  const onInvite = useCallback((invitation: Invitation) => {
    if (sessionRef.current) {
      void invitation.reject({ statusCode: 486 }).catch(() => undefined);
      return;
    }
    sessionRef.current = invitation;
    localEndRef.current = false;
    phaseRef.current = 'ringing';
    const id = invitation.remoteIdentity;
    setCall({ phase: 'ringing', fromName: id.displayName || id.uri.user || 'Unknown caller', fromUri: id.uri.toString() });
    setEnded(null);
    ringerRef.current?.start();
    invitation.stateChange.addListener((state) => {
      if (state === 'Established') {
        ringerRef.current?.stop();
        phaseRef.current = 'talking';
        setCall((c) => (c ? { ...c, phase: 'talking' } : c));
        const stream = remoteStreamOf(invitation);
        if (audioRef.current && stream) {
          audioRef.current.srcObject = stream;
          void audioRef.current.play().catch(() => undefined);
        }
        setPc(peerConnectionOf(invitation));
        setTalkStart(Date.now());
      } else if (state === 'Terminated') {
        ringerRef.current?.stop();
        const wasRinging = phaseRef.current === 'ringing';
        const local = localEndRef.current;
        if (sessionRef.current === invitation) sessionRef.current = null;
        phaseRef.current = null;
        setCall(null);
        setPc(null);
        setTalkStart(null);
        setOffer(null);
        if (audioRef.current) audioRef.current.srcObject = null;
        // The CTI's call:update may refine this with who ended the call.
        setEnded((prev) =>
          prev ?? (local ? (wasRinging ? 'You declined the call' : 'You ended the call') : wasRinging ? 'The call was withdrawn before you answered' : 'Call ended by the caller (released by the CTI)'),
        );
      }
    });
  }, []);

  const startDevice = useCallback(async () => {
    setDeviceError(null);
    setBusy(true);
    ringerRef.current?.unlock();
    try {
      // Ask for the microphone now, while the operator is looking, not when a caller is waiting.
      setMic('asking');
      try {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: false });
        stream.getTracks().forEach((t) => t.stop());
        setMic('allowed');
      } catch {
        setMic('blocked');
      }
      const socket = socketRef.current;
      if (!socket?.connected) throw new Error('Not connected to the CTI yet.');
      const r = await new Promise<Response<DeviceGrant>>((resolve) =>
        socket.timeout(10_000).emit('agent:device', { kind: 'browser' }, (err, res) =>
          resolve(err ? { ok: false, error: { code: 'UNAVAILABLE', message: 'The CTI did not answer.' } } : res),
        ),
      );
      if (!r.ok) throw new Error(r.error.message);
      if (r.data.kind !== 'browser') throw new Error('The CTI answered with another device.');
      setGrant(r.data);
      await teardown();
      await register(r.data);
    } catch (err) {
      setDeviceError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }

    async function register(g: BrowserGrant) {
      const sip = await import('sip.js');
      const uri = sip.UserAgent.makeURI(g.aor);
      if (!uri) throw new Error(`The device address ${g.aor} is not a SIP URI.`);
      setReg({ kind: 'connecting' });
      const ua = new sip.UserAgent({
        ...baseUaOptions(g.wsUrl),
        uri,
        authorizationUsername: g.sipUser,
        authorizationPassword: g.sipPassword,
        delegate: {
          onInvite,
          onDisconnect: (error) => {
            if (stoppingRef.current || uaRef.current !== ua) return;
            setReg({ kind: 'lost', reason: error?.message ?? 'the switch closed the connection' });
          },
        },
      });
      uaRef.current = ua;
      try {
        await ua.start();
      } catch (err) {
        setReg({ kind: 'failed', reason: `cannot reach the switch at ${g.wsUrl} (${err instanceof Error ? err.message : String(err)})` });
        return;
      }
      const registerer = new sip.Registerer(ua, { expires: 300 });
      registererRef.current = registerer;
      registerer.stateChange.addListener((state) => {
        if (registererRef.current !== registerer) return;
        if (state === sip.RegistererState.Registered) setReg({ kind: 'registered' });
        else if (state === sip.RegistererState.Unregistered && !stoppingRef.current)
          setReg((prev) => (prev.kind === 'failed' || prev.kind === 'lost' ? prev : { kind: 'unregistered', reason: 'the switch no longer has this device' }));
      });
      setReg({ kind: 'registering' });
      await registerer.register({
        requestDelegate: {
          onReject: (res) => setReg({ kind: 'failed', reason: `${res.message.statusCode} ${res.message.reasonPhrase}` }),
        },
      });
    }
  }, [onInvite, teardown]);

  const answer = useCallback(async () => {
    const inv = sessionRef.current;
    if (!inv || phaseRef.current !== 'ringing') return;
    ringerRef.current?.stop();
    phaseRef.current = 'answering';
    setCall((c) => (c ? { ...c, phase: 'answering' } : c));
    try {
      await inv.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY });
    } catch (err) {
      setEnded(`Could not answer: ${err instanceof Error ? err.message : String(err)}`);
    }
  }, []);

  const hangUp = useCallback(async () => {
    const inv = sessionRef.current;
    if (!inv) return;
    localEndRef.current = true;
    try {
      if (inv.state === 'Established') await inv.bye();
      else if (inv.state === 'Initial') await inv.reject();
      else await inv.dispose();
    } catch {
      await inv.dispose().catch(() => undefined);
    }
  }, []);

  const setReady = useCallback(async (ready: boolean) => {
    const socket = socketRef.current;
    setAgentError(null);
    if (!socket?.connected) {
      setAgentError('Not connected to the CTI.');
      return;
    }
    const r = await new Promise<Response<AgentView>>((resolve) => {
      const done = (err: Error | null, res: Response<AgentView>) =>
        resolve(err ? { ok: false, error: { code: 'UNAVAILABLE', message: 'The CTI did not answer.' } } : res);
      if (ready) socket.timeout(10_000).emit('agent:ready', {}, done);
      else socket.timeout(10_000).emit('agent:not-ready', {}, done);
    });
    if (r.ok) setAgent(r.data);
    else setAgentError(ackError(r));
  }, []);

  useEffect(() => {
    if (call?.phase === 'ringing') answerRef.current?.focus();
  }, [call?.phase]);

  // A device that cannot ring must not be offered calls: when the line drops while Ready, ask
  // the CTI (which decides) to make this operator Not ready, and say so.
  const regLost = reg.kind === 'lost' || reg.kind === 'failed' || reg.kind === 'unregistered';
  useEffect(() => {
    const socket = socketRef.current;
    if (!regLost || agent?.state !== 'ready' || !socket?.connected) return;
    socket.timeout(10_000).emit('agent:not-ready', { reason: 'device-lost' }, (err, res) => {
      if (!err && res.ok) {
        setAgent(res.data);
        setAgentError('Your phone line dropped, so you were set to Not ready. Register again, then press Ready.');
      }
    });
  }, [regLost, agent?.state]);

  const regOk = reg.kind === 'registered';
  // the mobile rings through the trunk: the browser line is released so only one device rings
  async function useMobile(_g: MobileGrant): Promise<void> {
    await teardown();
    setGrant(null);
    setReg({ kind: 'none' });
  }
  const regBad = reg.kind === 'failed' || reg.kind === 'lost' || reg.kind === 'unregistered';
  // while a call rings or is up the CTI refuses state changes: don't offer them
  const onCall = agent?.state === 'reserved' || agent?.state === 'talking';
  const answeredAt = call?.phase === 'talking' ? (callView?.answeredAt ?? talkStart) : null;
  const showCall = call !== null || (offer !== null && callView?.status !== 'ended');

  return (
    <>
      <SiteHeader>
        <UserBox beforeSignOut={teardown} />
      </SiteHeader>
      <main id="main" className="page console">
        <h1 className="visually-hidden">Operator console</h1>

        <section className="status-strip" aria-label="Connections">
          <div className={`status-tile ${link.kind === 'connected' ? 'ok' : link.kind === 'down' ? 'bad' : 'wait'}`} data-testid="cti-status" data-state={link.kind}>
            <span className="status-label">CTI</span>
            <span>{link.kind === 'connected' ? 'Connected' : link.kind === 'connecting' ? 'Connecting…' : `Disconnected: ${link.reason}`}</span>
          </div>
          <div className={`status-tile ${regOk ? 'ok' : regBad ? 'bad' : 'wait'}`} data-testid="reg-status" data-state={reg.kind} role="status" aria-live="polite">
            <span className="status-label">Phone line</span>
            <span>{regText(reg)}</span>
          </div>
          <div className={`status-tile ${mic === 'allowed' ? 'ok' : mic === 'blocked' ? 'bad' : 'wait'}`} data-testid="mic-status" data-state={mic}>
            <span className="status-label">Microphone</span>
            <span>
              {mic === 'allowed' ? 'Allowed' : mic === 'blocked' ? 'Blocked — allow the microphone in the browser to talk' : mic === 'asking' ? 'Asking…' : 'Not asked yet'}
            </span>
          </div>
        </section>

        <div className="console-grid">
          <section className="panel" aria-labelledby="agent-h">
            <h2 id="agent-h">My state</h2>
            <div className="agent-state">
              <AgentBadge state={agent?.state ?? 'offline'} testId="agent-state" />
              {agent && <span className="muted" data-testid="agent-since">for {formatDuration(now - agent.since)}</span>}
            </div>
            <div className="btn-row">
              <button type="button" className="btn btn-ready" onClick={() => void setReady(true)} disabled={link.kind !== 'connected' || onCall} data-testid="agent-ready">
                Ready
              </button>
              <button type="button" className="btn btn-notready" onClick={() => void setReady(false)} disabled={link.kind !== 'connected' || onCall} data-testid="agent-not-ready">
                Not ready
              </button>
            </div>
            {agentError && (
              <p className="alert alert-error" role="alert" data-testid="agent-error">
                {agentError}
              </p>
            )}

            <h2 id="device-h">My device</h2>
            <p className="muted">Calls ring on the device you choose here.</p>
            <div className="btn-row">
              <button type="button" className="btn btn-primary" onClick={() => void startDevice()} disabled={busy || link.kind !== 'connected'} data-testid="device-browser">
                {grant ? (regBad ? 'Register this browser again' : 'Re-register this browser') : 'This browser'}
              </button>
            </div>
            {grant && (
              <p className="muted small" data-testid="device-user">
                Device {grant.sipUser.slice(0, 20)}… on {grant.wsUrl}
              </p>
            )}
            {deviceError && (
              <p className="alert alert-error" role="alert" data-testid="device-error">
                {deviceError}
              </p>
            )}
            <MobileDevice
              getSocket={() => socketRef.current}
              status={mobile}
              onStatus={setMobile}
              onChosen={useMobile}
              disabled={link.kind !== 'connected'}
              active={agent?.device === 'mobile'}
            />
          </section>

          <section className={`panel call-panel ${call ? `call-${call.phase}` : ''}`} aria-labelledby="call-h" data-testid="call-panel">
            <h2 id="call-h">Call</h2>
            {showCall ? (
              <>
                <div className="call-phase" role="status" aria-live="assertive" data-testid="call-phase" data-phase={call?.phase ?? 'offered'}>
                  {call?.phase === 'ringing'
                    ? 'Incoming call'
                    : call?.phase === 'answering'
                      ? 'Connecting…'
                      : call?.phase === 'talking'
                        ? 'On the call'
                        : 'A call is coming to you'}
                </div>
                <dl className="call-facts">
                  <div>
                    <dt>Caller</dt>
                    <dd data-testid="call-caller">{offer?.callerName || call?.fromName || 'Unknown'}</dd>
                  </div>
                  <div>
                    <dt>Address</dt>
                    <dd className="mono" data-testid="call-caller-uri">{offer?.callerUri ?? call?.fromUri ?? '—'}</dd>
                  </div>
                  <div>
                    <dt>Queue</dt>
                    <dd data-testid="call-queue">{offer?.queue ?? '—'}</dd>
                  </div>
                  <div>
                    <dt>Number dialled</dt>
                    <dd data-testid="call-dialed">{offer?.dialed ?? '—'}</dd>
                  </div>
                  <div>
                    <dt>{call?.phase === 'talking' ? 'Waited' : 'Waiting'}</dt>
                    <dd data-testid="call-wait">{offer ? formatDuration((answeredAt ?? now) - offer.arrivedAt) : '—'}</dd>
                  </div>
                  {answeredAt !== null && (
                    <div>
                      <dt>Talking</dt>
                      <dd data-testid="call-talk">{formatDuration(now - answeredAt)}</dd>
                    </div>
                  )}
                </dl>
                <div className="btn-row big">
                  <button type="button" ref={answerRef} className="btn btn-answer" onClick={() => void answer()} disabled={call?.phase !== 'ringing'} data-testid="call-answer">
                    Answer
                  </button>
                  <button type="button" className="btn btn-hangup" onClick={() => void hangUp()} disabled={!call} data-testid="call-hangup">
                    {call?.phase === 'ringing' ? 'Decline' : 'Hang up'}
                  </button>
                </div>
                <AudioStatsPanel pc={pc} />
              </>
            ) : (
              <p className="muted" data-testid="call-idle">
                {regOk || agent?.device === 'mobile' ? (agent?.state === 'ready' ? 'Waiting for a call…' : 'Press Ready to receive calls.') : 'Choose a device to take calls.'}
              </p>
            )}
            {ended && !call && (
              <p className="alert alert-info" role="status" data-testid="call-ended">
                {ended}
              </p>
            )}
            <audio ref={audioRef} autoPlay data-testid="remote-audio" />
          </section>
        </div>
      </main>
    </>
  );
}
