'use client';
import { useEffect, useMemo, useRef } from 'react';
import type { SessionEnd } from '../_lib/use-sip-device';
import { SiteHeader } from '../_components/site-header';
import { UserBox } from '../_components/user-box';
import { useNow } from '../_lib/time';
import { AgentPanel } from './agent-panel';
import { CallPanel } from './call-panel';
import { DevicePanel } from './device-panel';
import { RecordButton } from './record-button';
import { DialPad } from './dial-pad';
import { lineIsDown, StatusBar } from './status-bar';
import { useAgentState } from './use-agent-state';
import { useBrowserDevice } from './use-browser-device';
import { useCtiSocket } from './use-cti-socket';
import { useOfferedCall } from './use-offered-call';
import { useCallControls } from './use-call-controls';
import { CallControls } from './call-controls';
import { useCallWork } from './use-call-work';
import { useCallerHistory } from './use-caller-history';
import { useConsoleCodes } from './use-console-codes';
import { useOfferAlert } from './use-offer-alert';
import { CallNotes, WrapUpPanel } from './wrap-up-panel';

/**
 * The operator's console. Two connections, shown separately because they fail separately:
 * socket.io to the CTI (who I am, my state, what is offered to me) and sip.js to the ACD
 * (the browser device that actually rings and carries audio). A dropped line is retried a few
 * times in view ("Reconnecting…", the call kept), then shown in red with a button to connect again.
 * State lives in the hooks (use-*); the panels only show it.
 */
export function OperatorConsole() {
  const now = useNow(1000);
  const { socket, link } = useCtiSocket();
  const call = useOfferedCall(socket);
  // a call the operator just dialled rings their browser phone once the number answers: answered by itself
  const dialledAt = useRef(0);
  const answerNow = useRef<() => void>(() => undefined);
  // read when the device's call ends: an end while the line is down is the line's, not the caller's
  const lineDown = useRef(false);
  const deviceEvents = useMemo(
    () => ({
      ...call.deviceEvents,
      onEnded(end: SessionEnd) {
        if (lineDown.current && !end.local) call.deviceEvents.onLost();
        call.deviceEvents.onEnded(end);
      },
      onIncoming() {
        call.deviceEvents.onIncoming();
        if (Date.now() - dialledAt.current < 90_000) {
          dialledAt.current = 0;
          setTimeout(() => answerNow.current(), 0);
        }
      },
    }),
    [call.deviceEvents],
  );
  const device = useBrowserDevice(socket, deviceEvents);
  answerNow.current = () => void device.answer();
  const { registration, session, pc, remoteAudioRef, hangUp } = device.phone;
  useEffect(() => {
    lineDown.current = registration.kind === 'reconnecting' || registration.kind === 'lost';
  }, [registration.kind]);
  const { agent, error: agentError, setReady, extendWrapUp } = useAgentState(socket, lineIsDown(registration));
  const connected = link.kind === 'connected';
  // the CTI is told too (use-agent-state.ts) and will not offer calls; the buttons say why they wait
  const lineDownWhy = agent?.device === 'browser' && lineIsDown(registration) ? 'Your phone line is down: it reconnects by itself, or press “Reconnect this browser”. Then you can take calls.' : null;
  const codes = useConsoleCodes(socket);
  const history = useCallerHistory(socket, call.offer?.callId ?? null);
  const work = useCallWork(socket, agent?.wrapUp?.callId ?? (agent?.state === 'talking' ? agent.callId : null));
  const controls = useCallControls(socket, agent?.state === 'talking' ? agent.callId : null, call.showView, call.noteEnded);
  const ringing = session?.phase === 'ringing' || (session === null && agent?.state === 'reserved');
  const alert = useOfferAlert(call.offer, ringing);
  const ready = () => {
    alert.askPermission(); // a click: the one moment a browser lets a page ask
    void setReady(true);
  };
  const answer = () => {
    // opened from the click, so the browser does not block it as a pop-up
    if (call.offer?.screenPopUrl) window.open(call.offer.screenPopUrl, '_blank', 'noopener,noreferrer');
    void device.answer();
  };
  const finishWrapUp = async () => {
    if (await work.flush()) await setReady(true);
  };

  return (
    <>
      <SiteHeader>
        <UserBox beforeSignOut={device.release} />
      </SiteHeader>
      <main id="main" className="page console">
        <h1 className="visually-hidden">Operator console</h1>
        <StatusBar link={link} registration={registration} mic={device.mic} device={agent?.device ?? null} />
        {link.kind === 'signed-out' && (
          <p className="alert alert-error" role="alert" data-testid="signed-out">
            {link.reason}. Ask your administrator if this is a mistake. <a href="/login">Sign in</a>
          </p>
        )}
        <div className="console-grid">
          <section className="panel" aria-labelledby="agent-h">
            <AgentPanel
              agent={agent}
              now={now}
              error={agentError}
              connected={connected}
              reasons={codes.notReady}
              alerts={alert.permission}
              lineDownWhy={lineDownWhy}
              onReady={ready}
              onNotReady={(code) => {
                void (async () => {
                  await work.flush();
                  await setReady(false, code);
                })();
              }}
            />
            <DevicePanel socket={socket} device={device} connected={connected} mobileActive={agent?.device === 'mobile'} sipPhoneActive={agent?.device === 'sip_phone'} onCall={agent?.state === 'reserved' || agent?.state === 'talking'} />
            <DialPad socket={socket} agent={agent} connected={connected} onDialled={() => (dialledAt.current = agent?.device === 'browser' ? Date.now() : 0)} />
          </section>
          <CallPanel
            now={now}
            agent={agent}
            offer={call.offer}
            view={call.view}
            ended={call.ended}
            session={session}
            pc={pc}
            remoteAudioRef={remoteAudioRef}
            lineReady={registration.kind === 'registered'}
            lineDown={lineIsDown(registration)}
            reconnecting={registration.kind === 'reconnecting'}
            history={history}
            onAnswer={answer}
            onHangUp={() => void hangUp()}
            recordControl={<RecordButton socket={socket} view={call.view} talking={session?.phase === 'established'} />}
            controls={agent?.state === 'talking' && call.view?.callId === agent.callId ? <CallControls view={call.view} controls={controls} /> : null}
          >
            {agent?.state === 'talking' && work.callId && <CallNotes work={work} />}
            {agent?.state === 'wrap_up' && agent.wrapUp && (
              <WrapUpPanel wrapUp={agent.wrapUp} now={now} work={work} dispositions={codes.disposition} connected={connected} lineDownWhy={lineDownWhy} onFinish={() => void finishWrapUp()} onExtend={() => void extendWrapUp()} error={null} />
            )}
          </CallPanel>
        </div>
      </main>
    </>
  );
}
