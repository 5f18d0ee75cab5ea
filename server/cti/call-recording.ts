import type { CallView } from '../contracts/socket-events';
import { AppError } from '../contracts/result';
import { RECORDING_PROMPT } from '../shared/recording-prompts';
import type { AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import type { BankPort } from './ports/bank-port';
import type { ViewPublisher } from './views';

export interface CallRecordingDeps {
  bank: BankPort;
  book: CallBook;
  roster: AgentRoster;
  views: ViewPublisher;
  now: () => number;
}

/**
 * Recording on demand: in a queue whose policy is `on_demand`, the operator on the call starts
 * and stops recording (the console's Record / Stop). The bank asks the ACD (INFO with
 * X-PB-Record on the device's control dialog); each stopped recording is handed to the
 * journal at once, and one still running when the call ends is handed over with the call's end
 * (call-lifecycle.ts), like an `always` recording.
 */
export class CallRecording {
  constructor(private readonly d: CallRecordingDeps) {}

  async set(operatorId: string, on: boolean): Promise<CallView> {
    const a = this.d.roster.require(operatorId);
    const call = a.callId ? this.d.book.live(a.callId) : undefined;
    if (!call || call.status !== 'connected' || !call.deviceLegId) throw new AppError('CONFLICT', 'you are not on a call');
    if (call.queue?.recordingPolicy !== 'on_demand') throw new AppError('CONFLICT', "this queue's calls are not recorded on demand");
    if (on === Boolean(call.recording)) return this.d.views.callView(call);
    const notice = on && call.queue.recordingNotice ? RECORDING_PROMPT.onDemand : undefined;
    const answer = await this.d.bank.record(call.deviceLegId, on, notice);
    if (!answer.ok) {
      call.log.warn({ status: answer.status, reason: answer.reason, on }, 'recording on demand refused by the ACD');
      throw new AppError('UNAVAILABLE', on ? 'the recording could not be started; try again' : 'the recording could not be stopped; it stops when the call ends');
    }
    if (on && answer.told) {
      call.callerTold = true;
      call.log.info({ clip: notice }, 'the caller was told the call is now recorded');
    }
    if (on) this.started(call, answer.recording);
    else this.stopped(call);
    this.d.views.callChanged(call);
    return this.d.views.callView(call);
  }

  private started(call: LiveCall, fileName: string | null): void {
    if (!fileName) {
      call.log.warn('the ACD started a recording without naming its file; it is not catalogued');
      return;
    }
    const rec = { fileName, startedAt: this.d.now() };
    if (call.status !== 'connected') {
      // the call ended while the ACD started it: the bridge's end finalised the file already
      this.handOver(call, rec);
      return;
    }
    call.recording = rec;
    call.log.info({ recording: fileName }, 'recording started on demand');
  }

  private stopped(call: LiveCall): void {
    const rec = call.recording;
    call.recording = null;
    if (!rec) return;
    call.log.info({ recording: rec.fileName }, 'recording stopped on demand');
    this.handOver(call, rec);
  }

  private handOver(call: LiveCall, rec: { fileName: string; startedAt: number }): void {
    call.journal.recorded({ callId: call.id, queueId: call.queue?.id ?? null, operatorId: call.operatorId, fileName: rec.fileName, startedAt: new Date(rec.startedAt) });
  }
}
