import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { AgentState } from '../contracts/agent';
import type { CallOutcome } from '../contracts/call';
import type { CtiService } from '../cti/cti-service';
import { RECOVERED_KINDS, type CallMetricsPort } from '../cti/ports/call-metrics-port';
import type { UaBank } from '../cti/ua-bank/ua-bank';
import { DIAL_FAILURE_CAUSES } from '../cti/ua-bank/dial-failures';

const RECOVERY_EVENTS = ['bank_registration_lost', 'bank_reregistered'] as const;

/** The label of a call without a queue (its number serves none, or the lookup failed). */
export const NO_QUEUE = 'none';

const OFFER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const ANSWER_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600];
const BATCH_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Child = { inc(): void };
type HistChild = { observe(v: number): void };

/**
 * The CTI's metrics. Counters and histograms move inline as calls move (through the
 * CallMetricsPort the CTI is given: one cached child per queue, so a call costs a map lookup
 * and an add); the live picture — callers waiting and the longest wait by queue, operators by
 * state, the journal's backlog, the bank's registrations — is read on scrape by `watch()`.
 */
export class CtiMetrics {
  readonly port: CallMetricsPort;
  private readonly registers: Registry[];
  private readonly batch: Histogram<'result'>;

  constructor(registry: Registry) {
    const registers = (this.registers = [registry]);
    const counter = (name: string, help: string) => perQueue(new Counter({ name, help, labelNames: ['queue'], registers }));
    const arrived = counter('patchbay_calls_arrived_total', 'Callers that reached the CTI, by the queue their number serves (none: no queue)');
    const offered = counter('patchbay_calls_offered_total', 'Calls offered to an operator (counted once per call, at the first offer), by queue');
    const answered = counter('patchbay_calls_answered_total', 'Calls an operator answered, by queue');
    const abandoned = counter('patchbay_calls_abandoned_total', 'Calls the caller left before an operator answered (outcome abandoned), by queue');
    const failed = counter('patchbay_calls_failed_total', 'Calls the platform could not serve (outcome failed: no queue, no controller…), by queue');
    const ended = new Counter({ name: 'patchbay_calls_ended_total', help: 'Calls ended, by queue and outcome (completed, abandoned, timeout, closed, forwarded, failed…)', labelNames: ['queue', 'outcome'], registers });
    const endedChildren = new Map<string, Child>();
    const offerLatency = perQueueHist(
      new Histogram({ name: 'patchbay_call_offer_latency_seconds', help: "Arrival at the CTI → the call's first offer to an operator, by queue", labelNames: ['queue'], buckets: OFFER_BUCKETS, registers }),
    );
    const answerLatency = perQueueHist(
      new Histogram({ name: 'patchbay_call_answer_latency_seconds', help: 'Arrival at the CTI → an operator answered, by queue', labelNames: ['queue'], buckets: ANSWER_BUCKETS, registers }),
    );
    // restart recovery is rare: every kind exported at 0 from the start, so a rate() has a base
    const recovered = new Counter({
      name: 'patchbay_recovered_calls_total',
      help: 'What restart recovery did: callers rebuilt parked (routed again) or talking (with their operator), stored calls the ACD no longer held (closed), device legs with no call (released)',
      labelNames: ['kind'],
      registers,
    });
    for (const kind of RECOVERED_KINDS) recovered.inc({ kind }, 0);
    const rebuild = new Gauge({
      name: 'patchbay_recovery_rebuild_seconds',
      help: "The last restart recovery: this CTI's start → the last call rebuilt from the ACD's re-offers (0 until a recovery rebuilt one)",
      registers,
    });
    this.batch = new Histogram({ name: 'patchbay_journal_batch_seconds', help: "Time to write one batch of the journal's write-behind, by result (ok, failed)", labelNames: ['result'], buckets: BATCH_BUCKETS, registers });
    this.port = {
      arrived: (q) => arrived(q).inc(),
      offered: (q, ms) => {
        offered(q).inc();
        offerLatency(q).observe(ms / 1000);
      },
      answered: (q, ms) => {
        answered(q).inc();
        answerLatency(q).observe(ms / 1000);
      },
      ended: (q, outcome: CallOutcome) => {
        const queue = q ?? NO_QUEUE;
        const key = `${queue}\n${outcome}`;
        let c = endedChildren.get(key);
        if (!c) endedChildren.set(key, (c = ended.labels({ queue, outcome })));
        c.inc();
        if (outcome === 'abandoned') abandoned(q).inc();
        else if (outcome === 'failed') failed(q).inc();
      },
      recovered: (kind) => recovered.inc({ kind }),
      recoverySettled: (ms) => {
        if (ms !== null) rebuild.set(ms / 1000);
      },
    };
  }

  /** The journal writer's per-batch hook (JournalWriterOptions.onBatch). */
  readonly onBatch = (_rows: number, ms: number, ok: boolean): void => {
    this.batch.observe({ result: ok ? 'ok' : 'failed' }, ms / 1000);
  };

