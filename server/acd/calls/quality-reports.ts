import type { CallContext } from './call-context';

/** The body type of the ACD's call-quality INFO (docs/sip-control-dialect.md, *Call quality*). */
export const QUALITY_CONTENT_TYPE = 'application/vnd.patchbay.quality+json';

/**
 * Every `qualityReportMs`, each leg in a call (bridged or mixed) tells its controller how that
 * party's audio reaches the ACD — `{"lossPct":…,"jitterMs":…,"packets":…}` since the previous
 * report — as an in-dialog INFO on the leg's control dialog. The media already sees every packet;
 * this reads its meter once per leg per period (no work per packet beyond the meter's few sums),
 * so the CTI can show call quality without media reaching it. Legs that received nothing in the
 * period (on hold, muted by the network) are not reported: no figure is better than a wrong one.
 */
export class QualityReports {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly ctx: CallContext) {}

  start(): void {
    if (this.timer || this.ctx.timers.qualityReportMs <= 0) return;
    this.timer = setInterval(() => this.report(), this.ctx.timers.qualityReportMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private report(): void {
    for (const leg of this.ctx.table.legs()) {
      const dialog = leg.controlDialog;
      if (leg.ended || !dialog || leg.control !== 'up' || !leg.endpoint || (leg.state !== 'bridged' && leg.state !== 'mixed')) continue;
      const q = leg.endpoint.takeQuality();
      // a dead controller's connection (the CTI is away; recovery re-offers the leg): nothing to tell
      if (q.packets === 0 || dialog.flow.closed) continue;
      this.ctx.clientTx.send(dialog.request('INFO', [], JSON.stringify(q), QUALITY_CONTENT_TYPE), dialog.flow, (res) => {
        if (res.status >= 300) leg.log.debug({ status: res.status }, 'controller refused the quality INFO');
      });
    }
  }
}
