'use client';
import { useEffect, useRef, type ReactNode, type RefObject } from 'react';
import { numberFromUri, type CallerHistory } from '@/server/contracts/call-work';
import type { AgentView, CallOffer, CallView } from '@/server/contracts/socket-events';
import { AudioStatsPanel } from '../_components/audio-stats';
import { formatPhone } from '../_lib/phone-format';
import { formatDuration } from '../_lib/time';
import type { SipSessionView } from '../_lib/use-sip-device';
import { CallerHistoryList } from './caller-history';
import { consultNote } from './consult-note';
import { phoneRingingText } from './phone-ringing-text';

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
  /** the browser's line is down (reconnecting after a drop, or lost) */
  lineDown: boolean;
  /** the line's connection dropped and is being restored (the ACD keeps the call meanwhile) */
  reconnecting: boolean;
  history: { data: CallerHistory | null; error: string | null } | null;
  onAnswer: () => void;
  onHangUp: () => void;
  /** Hold, Mute, Keypad, Transfer: under Answer / Hang up */
  controls?: ReactNode;
  /** what follows the call (after-call work) */
  children?: ReactNode;
  /** the Record / Stop control of queues that record on demand (record-button.tsx) */
  recordControl?: ReactNode;
}) {
  const { now, agent, offer, view, session } = props;
  const answerRef = useRef<HTMLButtonElement | null>(null);
  const phase = session?.phase === 'calling' ? null : (session?.phase ?? null);

  useEffect(() => {
    if (phase === 'ringing') answerRef.current?.focus();
  }, [phase]);

  const talking = phase === 'established';
  const reconnecting = talking && props.reconnecting;
  const answeredAt = talking ? (view?.answeredAt ?? session?.establishedAt ?? null) : null;
  const showCall = session !== null || (offer !== null && view?.status !== 'ended');
  const number = offer?.callerNumber ?? numberFromUri(session?.remote.uri);
  // a phone device (mobile, SIP phone) rings outside the browser: the console follows the CTI
  const onPhone = agent?.device !== null && agent?.device !== undefined && agent.device !== 'browser';
  const ctiPhase = view?.status === 'connected' || view?.status === 'held' ? 'talking' : 'offered';
  // a consultation from another operator: said as such, not as a caller of theirs
  const consult = consultNote(offer, view, agent?.operatorId ?? null);

  return (
    <section className={`panel call-panel ${phase ? `call-${phase === 'established' ? 'talking' : phase}` : ''}`} aria-labelledby="call-h" data-testid="call-panel">
      <h2 id="call-h">Call</h2>
      {showCall ? (
        <>
          <div className="call-phase" role="status" aria-live="assertive" data-testid="call-phase" data-phase={phase === 'established' ? 'talking' : (phase ?? 'offered')}>
            {reconnecting ? 'Reconnecting your call…' : view?.status === 'held' && phase === 'established' ? 'On the call — caller on hold' : phase === 'ringing' && consult ? 'Incoming consultation' : phase ? PHASE_TEXT[phase] : onPhone && ctiPhase === 'talking' ? 'On the call (on your phone)' : onPhone ? phoneRingingText(offer) : 'A call is coming to you'}
          </div>
          {reconnecting && (
            <div className="alert alert-warn" role="status" data-testid="call-reconnecting">
              <strong>Your connection dropped — getting it back.</strong>
              <p className="small">The caller hears “Please hold” and music until you are back. Keep this page open.</p>
            </div>
          )}
          {consult && (
            <div className="alert alert-info" role="status" data-testid="call-consult-from">
              <strong>{consult.headline}</strong>
              <p className="small">{consult.detail}</p>
            </div>
          )}
          <dl className="call-facts">
            <div>
              <dt>Caller</dt>
              <dd data-testid="call-caller">{offer?.callerName || session?.remote.name || 'Unknown'}</dd>
            </div>
            {number && (
              <div>
                <dt>Calling from</dt>
                <dd className="num" data-testid="call-caller-number" data-number={number}>
                  {formatPhone(number)}
                </dd>
              </div>
            )}
            <div>
              <dt>Queue</dt>
              <dd data-testid="call-queue">{offer?.queue ?? '—'}</dd>
            </div>
            <div>
              <dt>Number dialled</dt>
              <dd className="num" data-testid="call-dialed">
                {offer ? formatPhone(offer.dialed) : '—'}
              </dd>
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
            <button type="button" ref={answerRef} className="btn btn-answer" onClick={props.onAnswer} disabled={phase !== 'ringing'} title={answerWhyNot(phase, onPhone) ?? 'Answer the call (the caller hears you at once)'} data-testid="call-answer">
              Answer
            </button>
            <button type="button" className="btn btn-hangup" onClick={props.onHangUp} disabled={!session} title={session ? undefined : onPhone ? 'Hang up on your phone' : 'Your phone line has not rung yet: the call reaches it in a moment'} data-testid="call-hangup">
              {phase === 'ringing' ? 'Decline' : 'Hang up'}
            </button>
          </div>
          {props.controls}
          {offer?.screenPopUrl && (
            <p className="small">
              <a href={offer.screenPopUrl} target="_blank" rel="noopener noreferrer" data-testid="call-screen-pop">
                Open the caller’s record ↗
              </a>
            </p>
          )}
          {props.recordControl}
          {/* the figures stop while the connection is down: no stale "Good" */}
          {!reconnecting && <AudioStatsPanel pc={props.pc} />}
          <h3 className="history-h">Earlier calls</h3>
          <CallerHistoryList history={props.history} />
        </>
      ) : (
        <p className="muted" data-testid="call-idle">
          {idleText(agent, props.lineReady, props.lineDown)}
        </p>
      )}
      {props.ended && !session && (
        <p className="alert alert-info" role="status" data-testid="call-ended">
          {props.ended}
        </p>
      )}
      {props.children}
      <audio ref={props.remoteAudioRef} autoPlay data-testid="remote-audio" />
    </section>
  );
}

/** What the empty call panel says: what to do next. */
function idleText(agent: AgentView | null, lineReady: boolean, lineDown: boolean): string {
  if (agent?.state === 'wrap_up') return lineDown ? 'The call is over: note what happened below. Your phone line is down, so no call can reach you until it is back.' : 'The call is over: note what happened below, then finish.';
  if (lineDown && agent?.device === 'browser') return 'Your phone line is down: it reconnects by itself, or press “Reconnect this browser”. Calls reach you again once it is back and you are Ready.';
  if (!lineReady && (agent?.device ?? 'browser') === 'browser') return 'Choose a device to take calls.';
  return agent?.state === 'ready' ? 'Waiting for a call…' : 'Press Ready to receive calls.';
}

/** Why Answer cannot be pressed now (its tooltip), or null when it can. */
function answerWhyNot(phase: string | null, onPhone: boolean): string | null {
  if (phase === 'ringing') return null;
  if (onPhone) return 'Calls ring on your phone: answer there';
  if (phase === 'answering') return 'Answering: connecting you to the caller';
  if (phase === 'established') return 'You are on this call';
  return 'Your phone line has not rung yet: the call reaches it in a moment';
}
