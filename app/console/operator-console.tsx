'use client';
import { SiteHeader } from '../_components/site-header';
import { UserBox } from '../_components/user-box';
import { useNow } from '../_lib/time';
import { AgentPanel } from './agent-panel';
import { CallPanel } from './call-panel';
import { DevicePanel } from './device-panel';
import { lineIsDown, StatusBar } from './status-bar';
import { useAgentState } from './use-agent-state';
import { useBrowserDevice } from './use-browser-device';
import { useCtiSocket } from './use-cti-socket';
import { useOfferedCall } from './use-offered-call';

/**
 * The operator's console. Two connections, shown separately because they fail separately:
 * socket.io to the CTI (who I am, my state, what is offered to me) and sip.js to the ACD
 * (the browser device that actually rings and carries audio). A lost registration is shown
 * in red with a button to connect again — never retried behind the operator's back.
 * State lives in the hooks (use-*); the panels only show it.
 */
export function OperatorConsole() {
  const now = useNow(1000);
  const { socket, link } = useCtiSocket();
  const call = useOfferedCall(socket);
  const device = useBrowserDevice(socket, call.deviceEvents);
  const { registration, session, pc, remoteAudioRef, hangUp } = device.phone;
  const { agent, error: agentError, setReady } = useAgentState(socket, lineIsDown(registration));
  const connected = link.kind === 'connected';

  return (
    <>
      <SiteHeader>
        <UserBox beforeSignOut={device.release} />
      </SiteHeader>
      <main id="main" className="page console">
        <h1 className="visually-hidden">Operator console</h1>
        <StatusBar link={link} registration={registration} mic={device.mic} />
        <div className="console-grid">
          <section className="panel" aria-labelledby="agent-h">
            <AgentPanel agent={agent} now={now} error={agentError} connected={connected} onReady={(ready) => void setReady(ready)} />
            <DevicePanel socket={socket} device={device} connected={connected} mobileActive={agent?.device === 'mobile'} />
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
            onAnswer={() => void device.answer()}
            onHangUp={() => void hangUp()}
          />
        </div>
      </main>
    </>
  );
}
