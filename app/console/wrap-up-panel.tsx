'use client';
import type { CodeOption, WrapUpView } from '@/server/contracts/call-work';
import { NOTES_MAX } from '@/server/contracts/call-work';
import { formatDuration } from '../_lib/time';
import type { CallWorkModel } from './use-call-work';

/**
 * After-call work, shown during wrap-up: notes and a disposition from the admin's list, saved
 * with the call; finish early (Ready) or ask for more time once. Disabled controls say why.
 */
export function WrapUpPanel(props: {
  wrapUp: WrapUpView;
  now: number;
  work: CallWorkModel;
  dispositions: CodeOption[];
  connected: boolean;
  /** why this browser cannot take the next call (its line is down); null when it can */
  lineDownWhy: string | null;
  onFinish: () => void;
  onExtend: () => void;
  error: string | null;
}) {
  const { wrapUp, work, now } = props;
  const left = Math.max(0, wrapUp.endsAt - now);
  const offline = !props.connected ? 'Not connected to the call center: this comes back by itself in a moment' : null;
  const extendWhy = offline ?? (wrapUp.extended ? 'You have already asked for more time once on this call' : wrapUp.extendSec <= 0 ? 'This queue gives no wrap-up time to add' : null);
  return (
    <section className="wrap-up" aria-labelledby="wrap-h" data-testid="wrap-up">
      <h3 id="wrap-h">After-call work</h3>
      <p className="wrap-left" role="timer" aria-live="off" data-testid="wrap-left">
        <strong>{formatDuration(left)}</strong> left before the next call can reach you{wrapUp.extended ? ' (extended)' : ''}
      </p>
      <div className="field">
        <label htmlFor="wrap-disposition">Outcome</label>
        <select id="wrap-disposition" value={work.disposition ?? ''} onChange={(e) => work.edit.disposition(e.target.value || null)} data-testid="wrap-disposition">
          <option value="">{props.dispositions.length ? 'Choose the outcome (optional)' : 'No outcomes are set up'}</option>
          {props.dispositions.map((d) => (
            <option key={d.code} value={d.code}>
              {d.label}
            </option>
          ))}
        </select>
      </div>
      <NotesField work={work} />
      <div className="btn-row">
        <button type="button" className="btn btn-primary" onClick={() => void work.flush()} disabled={!!offline || !work.dirty} title={offline ?? (work.dirty ? 'Save the notes and outcome with this call' : 'Nothing new to save')} data-testid="wrap-save">
          Save
        </button>
        <button type="button" className="btn btn-ready" onClick={props.onFinish} disabled={!!(offline ?? props.lineDownWhy)} title={offline ?? props.lineDownWhy ?? 'Save and take the next call now'} data-testid="wrap-finish">
          Finish — Ready
        </button>
        <button type="button" className="btn btn-quiet" onClick={props.onExtend} disabled={!!extendWhy} title={extendWhy ?? `Add ${wrapUp.extendSec} seconds (once)`} data-testid="wrap-extend">
          More time{wrapUp.extendSec > 0 ? ` (+${wrapUp.extendSec} s)` : ''}
        </button>
      </div>
      <p className="muted small" role="status" data-testid="wrap-save-state" data-state={work.save.kind}>
        {work.save.kind === 'saving' ? 'Saving…' : work.save.kind === 'saved' ? 'Saved with the call.' : work.save.kind === 'failed' ? '' : work.dirty ? 'Not saved yet.' : ''}
      </p>
      {(work.save.kind === 'failed' || props.error) && (
        <p className="alert alert-error" role="alert" data-testid="wrap-error">
          {work.save.kind === 'failed' ? `Not saved: ${work.save.message}` : props.error}
        </p>
      )}
    </section>
  );
}

function NotesField({ work }: { work: CallWorkModel }) {
  return (
    <div className="field">
      <label htmlFor="wrap-notes">Notes</label>
      <textarea id="wrap-notes" rows={4} maxLength={NOTES_MAX} value={work.notes} onChange={(e) => work.edit.notes(e.target.value)} placeholder="What was the call about? What was agreed?" data-testid="wrap-notes" />
    </div>
  );
}

/** Notes while talking: the same notes the wrap-up shows next (saved with it, or when it ends). */
export function CallNotes({ work }: { work: CallWorkModel }) {
  return (
    <section className="wrap-up" aria-label="Notes on this call" data-testid="call-notes">
      <NotesField work={work} />
      <p className="muted small">Kept for the wrap-up after the call, where you can also choose the outcome.</p>
    </section>
  );
}
