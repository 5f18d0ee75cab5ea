'use client';
import { useState } from 'react';
import type { SipPhoneGrant } from '@/server/contracts/socket-events';
import { SipSettings } from '../_components/sip-settings';
import { ask, type CtiSocket } from '../_lib/cti-socket';

/**
 * "A desk phone or softphone": the CTI issues credentials and the console shows what to type into
 * the phone's account settings. The password is hidden until the operator shows it, lives only in
 * this page's memory (a reload asks for new settings) and is never logged.
 */
export function SipPhoneDevice(props: { socket: CtiSocket | null; disabled: boolean; active: boolean; onChosen: () => Promise<void> }) {
  const [grant, setGrant] = useState<SipPhoneGrant | null>(null);
  const [reveal, setReveal] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function choose() {
    setBusy(true);
    setError(null);
    const r = await ask(props.socket, 'agent:device', { kind: 'sip_phone' });
    setBusy(false);
    if (!r.ok) return setError(r.error.message);
    if (r.data.kind !== 'sip_phone') return setError('The server chose another device; try again.');
    setReveal(false);
    setGrant(r.data);
    await props.onChosen(); // only one device rings: the browser line is released
  }

  const shown = props.active ? grant : null;
  return (
    <>
      <h2 id="sip-phone-h">Desk phone or softphone</h2>
      <p className="muted">Calls ring on a phone you set up with the details shown here. The console still shows who is calling.</p>
      <div className="btn-row">
        <button type="button" className="btn btn-quiet" onClick={() => void choose()} disabled={busy || props.disabled} title={props.disabled ? 'You can change your device when you are connected and not on a call' : 'Show the settings for a new phone account'} data-testid="device-sip-phone">
          {shown ? 'New settings (calls then ring only where they are typed in)' : 'Use a desk phone or softphone'}
        </button>
      </div>
      {error && (
        <p className="alert alert-error" role="alert" data-testid="sip-phone-error">
          {error}
        </p>
      )}
      {shown && (
        <div className="sip-settings" data-testid="sip-phone-settings">
          <p className="small">Type these into your phone’s account settings, then press Ready once the phone says it is registered.</p>
          <SipSettings grant={shown} reveal={reveal} onToggle={() => setReveal((v) => !v)} />
          <p className="muted small">
            Valid until {new Date(shown.expiresAt * 1000).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' })}. The same user name goes in the phone’s “authentication user” field if it has one.
          </p>
        </div>
      )}
    </>
  );
}
