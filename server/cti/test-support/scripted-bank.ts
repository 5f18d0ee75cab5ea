import { TypedEmitter } from '../../shared/typed-emitter';
import type { ControlResult, LegControlPort, MixRoleRequest } from '../ports/leg-control-port';
import type { BankEvents, BankPort, DialHandle, DialHandleEvents, DialOutcome, DialRequest, LegEnded, LegOffered, LegRecovered, RecordAnswer } from '../ports/bank-port';

/**
 * A test double of the bank's port for unit tests of the service's decisions: the test plays
 * the ACD (offers legs, ends them, rings/answers/fails dials) and reads what the service asked.
 * The bank itself is tested against the real ACD in ua-bank.integration.test.ts.
 */
// A listener that throws fails the test at once instead of being logged.
const rethrow = (err: unknown): never => {
  throw err;
};

export class ScriptedDial implements DialHandle {
  readonly outcome: Promise<DialOutcome>;
  cancelled = false;
  private resolve!: (o: DialOutcome) => void;
  private settled = false;
  private readonly emitter = new TypedEmitter<DialHandleEvents>(rethrow);
  constructor(readonly req: DialRequest) {
    this.outcome = new Promise((r) => (this.resolve = r));
  }
  on<K extends keyof DialHandleEvents>(event: K, listener: (payload: DialHandleEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }
  ring(): void {
    this.emitter.emit('ringing');
  }
  /** `recording`: the file the ACD names when the dial asked for a recording */
  answer(legId: string, recording?: string): void {
    this.settle({ kind: 'answered', legId, ...(recording ? { recording } : {}) });
  }
  fail(status: number, cause: string): void {
    this.settle({ kind: 'failed', status, cause });
  }
  cancel(): void {
    this.cancelled = true;
    this.settle({ kind: 'failed', status: 487, cause: 'Canceled' });
  }
  private settle(o: DialOutcome): void {
    if (this.settled) return;
    this.settled = true;
    if (o.kind === 'answered') this.emitter.emit('answered', { legId: o.legId });
    else this.emitter.emit('failed', { status: o.status, cause: o.cause });
    this.resolve(o);
  }
}

/**
 * The in-call requests the service sent, in order (`op legId [arg]`), answered with `answer`
 * (the test plays the ACD's refusals by replacing it); `hold()` stalls while `gate` is set.
 */
export class ScriptedControls implements LegControlPort {
  readonly sent: string[] = [];
  answer: (line: string) => ControlResult = () => ({ ok: true });
  gate: Promise<void> | null = null;
  private async run(line: string): Promise<ControlResult> {
    this.sent.push(line);
    if (this.gate) await this.gate;
    return this.answer(line);
  }
  hold(legId: string) {
    return this.run(`hold ${legId}`);
  }
  resume(legId: string) {
    return this.run(`resume ${legId}`);
  }
  mute(legId: string, muted: boolean) {
    return this.run(`${muted ? 'mute' : 'unmute'} ${legId}`);
  }
  sendDtmf(legId: string, digits: string) {
    return this.run(`dtmf ${legId} ${digits}`);
  }
  bridge(legId: string, toLegId: string) {
    return this.run(`bridge ${legId} ${toLegId}`);
  }
  join(legId: string, withLegId: string, role: MixRoleRequest) {
    return this.run(`join ${legId} ${withLegId} ${role.mode}`);
  }
  setMixMode(legId: string, role: MixRoleRequest) {
    return this.run(`mode ${legId} ${role.mode}`);
  }
  leave(legId: string) {
    return this.run(`leave ${legId}`);
  }
}

export class ScriptedBank implements BankPort {
  ready = true;
  readonly controls = new ScriptedControls();
  readonly dials: ScriptedDial[] = [];
  readonly released: string[] = [];
  private readonly emitter = new TypedEmitter<BankEvents>(rethrow);
  on<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): () => void {
    return this.emitter.on(event, listener);
  }
  off<K extends keyof BankEvents>(event: K, listener: (payload: BankEvents[K]) => void): void {
    this.emitter.off(event, listener);
  }
  isReady(): boolean {
    return this.ready;
  }
  /** A party pressed a key on a leg (the ACD's INFO dtmf-relay, as the real bank reports it). */
  pressDtmf(legId: string, digit: string): void {
    this.emitter.emit('dtmf', { legId, digit });
  }
  /** The bank (re)registered with the ACD. */
  register(): void {
    this.ready = true;
    this.emitter.emit('registered', { ua: 'bank-1' });
  }
  dial(req: DialRequest): DialHandle {
    const d = new ScriptedDial(req);
    this.dials.push(d);
    return d;
  }
  release(legId: string): boolean {
    this.released.push(legId);
    return true;
  }
  /** the announcements asked: clips joined by commas; `then` only when it is not a release */
  readonly announced: Array<{ legId: string; clip: string; then?: 'music' }> = [];
  /** The ACD's answer to the next announcements (200: playing). */
  announceStatus = 200;
  announce(legId: string, clips: string[], then: 'release' | 'music' = 'release'): Promise<number> {
    this.announced.push({ legId, clip: clips.join(','), ...(then === 'music' ? { then } : {}) });
    return Promise.resolve(this.announceStatus);
  }
  /** What the service asked of recordings on demand, and how the scripted ACD answers. */
  readonly recordAsks: Array<{ legId: string; on: boolean; notice?: string }> = [];
  recordAnswer: (legId: string, on: boolean) => RecordAnswer = (legId, on) => ({ ok: true, recording: on ? `${legId}-rec.wav` : null });
  async record(legId: string, on: boolean, notice?: string): Promise<RecordAnswer> {
    this.recordAsks.push({ legId, on, ...(notice ? { notice } : {}) });
    return this.recordAnswer(legId, on);
  }
  offerLeg(e: Partial<LegOffered> & { legId: string }): void {
    this.emitter.emit('legOffered', { dialed: '+15550100', callerName: 'Carla Caller', callerUri: 'sip:carla@patchbay.local', audio: 'default', controlSessionId: 's1', ...e });
  }
  /** The ACD re-offered a leg it held (X-PB-Recovered) and the bank took it. */
  recoverLeg(e: Partial<LegRecovered> & Pick<LegRecovered, 'legId' | 'state'>): void {
    const caller = (e.kind ?? 'caller') === 'caller';
    this.emitter.emit('legRecovered', { kind: 'caller', since: 0, peer: null, dialed: caller ? '+15550100' : null, audio: caller ? 'default' : null, callerName: 'Carla Caller', callerUri: 'sip:carla@patchbay.local', ...e });
  }
  endLeg(legId: string, cause: LegEnded['cause'] = 'remote-bye'): void {
    this.emitter.emit('legEnded', { legId, cause });
  }
  /** Listeners of the call events (legOffered, legEnded, registered). */
  listenerCount(): number {
    return this.emitter.listenerCount('legOffered') + this.emitter.listenerCount('legEnded') + this.emitter.listenerCount('registered');
  }
}
