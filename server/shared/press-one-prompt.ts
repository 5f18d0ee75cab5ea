/**
 * What an operator's phone hears when it answers an offer that must be accepted with 1
 * (docs/cti.md, "Press 1 to take the call").
 *
 * The queue's name is said in one sentence synthesised when the queue is saved (espeak-ng, the
 * audio library's synthesiser), rather than composed of pieces at offer time: a name is any text
 * an admin types, so no fixed set of pieces can say it; synthesis takes a second or two, far too
 * slow for an offer but nothing for a save; and one sentence keeps espeak's own intonation, where
 * "…from" + a separately spoken name sounds like two announcements. The clip is an `audio_clips`
 * row (`source = 'queue'`) the ACD's clip library loads like any other, so nothing new crosses
 * from the portal to the ACD. Until it exists (a queue saved before this, or synthesis failed),
 * the built-in `say-press1` plays: the same sentence without the name.
 */
export const PRESS1_BUILT_IN = 'say-press1';
export const PRESS1_BUILT_IN_TEXT = 'Press 1 to take this call.';

/**
 * What a supervisor's mobile hears when it answers a monitoring call (docs/cti.md, "Supervisor
 * monitoring"): looped, like the operators' question, until 1 joins it to the call or the wait
 * ends. One sentence for every mode: the supervisor may switch mode on the page before pressing 1.
 */
export const MONITOR_PRESS1 = 'say-monitor-press1';
export const MONITOR_PRESS1_TEXT = 'Supervisor monitoring. Press 1 to join the call.';

/** The library clip of a queue's sentence (a queue id is `q-<hex>`: a valid clip name once prefixed). */
export const press1ClipName = (queueId: string): string => `press1-${queueId.toLowerCase().replace(/[^a-z0-9_-]/g, '-')}`.slice(0, 64);

export const press1Sentence = (queueName: string): string => `Press 1 to take this call from ${queueName}.`;

/** The sentence is looped to the phone until a key or the timeout: a pause between the repeats. */
export const PRESS1_PAUSE_MS = 900;

/** The clip's samples with the pause after them (8 kHz). */
export function withPause(pcm: Int16Array): Int16Array {
  const out = new Int16Array(pcm.length + (PRESS1_PAUSE_MS * 8));
  out.set(pcm);
  return out;
}
