/**
 * Each operator's calls answered and talk time today (UTC day), for fewest-calls and
 * least-talk-time. Kept in memory by the router (a restart starts the day's tally again; no DB
 * read on the routing path). Pure: the caller passes the time.
 */
export class DailyTally {
  private day = -1;
  private readonly calls = new Map<string, number>();
  private readonly talkMs = new Map<string, number>();

  answered(operatorId: string, now: number): void {
    this.roll(now);
    this.calls.set(operatorId, (this.calls.get(operatorId) ?? 0) + 1);
  }

  talked(operatorId: string, ms: number, now: number): void {
    this.roll(now);
    this.talkMs.set(operatorId, (this.talkMs.get(operatorId) ?? 0) + Math.max(0, ms));
  }

  callsToday(operatorId: string, now: number): number {
    this.roll(now);
    return this.calls.get(operatorId) ?? 0;
  }

  talkMsToday(operatorId: string, now: number): number {
    this.roll(now);
    return this.talkMs.get(operatorId) ?? 0;
  }

  private roll(now: number): void {
    const day = Math.floor(now / 86_400_000);
    if (day === this.day) return;
    this.day = day;
    this.calls.clear();
    this.talkMs.clear();
  }
}
