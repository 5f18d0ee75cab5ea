/**
 * The spoken pieces of the waiting callers' announcements (docs/cti.md, "Position and wait
 * announcements"): clip names and the sentence each says. The CTI composes an announcement from
 * these names (`server/cti/domain/wait-announcement.ts`); the ACD ships them as built-in clips
 * (`server/acd/media/prompts/*.wav`, made by `npx tsx scripts/make-wait-prompts.ts` with the
 * project's espeak-ng). A library clip of the same name replaces one: an admin can record their
 * own voice for any piece.
 */
export const NUMBER_WORDS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen', 'twenty'] as const;
/** the numbers above twenty a minute count is rounded to (minutes > 20 in steps of 5) */
export const TENS = { 25: 'twenty five', 30: 'thirty', 35: 'thirty five', 40: 'forty', 45: 'forty five', 50: 'fifty', 55: 'fifty five', 60: 'sixty' } as const;

/** the largest number there is a piece for */
export const MAX_SPOKEN = 60;

export const numberClip = (n: number): string => `say-n${n}`;

export const WAIT_PROMPTS: Record<string, string> = {
  'say-you-are': 'You are number',
  'say-in-line': 'in line.',
  'say-more-than': 'more than',
  'say-wait-is': 'Your expected wait is about',
  'say-wait-long': 'Your expected wait is more than',
  'say-wait-short': 'Your expected wait is less than a minute.',
  'say-minute': 'minute.',
  'say-minutes': 'minutes.',
  'say-callback-press': 'To keep your place and be called back, press',
  'say-callback-ok': 'Thank you. We will call you back when it is your turn. Goodbye.',
  // the callback number confirmed on the keypad (server/cti/domain/callback-confirm.ts)
  'say-callback-number': 'We will call you back on',
  'say-callback-confirm': 'To confirm, press one. To use another number, enter it with the country code, then press the hash key.',
  'say-callback-enter': 'Please enter the number to call you back on, with the country code, then press the hash key.',
  'say-callback-bad': 'Sorry, we cannot call that number back.',
  'say-callback-kept': 'You keep your place in line.',
  // digits are read one by one, so zero is a piece too
  ...Object.fromEntries(NUMBER_WORDS.map((w, i) => [numberClip(i), w])),
  ...Object.fromEntries(Object.entries(TENS).map(([n, w]) => [numberClip(Number(n)), w])),
};
