/**
 * What a caller hears when told about recording (docs/recordings.md, "Telling the caller"):
 * clip names and their sentences. Built-in clips like the waiting announcements' pieces
 * (`server/acd/media/prompts/*.wav`, made by `scripts/make-wait-prompts.ts` with espeak-ng);
 * a library clip of the same name replaces one (an admin's own voice).
 */
export const RECORDING_PROMPT = {
  /** before the bridge of a call in a queue that records every call */
  always: 'say-rec-may',
  /** to the caller alone, when the operator presses Record */
  onDemand: 'say-rec-now',
} as const;

export const RECORDING_PROMPTS: Record<string, string> = {
  [RECORDING_PROMPT.always]: 'This call may be recorded for quality and training.',
  [RECORDING_PROMPT.onDemand]: 'This call is now being recorded.',
};
