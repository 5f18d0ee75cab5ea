'use client';
import type { DeviceKind } from '@/server/contracts/agent';
import type { Registration } from '../_lib/use-sip-device';
import type { Mic } from './use-browser-device';
import type { Link } from './use-cti-socket';

/**
 * Three tiles, because the three fail separately: the connection to the call service, the
 * browser's phone line (its registration), and the microphone. Colour always comes with words.
 */
function lineText(reg: Registration): string {
  switch (reg.kind) {
    case 'none':
      return 'No device yet';
    case 'connecting':
      return 'Connecting…';
    case 'registering':
      return 'Setting up the line…';
    case 'registered':
      return 'Connected — this browser can take calls';
    case 'reconnecting':
      return `Reconnecting… (try ${reg.attempt} of ${reg.of}). A call you are on is kept meanwhile`;
    case 'failed':
      return `Could not connect: ${reg.reason}`;
    case 'unregistered':
      return `Line closed: ${reg.reason}`;
    case 'lost':
      return `Connection lost: ${reg.reason}`;
  }
}

const MIC_TEXT: Record<Mic, string> = {
  unknown: 'Not asked yet',
  asking: 'Asking…',
  allowed: 'Allowed',
  blocked: 'Blocked — allow the microphone in the browser to talk',
};

export function lineIsDown(reg: Registration): boolean {
  return reg.kind === 'failed' || reg.kind === 'lost' || reg.kind === 'unregistered';
}

export function StatusBar({ link, registration, mic, device }: { link: Link; registration: Registration; mic: Mic; device: DeviceKind | null }) {
  // a phone outside the browser: the console cannot see its line, and says so instead of "no device"
  const phone = registration.kind === 'none' && (device === 'sip_phone' || device === 'mobile');
  const lineTone = registration.kind === 'registered' || phone ? 'ok' : lineIsDown(registration) ? 'bad' : 'wait';
  return (
    <section className="status-strip" aria-label="Connections">
      <div className={`status-tile ${link.kind === 'connected' ? 'ok' : link.kind === 'down' || link.kind === 'signed-out' ? 'bad' : 'wait'}`} data-testid="cti-status" data-state={link.kind}>
        <span className="status-label">Connection</span>
        <span>{link.kind === 'connected' ? 'Connected' : link.kind === 'connecting' ? 'Connecting…' : link.kind === 'signed-out' ? link.reason : `Disconnected: ${link.reason}`}</span>
      </div>
      <div className={`status-tile ${lineTone}`} data-testid="reg-status" data-state={registration.kind} role="status" aria-live="polite">
        <span className="status-label">Phone line</span>
        <span>{phone ? (device === 'sip_phone' ? 'Calls ring on your desk phone or softphone' : 'Calls ring on your mobile') : lineText(registration)}</span>
      </div>
      <div className={`status-tile ${mic === 'allowed' ? 'ok' : mic === 'blocked' ? 'bad' : 'wait'}`} data-testid="mic-status" data-state={mic}>
        <span className="status-label">Microphone</span>
        <span>{MIC_TEXT[mic]}</span>
      </div>
    </section>
  );
}
