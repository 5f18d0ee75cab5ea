import { Counter, Gauge, type Registry } from 'prom-client';
import type { MediaEngine } from '../acd/media/media-engine';

/**
 * RTP by media engine, read on scrape from the engine's own totals (MediaEngine.figures): the
 * packet path only adds to each endpoint's own integers, as it did before /metrics. Jitter is
 * the RFC 3550 estimate of each live leg receiving audio: the worst and the mean now.
 */
export function registerMediaMetrics(registry: Registry, media: Pick<MediaEngine, 'figures'>): void {
  const registers = [registry];
  const figures = () => media.figures?.() ?? null;
  new Counter({
    name: 'patchbay_rtp_packets_total',
    help: 'RTP packets the media engine received from the parties (in) and sent to them (out), by engine',
    labelNames: ['engine', 'direction'],
    registers,
    collect() {
      this.reset();
      const f = figures();
      if (!f) return;
      this.inc({ engine: f.engine, direction: 'in' }, f.packetsReceived);
      this.inc({ engine: f.engine, direction: 'out' }, f.packetsSent);
    },
  });
  new Counter({
    name: 'patchbay_rtp_packets_lost_total',
    help: "RTP packets the parties sent that never reached the media engine (gaps in their sequence numbers), by engine",
    labelNames: ['engine'],
    registers,
    collect() {
      this.reset();
      const f = figures();
      if (f) this.inc({ engine: f.engine }, f.packetsLost);
    },
  });
  new Gauge({
    name: 'patchbay_rtp_jitter_seconds',
    help: 'Interarrival jitter of the live legs receiving audio (RFC 3550), by engine: the worst (stat=max) and the mean (stat=mean); 0 with no such leg',
    labelNames: ['engine', 'stat'],
    registers,
    collect() {
      this.reset();
      const f = figures();
      if (!f) return;
      const max = f.jitterMs.reduce((m, j) => Math.max(m, j), 0);
      const mean = f.jitterMs.length ? f.jitterMs.reduce((s, j) => s + j, 0) / f.jitterMs.length : 0;
      this.set({ engine: f.engine, stat: 'max' }, max / 1000);
      this.set({ engine: f.engine, stat: 'mean' }, mean / 1000);
    },
  });
  new Gauge({
    name: 'patchbay_rtp_legs',
    help: 'Live legs receiving RTP now, by engine',
    labelNames: ['engine'],
    registers,
    collect() {
      this.reset();
      const f = figures();
      if (f) this.set({ engine: f.engine }, f.jitterMs.length);
    },
  });
}
