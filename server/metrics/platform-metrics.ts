import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The platform's Prometheus registry (prom-client: the library Prometheus' own docs list for
 * Node, with the process and runtime collectors already written). Each part registers its
 * collectors on it (acd-metrics.ts, cti-metrics.ts); /metrics renders it (server/http).
 *
 * The cost rule: the hot path only adds to counters or puts a value in a histogram's bucket;
 * everything else — gauges of the live picture, the ACD's SIP tallies, transactions, the bank's
 * registrations — is read by `collect()` when Prometheus scrapes, never per call.
 */
export class PlatformMetrics {
  readonly registry = new Registry();

  /** `process: false` for a registry of one part's own metrics (tests). */
  constructor(opts: { process?: boolean } = {}) {
    // process_* (CPU, RSS, fds) and nodejs_* (heap, GC, event-loop lag from perf_hooks)
    if (opts.process !== false) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

export type MetricsSource = Pick<PlatformMetrics, 'contentType' | 'text'>;
