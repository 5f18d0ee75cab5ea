import type { Announce } from '../../contracts/admin/queues';
import { MAX_SPOKEN, numberClip } from '../../shared/wait-prompts';

/**
 * The clips of one position / wait announcement, composed from the built-in spoken pieces
 * (server/shared/wait-prompts.ts). Pure.
 *
 * - position p ≤ 20: "You are number <p> in line."; above: "You are number more than twenty in line."
 * - wait (seconds, null = no estimate: nothing said): under a minute: "…less than a minute."; up
 *   to 20 minutes: "…about <m> minute(s)." (m rounded up); up to 60: rounded up to 5; above:
 *   "…more than sixty minutes."
 * - a queue that offers callbacks ends each with "To keep your place and be called back, press <d>."
 */
export function announcementClips(announce: Announce, position: number, waitSec: number | null, callbackDigit: string | null = null): string[] {
  const clips: string[] = [];
  if (announce === 'position' || announce === 'both') {
    clips.push('say-you-are', ...(position <= 20 ? [numberClip(Math.max(1, position))] : ['say-more-than', numberClip(20)]), 'say-in-line');
  }
  if ((announce === 'wait' || announce === 'both') && waitSec !== null) clips.push(...waitClips(waitSec));
  // the callback offer: "To keep your place and be called back, press <digit>."
  if (callbackDigit !== null) clips.push('say-callback-press', numberClip(Number(callbackDigit)));
  return clips;
}

function waitClips(sec: number): string[] {
  if (sec < 60) return ['say-wait-short'];
  let m = Math.ceil(sec / 60);
  if (m > MAX_SPOKEN) return ['say-wait-long', numberClip(MAX_SPOKEN), 'say-minutes'];
  if (m > 20) m = Math.ceil(m / 5) * 5;
  return ['say-wait-is', numberClip(m), m === 1 ? 'say-minute' : 'say-minutes'];
}
