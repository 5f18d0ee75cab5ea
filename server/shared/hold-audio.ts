/**
 * Which clip a caller to a number hears while parked: the number's own clip wins; `default` on
 * the number means "whatever its queue plays". One rule for the ACD's dial plan and the CTI's
 * routing cache, so what the CTI reports and what the ACD plays never differ.
 */
export function holdAudioOf(numberAudio: string, queueAudio: string | null): string {
  return numberAudio && numberAudio !== 'default' ? numberAudio : queueAudio || 'default';
}
