import { Counter, Gauge, type Registry } from 'prom-client';
import type { Acd } from '../acd/acd';
import { OverloadReason } from '../acd/overload/overload-state';
import { CLASSES, COUNTED_METHODS, type Direction } from '../acd/sip-tally';

const DIRECTIONS: Direction[] = ['in', 'out'];

/**
 * The ACD's metrics, all read on scrape: its SIP tally (plain integers the transports add to),
 * what it holds (transactions, dialogs, legs, callers waiting), and the overload guard.
 * A counter read from a running total is re-set on each scrape (reset + inc by the total):
 * Prometheus only ever sees the total, which never goes down while the ACD runs.
 */
export function registerAcdMetrics(registry: Registry, acd: Pick<Acd, 'sip' | 'stats' | 'overload' | 'liveLegs'>): void {
  const registers = [registry];
  new Counter({
    name: 'patchbay_acd_sip_requests_total',
    help: 'SIP requests received (in) and sent (out) by the ACD, by method (OTHER: any method not listed)',
    labelNames: ['direction', 'method'],
    registers,
    collect() {
      this.reset();
      for (const direction of DIRECTIONS) {
        const counts = acd.sip.requests[direction];
        COUNTED_METHODS.forEach((method, i) => counts[i] && this.inc({ direction, method }, counts[i]));
      }
    },
  });
  new Counter({
    name: 'patchbay_acd_sip_responses_total',
    help: 'SIP responses received (in) and sent (out) by the ACD, by the method of their CSeq and status class (4xx, 5xx…)',
    labelNames: ['direction', 'method', 'class'],
    registers,
    collect() {
      this.reset();
      for (const direction of DIRECTIONS) {
        const counts = acd.sip.responses[direction];
        COUNTED_METHODS.forEach((method, m) => CLASSES.forEach((cls, c) => counts[m * 6 + c] && this.inc({ direction, method, class: cls }, counts[m * 6 + c])));
      }
    },
  });
  new Counter({
    name: 'patchbay_acd_sip_unparseable_total',
    help: 'Datagrams and stream messages the ACD could not parse as SIP',
    registers,
    collect() {
      this.reset();
      if (acd.sip.unparseable) this.inc(acd.sip.unparseable);
    },
  });
  new Gauge({
    name: 'patchbay_acd_sip_transactions',
    help: 'SIP transactions the ACD holds open, server and client side',
    labelNames: ['side'],
    registers,
    collect() {
      const s = acd.stats();
      this.set({ side: 'server' }, s.serverTransactions);
      this.set({ side: 'client' }, s.clientTransactions);
    },
  });
  new Gauge({
    name: 'patchbay_acd_dialogs',
    help: 'SIP dialogs the ACD holds (party and control)',
    registers,
    collect() {
      this.set(acd.stats().dialogs);
    },
  });
  new Gauge({
    name: 'patchbay_acd_legs',
    help: 'Legs the ACD holds, by kind (caller, device) and state',
    labelNames: ['kind', 'state'],
    registers,
    collect() {
      this.reset();
      const counts = new Map<string, { kind: string; state: string; n: number }>();
      for (const leg of acd.liveLegs()) {
        const key = `${leg.kind} ${leg.state}`;
        const c = counts.get(key) ?? { kind: leg.kind, state: leg.state, n: 0 };
        c.n += 1;
        counts.set(key, c);
      }
      for (const c of counts.values()) this.set({ kind: c.kind, state: c.state }, c.n);
    },
  });
  new Gauge({
    name: 'patchbay_acd_waiting_callers',
    help: 'Callers the ACD has answered or parked and not yet bridged (what the overload ceiling counts)',
    registers,
    collect() {
      this.set(acd.stats().waitingCallers);
    },
  });
  new Gauge({
    name: 'patchbay_acd_overloaded',
    help: '1 while the ACD refuses new callers with 503 (past its ceiling), else 0',
    registers,
    collect() {
      this.set(acd.overload.status === 'overloaded' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'patchbay_acd_overload_lag_seconds',
    help: 'The sustained event-loop lag the overload guard compares with OVERLOAD_MAX_LAG_MS (the lower of the last two seconds\' worst timer drift)',
    registers,
    collect() {
      this.set(acd.overload.lagMs / 1000);
    },
  });
  new Gauge({
    name: 'patchbay_acd_overload_offer_delay_seconds',
    help: 'How long the CTI takes to take a caller offered to its route point, as the overload guard compares it with OVERLOAD_MAX_OFFER_MS (the lower of the last two seconds\' medians)',
    registers,
    collect() {
      this.set(acd.overload.offerMs / 1000);
    },
  });
  new Counter({
    name: 'patchbay_acd_overload_refused_total',
    help: 'New callers refused because the ACD was past its capacity (503 + Retry-After, or their queue\'s busy message), by what tripped it (waiting, lag, controller)',
    labelNames: ['reason'],
    registers,
    collect() {
      this.reset();
      for (const reason of OverloadReason) this.inc({ reason }, acd.overload.refused[reason]);
    },
  });
  new Counter({
    name: 'patchbay_acd_overload_messages_total',
    help: 'Refused callers who heard their queue\'s busy message (then were released) instead of a 503',
    registers,
    collect() {
      this.reset();
      this.inc(acd.overload.toldByMessage);
    },
  });
  new Counter({
    name: 'patchbay_acd_overload_episodes_total',
    help: 'Times the ACD went past its capacity (each episode is logged once, when it starts and when it ends)',
    registers,
    collect() {
      this.reset();
      this.inc(acd.overload.episodes);
    },
  });
}
