import type { CallerHistory, CallWork, CodeOption, ConsoleCodes, PastCall } from '../contracts/call-work';
import { HISTORY_LIMIT, numberFromUri } from '../contracts/call-work';
import { CallOutcome, EndedBy } from '../contracts/call';
import { AppError } from '../contracts/result';
import type { AgentRoster } from './agent-roster';
import type { CallBook, LiveCall } from './call-book';
import type { CodeBook } from './code-book';
import type { CtiStore } from './ports/cti-store';

export interface CallWorkDeps {
  roster: AgentRoster;
  book: CallBook;
  codes: CodeBook;
  store: Pick<CtiStore, 'callsFrom'>;
}

/**
 * What an operator writes and reads around a call: notes and a disposition (saved with the
 * call, during the call or its wrap-up), the caller's previous calls, and the admin's lists.
 * Only the operator who had the call may write or read it; the call must still be in the call
 * book (live, or among the recently ended).
 */
export class CallWorkDesk {
  constructor(private readonly d: CallWorkDeps) {}

  codes(operatorId: string): Promise<ConsoleCodes> {
    this.d.roster.require(operatorId);
    return this.d.codes.lists();
  }

  async saveNotes(operatorId: string, req: { callId: string; notes: string; disposition: string | null }): Promise<CallWork> {
    const call = this.ownCall(operatorId, req.callId);
    let disposition: CodeOption | null = null;
    if (req.disposition !== null) {
      disposition = await this.d.codes.find('disposition', req.disposition);
      if (!disposition) throw new AppError('BAD_REQUEST', 'That disposition is not in the list any more; choose another.', { disposition: 'not in the list' });
    }
    const notes = req.notes.trim();
    call.notes = notes;
    call.disposition = disposition;
    call.log.info({ operatorId, disposition: disposition?.code ?? null, notesChars: notes.length }, 'after-call work saved');
    call.journal.updated({ notes, dispositionCode: disposition?.code ?? null });
    return { callId: call.id, notes, disposition };
  }

  /** The caller's previous calls (a database read, after the offer went out: never on its path). */
  async history(operatorId: string, callId: string): Promise<CallerHistory> {
    // the operator a consultation rings sees the caller's past too (read only: notes stay the call owner's)
    const call = this.ownCall(operatorId, callId, true);
    const number = numberFromUri(call.callerUri);
    if (!number) return { number: null, calls: [] };
    const rows = await this.d.store.callsFrom(number, call.id, HISTORY_LIMIT);
    const calls: PastCall[] = rows.map((r) => ({
      callId: r.id,
      arrivedAt: r.arrivedAt.getTime(),
      answeredAt: r.answeredAt?.getTime() ?? null,
      endedAt: r.endedAt?.getTime() ?? null,
      outcome: CallOutcome.safeParse(r.outcome).data ?? null,
      endedBy: EndedBy.safeParse(r.endedBy).data ?? null,
      queue: r.queueName,
      operatorName: r.operatorName,
      disposition: r.dispositionCode ? { code: r.dispositionCode, label: this.d.codes.labelOf('disposition', r.dispositionCode) ?? r.dispositionCode } : null,
      notes: r.notes,
    }));
    return { number, calls };
  }

  /**
   * The operator's own call (offered to them, on it, or in its wrap-up — also after they
   * transferred it to someone else), or with `consulted` the call they are being consulted
   * about; NOT_FOUND otherwise.
   */
  private ownCall(operatorId: string, callId: string, consulted = false): LiveCall {
    const a = this.d.roster.require(operatorId);
    const call = this.d.book.find(callId);
    const theirs = call && (call.operatorId === operatorId || a.wrapUp?.callId === callId || (consulted && call.consult?.operatorId === operatorId));
    if (!call || !theirs) throw new AppError('NOT_FOUND', 'This call is not yours, or it is too old to change here.');
    return call;
  }
}
