import type { Logger } from '../../../log';
import { expectedPassword, parseSipUser } from '../../../shared/credentials';
import type { FailureLimiter } from '../../../shared/failure-limiter';
import type { ServerInvite } from '../../server-transactions';
import { makeResponse } from '../../sip/builders';
import { parseDigest, type DigestAuthenticator } from '../../sip/digest';
import type { SipRequest } from '../../sip/message';
import type { Flow } from '../../transport/flow';

/**
 * Only the controller dials: a dial INVITE must carry a bank user's digest (407 challenge,
 * single-use nonces). Failures count against the source (503 with Retry-After when over).
 */
export class DialAuthorizer {
  constructor(
    private readonly secret: string,
    private readonly digest: DigestAuthenticator,
    private readonly limiter: FailureLimiter,
    private readonly log: Logger,
  ) {}

  /** The bank user who may dial, or null once the INVITE has been answered (challenge or refusal). */
  authorize(req: SipRequest, flow: Flow, st: ServerInvite): string | null {
    const source = flow.remoteAddress;
    const wait = this.limiter.check(source).retryAfterSec;
    if (wait > 0) return refuse(st, req, 503, 'Too Many Failed Attempts', [['Retry-After', String(wait)]]);
    const header = req.headers.get('Proxy-Authorization');
    const creds = header ? parseDigest(header) : null;
    if (!creds) return refuse(st, req, 407, undefined, [['Proxy-Authenticate', this.digest.challenge(false)]]);
    const check = this.digest.verify(creds, 'INVITE', (u) => expectedPassword(this.secret, u), { singleUse: true });
    if (!check.ok) {
      if (check.reason === 'stale' || check.reason === 'bad-nonce' || check.reason === 'wrong-realm') {
        return refuse(st, req, 407, undefined, [['Proxy-Authenticate', this.digest.challenge(check.reason === 'stale')]]);
      }
      this.limiter.fail(source);
      this.log.warn({ source, user: creds.username, reason: check.reason }, 'dial INVITE authentication failed');
      return refuse(st, req, 403, 'Bad Credentials');
    }
    if (parseSipUser(check.username)?.kind !== 'bank') {
      this.limiter.fail(source);
      this.log.warn({ source, user: check.username, to: req.uri }, 'dial INVITE from a non-bank user refused');
      return refuse(st, req, 403, 'Only The Controller May Dial');
    }
    return check.username;
  }
}

function refuse(st: ServerInvite, req: SipRequest, status: number, reason?: string, headers?: Array<[string, string]>): null {
  st.respond(makeResponse(req, status, { ...(reason ? { reason } : {}), ...(headers ? { headers } : {}) }));
  return null;
}
