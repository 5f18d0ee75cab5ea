import { parsePhoneNumberFromString } from 'libphonenumber-js/min';

/**
 * A caller's number as people write it: "+44 20 7946 0958" for an international (E.164) number
 * (libphonenumber-js, Google's metadata: grouping differs per country and changes over time, so
 * it is not ours to hand-roll). Digits without a country code stay as they came.
 */
export function formatPhone(number: string): string {
  const parsed = number.startsWith('+') ? parsePhoneNumberFromString(number) : undefined;
  return parsed?.isPossible() ? parsed.formatInternational() : number;
}
