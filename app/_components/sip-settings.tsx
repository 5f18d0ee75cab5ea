import type { ReactNode } from 'react';
import type { SipPhoneGrant } from '@/server/contracts/socket-events';

/**
 * What to type into a desk phone or softphone (user, password, domain, server, port, transport),
 * shared by the console's SIP-phone device and the supervision page's. The password shows only
 * when asked for.
 */
export function SipSettings({ grant, reveal, onToggle }: { grant: SipPhoneGrant; reveal: boolean; onToggle(): void }) {
  return (
    <dl>
      <Setting label="User name" testId="sip-user" mono>
        {grant.sipUser}
      </Setting>
      <div>
        <dt>Password</dt>
        <dd className="mono sip-password">
          <span data-testid="sip-password" data-revealed={reveal}>
            {reveal ? grant.sipPassword : '••••••••••••'}
          </span>
          <button type="button" className="btn btn-quiet btn-small" onClick={() => onToggle()} aria-pressed={reveal} data-testid="sip-password-toggle">
            {reveal ? 'Hide' : 'Show'}
          </button>
        </dd>
      </div>
      <Setting label="Domain" testId="sip-domain" mono>
        {grant.domain}
      </Setting>
      <Setting label="Server" testId="sip-server" mono>
        {grant.server}
      </Setting>
      <Setting label="Port" testId="sip-port" mono>
        {grant.port}
      </Setting>
      <Setting label="Transport" testId="sip-transport">
        {grant.transports.join(' or ')}
      </Setting>
    </dl>
  );
}

/** One line of the settings: what the phone's form calls it, and the value to type. */
function Setting({ label, testId, mono = false, children }: { label: string; testId: string; mono?: boolean; children: ReactNode }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd className={mono ? 'mono' : undefined} data-testid={testId}>
        {children}
      </dd>
    </div>
  );
}
