/**
 * What a caller hears when the operator's device lost its connection mid-call and the ACD
 * waits for it to come back (server/acd/calls/device-grace.ts): once, then the caller's music.
 * A built-in clip like the waiting announcements' pieces (`server/acd/media/prompts/*.wav`,
 * made by `scripts/make-wait-prompts.ts` with espeak-ng); a library clip of the same name
 * replaces it.
 */
export const RECONNECT_PROMPT = 'say-please-hold';

export const RECONNECT_PROMPTS: Record<string, string> = {
  [RECONNECT_PROMPT]: 'Please hold. We are reconnecting your call.',
};
