/**
 * Why a dial of an operator's device failed, from the final SIP status the bank saw: a fixed
 * list (a label set that cannot grow), read by /metrics as `patchbay_dial_failures_total{cause}`.
 * 503 covers the ACD refusing (overload, no bank registered); 487 the CTI's own CANCEL (the
 * caller left, the offer timed out).
 */
export const DIAL_FAILURE_CAUSES = ['busy', 'no_answer', 'declined', 'cancelled', 'not_found', 'unavailable', 'error'] as const;
export type DialFailureCause = (typeof DIAL_FAILURE_CAUSES)[number];

export function dialFailureIndex(status: number): number {
  switch (status) {
    case 486:
    case 600:
      return 0;
    case 408:
    case 480:
      return 1;
    case 603:
      return 2;
    case 487:
      return 3;
    case 404:
    case 410:
    case 484:
    case 604:
      return 4;
    case 503:
      return 5;
    default:
      return 6;
  }
}
