'use client';
import type { CtiSocket } from '../_lib/cti-socket';
import { MobileDevice } from '../_components/mobile-device';
import { SipPhoneDevice } from './sip-phone-device';
import { lineIsDown } from './status-bar';
import type { BrowserDevice } from './use-browser-device';

/** "My device": this browser (sip.js) or the operator's own mobile, where calls ring. */
export function DevicePanel(props: { socket: CtiSocket | null; device: BrowserDevice; connected: boolean; mobileActive: boolean; sipPhoneActive: boolean; onCall: boolean }) {
  const { device } = props;
  const reg = device.phone.registration;
  return (
    <>
      <h2 id="device-h">My device</h2>
      <p className="muted">Calls ring on the device you choose here.</p>
      <div className="btn-row">
        <button type="button" className="btn btn-primary" onClick={() => void device.start()} disabled={device.busy || !props.connected} data-testid="device-browser">
          {device.grant ? (lineIsDown(reg) ? 'Reconnect this browser' : 'Restart this browser’s line') : 'This browser'}
        </button>
      </div>
      {device.grant && reg.kind === 'registered' && (
        <p className="muted small" data-testid="device-user">
          Calls ring in this tab: keep it open.
        </p>
      )}
      {device.error && (
        <p className="alert alert-error" role="alert" data-testid="device-error">
          {device.error}
        </p>
      )}
      <MobileDevice socket={props.socket} onChosen={device.release} disabled={!props.connected} active={props.mobileActive} />
      <SipPhoneDevice socket={props.socket} onChosen={device.release} disabled={!props.connected || props.onCall} active={props.sipPhoneActive} />
    </>
  );
}
