import type { RTCSession } from 'jssip/lib/RTCSession';

/** The ACD's answer to an INFO the bank sent on a control dialog. */
export interface InfoAnswer {
  /** the final response's status; 481 when the dialog ended first, 408 when nothing came back, 0 when it could not be sent */
  status: number;
  reason: string;
  header(name: string): string | undefined;
}

/** What JsSIP hands to a local INFO's listeners. */
interface InfoLike {
  on(event: 'succeeded' | 'failed', listener: (e: { response?: { status_code?: number; reason_phrase?: string; getHeader?(n: string): string | undefined } }) => void): void;
}

const NO_HEADERS = () => undefined;

/**
 * Sends one INFO on a leg's control dialog and resolves with the ACD's answer. JsSIP's
 * `sendInfo()` returns nothing: the INFO object it announces as `newInfo` (originator `local`)
 * while sending carries the answer. A dialog that ends first, or no answer within `timeoutMs`
 * (the ACD answers a recording's `off` only once the file is finalised), resolves as a failure.
 * Never rejects.
 */
export function sendInfo(session: RTCSession, contentType: string, body: string, extraHeaders: string[] = [], timeoutMs = 10_000): Promise<InfoAnswer> {
  if (session.isEnded()) return Promise.resolve({ status: 481, reason: 'control dialog ended', header: NO_HEADERS });
  return new Promise<InfoAnswer>((resolve) => {
    let settled = false;
    const done = (a: InfoAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      session.removeListener('newInfo', onInfo);
      session.removeListener('ended', onEnded);
      session.removeListener('failed', onEnded);
      resolve(a);
    };
    const timer = setTimeout(() => done({ status: 408, reason: 'no answer from the ACD', header: NO_HEADERS }), timeoutMs);
    const onEnded = () => done({ status: 481, reason: 'control dialog ended', header: NO_HEADERS });
    const onInfo = (e: { originator?: string; info?: InfoLike }) => {
      if (e.originator !== 'local' || !e.info) return;
      session.removeListener('newInfo', onInfo);
      const answer = (r: { response?: { status_code?: number; reason_phrase?: string; getHeader?(n: string): string | undefined } }, fallback: number) =>
        done({ status: r.response?.status_code ?? fallback, reason: r.response?.reason_phrase ?? (fallback === 200 ? 'OK' : 'failed'), header: (n) => r.response?.getHeader?.(n) });
      e.info.on('succeeded', (r) => answer(r, 200));
      e.info.on('failed', (r) => answer(r, 0));
    };
    session.on('newInfo', onInfo);
    session.on('ended', onEnded);
    session.on('failed', onEnded);
    try {
      session.sendInfo(contentType, body, { extraHeaders });
    } catch (err) {
      done({ status: 0, reason: err instanceof Error ? err.message : String(err), header: NO_HEADERS });
    }
  });
}