  /** Gauges read from the running CTI and its bank on each scrape. */
  watch(cti: Pick<CtiService, 'liveFigures'>, bank: Pick<UaBank, 'figures' | 'on'>): void {
    const registers = this.registers;
    // one pass over the live calls and the roster per gauge, per scrape: no cache that could be stale
    const figures = () => cti.liveFigures();
    new Gauge({
      name: 'patchbay_calls',
      help: 'Calls the CTI holds now, by state (queued, offering, announcing, forwarding, connected, held)',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, n] of Object.entries(figures().byStatus)) this.set({ state }, n);
      },
    });
    new Counter({
      name: 'patchbay_dial_failures_total',
      help: "Dials of an operator's device that failed, by cause (busy, no_answer, declined, cancelled, not_found, unavailable, error)",
      labelNames: ['cause'],
      registers,
      collect() {
        this.reset();
        const counts = bank.figures().dialFailures;
        DIAL_FAILURE_CAUSES.forEach((cause, i) => this.inc({ cause }, counts[i] ?? 0));
      },
    });
    // recovery events are rare: counted as the bank reports them, every label exported from the start
    const recovery = new Counter({
      name: 'patchbay_recovery_events_total',
      help: 'Recovery events: a bank UA lost its registration with the ACD (bank_registration_lost), registered again after a loss (bank_reregistered)',
      labelNames: ['event'],
      registers,
    });
    for (const event of RECOVERY_EVENTS) recovery.inc({ event }, 0);
    const lostUas = new Set<string>();
    bank.on('registrationLost', ({ ua }) => {
      lostUas.add(ua);
      recovery.inc({ event: 'bank_registration_lost' });
    });
    bank.on('registered', ({ ua }) => {
      if (lostUas.delete(ua)) recovery.inc({ event: 'bank_reregistered' });
    });
    new Gauge({
      name: 'patchbay_calls_waiting',
      help: 'Callers waiting in a queue now (queued, or offered to an operator whose device rings)',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const [queue, w] of figures().waiting) this.set({ queue }, w.calls);
      },
    });
    new Gauge({
      name: 'patchbay_calls_longest_wait_seconds',
      help: 'How long the longest-waiting caller of each queue has waited',
      labelNames: ['queue'],
      registers,
      collect() {
        this.reset();
        for (const [queue, w] of figures().waiting) this.set({ queue }, w.longestMs / 1000);
      },
    });
    new Gauge({
      name: 'patchbay_calls_live',
      help: 'Calls the CTI holds now, in any state but ended',
      registers,
      collect() {
        this.set(figures().liveCalls);
      },
    });
    new Gauge({
      name: 'patchbay_operators',
      help: 'Signed-in operators by agent state',
      labelNames: ['state'],
      registers,
      collect() {
        const agents = figures().agents;
        for (const state of AgentState.options) if (state !== 'offline') this.set({ state }, agents[state]);
      },
    });
    new Gauge({
      name: 'patchbay_journal_rows_held',
      help: "Rows of the journal's write-behind not yet written (its queue depth)",
      registers,
      collect() {
        this.set(figures().journal.held);
      },
    });
    new Counter({
      name: 'patchbay_journal_rows_dropped_total',
      help: 'Journal rows dropped because the database stayed unreachable past the write-behind bound',
      registers,
      collect() {
        this.reset();
        this.inc(figures().journal.dropped);
      },
    });
    new Gauge({
      name: 'patchbay_bank_uas',
      help: "The CTI bank's JsSIP user agents, by registration state (registered, unregistered)",
      labelNames: ['state'],
      registers,
      collect() {
        const r = bank.figures().registered;
        const up = r.filter(Boolean).length;
        this.set({ state: 'registered' }, up);
        this.set({ state: 'unregistered' }, r.length - up);
      },
    });
    new Gauge({
      name: 'patchbay_bank_ua_registered',
      help: "1 while the bank's user agent (numbered from 1) holds its registration with the ACD, else 0",
      labelNames: ['ua'],
      registers,
      collect() {
        bank.figures().registered.forEach((up, i) => this.set({ ua: String(i + 1) }, up ? 1 : 0));
      },
    });
    new Gauge({
      name: 'patchbay_bank_control_dialogs',
      help: 'Control dialogs the bank holds with the ACD (one per caller or device leg it controls)',
      registers,
      collect() {
        this.set(bank.figures().controlLegs);
      },
    });
  }
}

function perQueue(c: Counter<'queue'>): (q: string | null) => Child {
  const children = new Map<string, Child>();
  return (q) => {
    const queue = q ?? NO_QUEUE;
    let child = children.get(queue);
    if (!child) children.set(queue, (child = c.labels({ queue })));
    return child;
  };
}

function perQueueHist(h: Histogram<'queue'>): (q: string | null) => HistChild {
  const children = new Map<string, HistChild>();
  return (q) => {
    const queue = q ?? NO_QUEUE;
    let child = children.get(queue);
    if (!child) children.set(queue, (child = h.labels({ queue })));
    return child;
  };
}
