import type { TrunkLiveStatus, TrunkRow } from '@/server/contracts/admin/trunks';

/** A trunk's registration state in plain words and a tone (pure: the page and its test share it). */
export type Tone = 'ok' | 'warn' | 'bad' | 'idle';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  407: 'Proxy Authentication Required',
  408: 'no answer from the carrier',
  480: 'Temporarily Unavailable',
  500: 'Server Error',
  503: 'carrier unreachable or unavailable',
};

/** "45 s", "4 min", "2 h" */
export function inWords(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  return m < 120 ? `${m} min` : `${Math.round(m / 60)} h`;
}

/** The state in plain words, from the saved settings and the ACD's report. */
export function describe(
  t: Pick<TrunkRow, 'enabled' | 'register'>,
  live: TrunkLiveStatus | undefined,
  loaded: boolean,
  now: number,
  elsewhere = false,
): { tone: Tone; text: string } {
  if (!t.enabled) return { tone: 'idle', text: 'Disabled: the switch ignores this trunk' };
  if (!t.register) return { tone: 'idle', text: 'Registration off' };
  if (!loaded) return { tone: 'idle', text: 'Checking…' };
  if (elsewhere) return { tone: 'idle', text: 'Not shown here: the switch runs on another machine (see its log)' };
  const r = live?.registration;
  if (!r || r.state === 'off') return { tone: 'warn', text: 'Waiting for the switch to pick up the saved settings' };
  if (r.state === 'registering') return { tone: 'warn', text: r.failures > 0 ? `Registering (attempt ${r.failures + 1})…` : 'Registering…' };
  if (r.state === 'registered') return { tone: 'ok', text: r.nextAttemptAt ? `Registered, renews in ${inWords(r.nextAttemptAt - now)}` : 'Registered' };
  const why = r.lastStatus ? `${r.lastStatus} ${REASONS[r.lastStatus] ?? ''}`.trim() : 'no answer';
  return { tone: 'bad', text: `Failed: ${why}${r.nextAttemptAt ? ` — retrying in ${inWords(r.nextAttemptAt - now)}` : ''}` };
}

