'use client';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Info, Invitation, Inviter, Registerer, UserAgent, Web } from 'sip.js';
import { AUDIO_ONLY, baseUaOptions, peerConnectionOf, remoteStreamOf } from './sip';

/**
 * The browser's phone, shared by the operator console and the caller page: one sip.js user
 * agent, either registered (the console's line, which takes incoming calls) or made for one
 * outgoing call (the caller, no registration). One session at a time; a second INVITE gets 486.
 * The remote audio plays through the `<audio>` the page puts `remoteAudioRef` on, and `pc`
 * feeds the stats panel. A registered line whose connection drops reconnects on its own with
 * back-off, in view (`reconnecting`, then `lost` when it gives up): it registers again and
 * re-INVITEs a live call with an ICE restart in the same dialog, which the ACD kept for its
 * grace period (docs/acd-signalling.md, "Device reconnect").
 */

/** Waits between reconnect attempts: about 20 s in all, the ACD's default grace for a live call. */
export const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000, 4000, 4000, 4000] as const;

/** The re-INVITE after a reconnect: new ICE credentials, so the media finds its path again. */
const ICE_RESTART: Web.SessionDescriptionHandlerOptions = { ...AUDIO_ONLY, offerOptions: { iceRestart: true } };

/** The registration of a console line (stays `none` for an outgoing-only phone). */
export type Registration =
  | { kind: 'none' }
  | { kind: 'connecting' }
  | { kind: 'registering' }
  | { kind: 'registered' }
  | { kind: 'reconnecting'; attempt: number; of: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'unregistered'; reason: string }
  | { kind: 'lost'; reason: string };

/** incoming: ringing → answering → established; outgoing: calling → ringing (18x) → established */
export type SessionPhase = 'calling' | 'ringing' | 'answering' | 'established';
export type Direction = 'incoming' | 'outgoing';

export interface RemoteParty {
  name: string;
  uri: string;
}

export interface SipSessionView {
  direction: Direction;
  phase: SessionPhase;
  remote: RemoteParty;
  /** ms since epoch, once established */
  establishedAt: number | null;
}

export interface SessionEnd {
  direction: Direction;
  /** this side hung up, declined or cancelled */
  local: boolean;
  /** the phase the session was in when it ended */
  phase: SessionPhase;
}

export interface SipDeviceEvents {
  onIncoming?(remote: RemoteParty): void;
  /** an outgoing call got a provisional answer of 180 or above */
  onRinging?(): void;
  onEstablished?(): void;
  onEnded?(end: SessionEnd): void;
  /** an outgoing call was refused with a final status */
  onRejected?(statusCode: number, reasonPhrase: string): void;
  /** an in-dialog INFO (answered 200 after this returns) */
  onInfo?(info: Info): void;
  /** the connection dropped while a call was up (a line: only once reconnecting gave up) */
  onLost?(reason: string): void;
}

/** What the console's line registers with (a device grant from the CTI). */
export interface LineCredentials {
  wsUrl: string;
  aor: string;
  user: string;
  password: string;
}

export interface OutgoingCall {
  wsUrl: string;
  /** this phone's own address */
  from: string;
  displayName?: string;
  to: string;
}

export type CallStart = { ok: true } | { ok: false; reason: 'invalid' | 'unreachable' | 'failed'; message: string };

type Current = { direction: 'incoming'; session: Invitation } | { direction: 'outgoing'; session: Inviter };

/** One REGISTER after a reconnect: true once the phone system accepted it (a challenge is answered by sip.js). */
function registeredAgain(registerer: Registerer, timeoutMs = 5000): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      resolve(ok);
    };
    registerer.register({ requestDelegate: { onAccept: () => done(true), onReject: () => done(false) } }).catch(() => done(false));
  });
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Plain words for a refused registration (operators are not expected to read SIP status codes). */
function refusalText(code: number): string {
  if (code === 401 || code === 403 || code === 407) return `the phone system refused this browser's sign-in (${code}); choose the device again`;
  if (code >= 500) return `the phone system is not available right now (${code})`;
  return `the phone system refused this browser (${code})`;
}

