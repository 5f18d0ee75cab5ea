'use client';
import { useEffect, useRef, type RefObject } from 'react';
import type { AgentView, CallOffer, CallView } from '@/server/contracts/socket-events';
import { AudioStatsPanel } from '../_components/audio-stats';
import { formatDuration } from '../_lib/time';
import type { SipSessionView } from '../_lib/use-sip-device';

/** The caller's own number when their address carries one (a web caller's address is no number). */
export function callerNumber(uri: string | null | undefined): string | null {
  const user = /^sips?:([^@;]+)@/.exec(uri ?? '')?.[1];
  return user && /^\+?\d[\d-]{2,}$/.test(user) ? user : null;
}

const PHASE_TEXT = { ringing: 'Incoming call', answering: 'Connecting…', established: 'On the call' } as const;

/**
 * The centre of the console: who is calling (from the CTI's offer), the device's session
 * (ringing, answering, talking), Answer / Decline / Hang up, the live audio, and how it ended.
 */
export function CallPanel(props: {
  now: number;
  agent: AgentView | null;
  offer: CallOffer | null;
  view: CallView | null;
  ended: string | null;
  session: SipSessionView | null;
  pc: RTCPeerConnection | null;
  remoteAudioRef: RefObject<HTMLAudioElement | null>;
  lineReady: boolean;
  onAnswer: () => void;
  onHangUp: () => void;
}) {
  const { now, agent, offer, view, session } = props;
  const answerRef = useRef<HTMLButtonElement | null>(null);
  const phase = session?.phase === 'calling' ? null : (session?.phase ?? null);

  useEffect(() => {
    if (phase === 'ringing') answerRef.current?.focus();
  }, [phase]);

  const talking = phase === 'established';
  const answeredAt = talking ? (view?.answeredAt ?? session?.establishedAt ?? null) : null;
  const showCall = session !== null || (offer !== null && view?.status !== 'ended');
  const number = callerNumber(offer?.callerUri ?? session?.remote.uri);

  return (
    <section className={`panel call-panel ${phase ? `call-${phase === 'established' ? 'talking' : phase}` : ''}`} aria-labelledby="call-h" data-testid="call-panel">
      <h2 id="call-h">Call</h2>
      {showCall ? (
        <>
          <div className="call-phase" role="status" aria-live="assertive" data-testid="call-phase" data-phase={phase === 'established' ? 'talking' : (phase ?? 'offered')}>
            {phase ? PHASE_TEXT[phase] : 'A call is coming to you'}
          </div>
          <dl className="call-facts">
            <div>
              <dt>Caller</dt>
              <dd data-testid="call-caller">{offer?.callerName || session?.remote.name || 'Unknown'}</dd>
            </div>
            {number && (
              <div>
                <dt>Calling from</dt>
                <dd className="mono" data-testid="call-caller-uri">
                  {number}
                </dd>
              </div>
            )}
            <div>
              <dt>Queue</dt>
              <dd data-testid="call-queue">{offer?.queue ?? '—'}</dd>
            </div>
            <div>
              <dt>Number dialled</dt>
              <dd data-testid="call-dialed">{offer?.dialed ?? '—'}</dd>
            </div>
            <div>
              <dt>{talking ? 'Waited' : 'Waiting'}</dt>
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
            <button type="button" ref={answerRef} className="btn btn-answer" onClick={props.onAnswer} disabled={phase !== 'ringing'} title={answerWhyNot(phase) ?? 'Answer the call (the caller hears you at once)'} data-testid="call-answer">
              Answer
            </button>
            <button type="button" className="btn btn-hangup" onClick={props.onHangUp} disabled={!session} title={session ? undefined : 'Your phone line has not rung yet: the call reaches it in a moment'} data-testid="call-hangup">
              {phase === 'ringing' ? 'Decline' : 'Hang up'}
            </button>
          </div>
          <AudioStatsPanel pc={props.pc} />
        </>
      ) : (
        <p className="muted" data-testid="call-idle">
          {props.lineReady || agent?.device === 'mobile' ? (agent?.state === 'ready' ? 'Waiting for a call…' : 'Press Ready to receive calls.') : 'Choose a device to take calls.'}
        </p>
      )}
      {props.ended && !session && (
        <p className="alert alert-info" role="status" data-testid="call-ended">
          {props.ended}
        </p>
      )}
      <audio ref={props.remoteAudioRef} autoPlay data-testid="remote-audio" />
    </section>
  );
}

/** Why Answer cannot be pressed now (its tooltip), or null when it can. */
function answerWhyNot(phase: string | null): string | null {
  if (phase === 'ringing') return null;
  if (phase === 'answering') return 'Answering: connecting you to the caller';
  if (phase === 'established') return 'You are on this call';
  return 'Your phone line has not rung yet: the call reaches it in a moment';
}
