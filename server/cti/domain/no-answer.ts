/**
 * Ring-no-answer (pure). A missed offer sends the call back to its place in the queue (it keeps
 * its arrival time, so it stays ahead of later callers) and on to the next operator. The operator
 * is set Not ready only after `maxNoAnswer` consecutive misses (default 1: the first miss, as
 * before); below that they go back to Ready. Either way the call is not offered to them again for
 * `missCooldownSec`. An answered offer resets the count.
 */
export interface MissVerdict {
  /** the operator's consecutive misses after this one (0 once they are set Not ready) */
  misses: number;
  notReady: boolean;
  /** ms since epoch until which this call is not offered to this operator again */
  skipUntil: number;
}

export function afterMiss(previousMisses: number, maxNoAnswer: number, missCooldownSec: number, now: number): MissVerdict {
  const misses = previousMisses + 1;
  const notReady = misses >= Math.max(1, maxNoAnswer);
  return { misses: notReady ? 0 : misses, notReady, skipUntil: now + missCooldownSec * 1000 };
}