export function useSipDevice(events: SipDeviceEvents = {}) {
  const [registration, setRegistration] = useState<Registration>({ kind: 'none' });
  const [session, setSession] = useState<SipSessionView | null>(null);
  const [pc, setPc] = useState<RTCPeerConnection | null>(null);

  const eventsRef = useRef(events);
  useLayoutEffect(() => {
    eventsRef.current = events;
  });
  const uaRef = useRef<UserAgent | null>(null);
  const registererRef = useRef<Registerer | null>(null);
  const currentRef = useRef<Current | null>(null);
  const phaseRef = useRef<SessionPhase | null>(null);
  const localEndRef = useRef(false);
  const stoppingRef = useRef(false);
  const reconnectingRef = useRef(false);
  const remoteAudioRef = useRef<HTMLAudioElement | null>(null);

  const setPhase = useCallback((phase: SessionPhase) => {
    phaseRef.current = phase;
    setSession((s) => (s ? { ...s, phase, establishedAt: phase === 'established' ? Date.now() : s.establishedAt } : s));
  }, []);

  /** Drops the session from the current slot if it is still the one there. */
  const forget = useCallback((s: Invitation | Inviter) => {
    if (currentRef.current?.session === s) currentRef.current = null;
  }, []);

  const stopUa = useCallback(async (ua: UserAgent) => {
    if (uaRef.current === ua) uaRef.current = null;
    await ua.stop().catch(() => undefined);
  }, []);

  /** Ends the call, the registration and the user agent; safe to call at any time, and twice. */
  const stop = useCallback(async () => {
    stoppingRef.current = true;
    const current = currentRef.current;
    currentRef.current = null;
    current?.session.dispose().catch(() => undefined);
    const registerer = registererRef.current;
    registererRef.current = null;
    if (registerer && registerer.state === 'Registered') await registerer.unregister().catch(() => undefined);
    await registerer?.dispose().catch(() => undefined);
    const ua = uaRef.current;
    uaRef.current = null;
    await ua?.stop().catch(() => undefined);
    stoppingRef.current = false;
    setRegistration({ kind: 'none' });
  }, []);

  useEffect(() => {
    window.patchbay = {
      pc: () => peerConnectionOf(currentRef.current?.session ?? null),
      registered: () => registererRef.current?.state === 'Registered' && uaRef.current?.isConnected() === true,
    };
    return () => {
      void stop();
      delete window.patchbay;
    };
  }, [stop]);

  const track = useCallback(
    (current: Current, remote: RemoteParty, ua: UserAgent) => {
      const s = current.session;
      currentRef.current = current;
      localEndRef.current = false;
      const first: SessionPhase = current.direction === 'incoming' ? 'ringing' : 'calling';
      phaseRef.current = first;
      setSession({ direction: current.direction, phase: first, remote, establishedAt: null });
      s.stateChange.addListener((state) => {
        if (state === 'Established') {
          setPhase('established');
          const stream = remoteStreamOf(s);
          const audio = remoteAudioRef.current;
          if (audio && stream) {
            audio.srcObject = stream;
            void audio.play().catch(() => undefined);
          }
          setPc(peerConnectionOf(s));
          eventsRef.current.onEstablished?.();
        } else if (state === 'Terminated') {
          const end: SessionEnd = { direction: current.direction, local: localEndRef.current, phase: phaseRef.current ?? first };
          forget(s);
          phaseRef.current = null;
          setSession(null);
          setPc(null);
          if (remoteAudioRef.current) remoteAudioRef.current.srcObject = null;
          eventsRef.current.onEnded?.(end);
          // a phone made for one outgoing call lives as long as that call
          if (current.direction === 'outgoing') void stopUa(ua);
        }
      });
    },
    [setPhase, stopUa, forget],
  );

  /**
   * A line's connection dropped: try again with back-off, then register and, with a call up,
   * re-INVITE it with an ICE restart (the network may have changed under the media too).
   */
  const reconnect = useCallback(async (ua: UserAgent) => {
    if (reconnectingRef.current) return;
    reconnectingRef.current = true;
    try {
      for (let i = 0; i < RECONNECT_DELAYS_MS.length; i++) {
        setRegistration({ kind: 'reconnecting', attempt: i + 1, of: RECONNECT_DELAYS_MS.length });
        await new Promise((r) => setTimeout(r, RECONNECT_DELAYS_MS[i]));
        if (stoppingRef.current || uaRef.current !== ua) return;
        try {
          await ua.reconnect();
        } catch {
          continue;
        }
        const registerer = registererRef.current;
        if (!registerer) return;
        // connected is not enough: the connection may close again at once (the network still flaps)
        if (!(await registeredAgain(registerer))) continue;
        if (stoppingRef.current || uaRef.current !== ua) return;
        setRegistration({ kind: 'registered' });
        const current = currentRef.current;
        if (current?.session.state === 'Established') {
          const resumed = await current.session
            .invite({ sessionDescriptionHandlerOptions: ICE_RESTART })
            .then(() => true)
            .catch(() => false);
          if (!resumed) eventsRef.current.onLost?.('the call could not be resumed');
        }
        return;
      }
      setRegistration({ kind: 'lost', reason: 'the phone system could not be reached again' });
      const current = currentRef.current;
      if (current) {
        eventsRef.current.onLost?.('the phone system could not be reached again');
        // the ACD has let the call go by now (its grace is as long as our tries): end it here too
        await current.session.dispose().catch(() => undefined);
      }
    } finally {
      reconnectingRef.current = false;
    }
  }, []);

  const onDisconnect = useCallback(
    (ua: UserAgent, error: Error | undefined) => {
      if (stoppingRef.current || uaRef.current !== ua) return;
      // the page did not ask for it, whatever the close code said: a line tries to come back
      if (registererRef.current) return void reconnect(ua);
      if (error && currentRef.current) eventsRef.current.onLost?.(error.message);
    },
    [reconnect],
  );

  /** Registers this browser as a line that takes incoming calls (replacing any previous one). */
  const register = useCallback(
    async (cred: LineCredentials) => {
      await stop();
      const sip = await import('sip.js');
      const uri = sip.UserAgent.makeURI(cred.aor);
      if (!uri) throw new Error('The server sent phone details this browser cannot use.');
      setRegistration({ kind: 'connecting' });
      const ua: UserAgent = new sip.UserAgent({
        ...baseUaOptions(cred.wsUrl),
        uri,
        authorizationUsername: cred.user,
        authorizationPassword: cred.password,
        delegate: {
          onInvite: (invitation) => {
            if (currentRef.current) {
              void invitation.reject({ statusCode: 486 }).catch(() => undefined);
              return;
            }
            const id = invitation.remoteIdentity;
            const remote = { name: id.displayName || id.uri.user || 'Unknown caller', uri: id.uri.toString() };
            track({ direction: 'incoming', session: invitation }, remote, ua);
            eventsRef.current.onIncoming?.(remote);
          },
          onDisconnect: (error) => onDisconnect(ua, error),
        },
      });
      uaRef.current = ua;
      try {
        await ua.start();
      } catch (err) {
        setRegistration({ kind: 'failed', reason: `the phone system cannot be reached (${messageOf(err)})` });
        return;
      }
      const registerer = new sip.Registerer(ua, { expires: 300 });
      registererRef.current = registerer;
      registerer.stateChange.addListener((state) => {
        if (registererRef.current !== registerer) return;
        if (state === sip.RegistererState.Registered) setRegistration({ kind: 'registered' });
        else if (state === sip.RegistererState.Unregistered && !stoppingRef.current)
          setRegistration((prev) => (prev.kind === 'failed' || prev.kind === 'lost' || prev.kind === 'reconnecting' ? prev : { kind: 'unregistered', reason: 'the phone system no longer knows this browser' }));
      });
      setRegistration({ kind: 'registering' });
      await registerer.register({
        requestDelegate: {
          onReject: (res) => setRegistration({ kind: 'failed', reason: refusalText(res.message.statusCode ?? 0) }),
        },
      });
    },
    [stop, track, onDisconnect],
  );

  /** Places one outgoing call from a fresh, unregistered user agent. */
  const call = useCallback(
    async (c: OutgoingCall): Promise<CallStart> => {
      if (currentRef.current) return { ok: false, reason: 'failed', message: 'A call is already up.' };
      const sip = await import('sip.js');
      const from = sip.UserAgent.makeURI(c.from);
      const to = sip.UserAgent.makeURI(c.to);
      if (!from || !to) return { ok: false, reason: 'invalid', message: 'The number is not valid.' };
      const ua: UserAgent = new sip.UserAgent({
        ...baseUaOptions(c.wsUrl),
        uri: from,
        ...(c.displayName ? { displayName: c.displayName } : {}),
        delegate: { onDisconnect: (error) => onDisconnect(ua, error) },
      });
      uaRef.current = ua;
      try {
        await ua.start();
      } catch (err) {
        uaRef.current = null;
        return { ok: false, reason: 'unreachable', message: messageOf(err) };
      }
      const inviter = new sip.Inviter(ua, to, { sessionDescriptionHandlerOptions: AUDIO_ONLY });
      inviter.delegate = {
        onInfo: (info: Info) => {
          eventsRef.current.onInfo?.(info);
          void info.accept().catch(() => undefined);
        },
      };
      track({ direction: 'outgoing', session: inviter }, { name: to.user ?? '', uri: to.toString() }, ua);
      try {
        await inviter.invite({
          requestDelegate: {
            onProgress: (r) => {
              if ((r.message.statusCode ?? 0) < 180 || phaseRef.current !== 'calling') return;
              setPhase('ringing');
              eventsRef.current.onRinging?.();
            },
            onReject: (r) => eventsRef.current.onRejected?.(r.message.statusCode ?? 0, r.message.reasonPhrase ?? ''),
          },
        });
        return { ok: true };
      } catch (err) {
        forget(inviter);
        void stopUa(ua);
        return { ok: false, reason: 'failed', message: messageOf(err) };
      }
    },
    [track, onDisconnect, setPhase, stopUa, forget],
  );

  /** Answers the ringing incoming call with audio only; throws when the answer fails. */
  const answer = useCallback(async () => {
    const current = currentRef.current;
    if (current?.direction !== 'incoming' || phaseRef.current !== 'ringing') return;
    setPhase('answering');
    await current.session.accept({ sessionDescriptionHandlerOptions: AUDIO_ONLY });
  }, [setPhase]);

  /** Hangs up, declines (incoming, ringing) or cancels (outgoing, not answered yet). */
  const hangUp = useCallback(async () => {
    const current = currentRef.current;
    if (!current) return;
    localEndRef.current = true;
    const s = current.session;
    try {
      if (s.state === 'Established') await s.bye();
      else if (current.direction === 'incoming') await (current.session.state === 'Initial' ? current.session.reject() : s.dispose());
      else if (current.session.state === 'Establishing' || current.session.state === 'Initial') await current.session.cancel();
      else await s.dispose();
    } catch {
      await s.dispose().catch(() => undefined);
    }
  }, []);

  return { registration, session, pc, remoteAudioRef, register, call, answer, hangUp, stop };
}

export type SipDevice = ReturnType<typeof useSipDevice>;
