'use client';
import type { ReactNode } from 'react';
import type { AdminCallDetail, CallEventRow } from '@/server/contracts/web-api';
import { formatPhone } from '../../../_lib/phone-format';
import { formatDuration } from '../../../_lib/time';
import { callerText, DIRECTION_TEXT, ENDED_BY_TEXT, OUTCOME_TEXT } from '../../_lib/call-words';
import { formatWhen } from '../../_lib/format';

/**
 * One stored call in plain words: who called, which number and queue, when, how long they
 * waited and talked, who answered and who ended it, the transfers, and the operator's
 * after-call work (outcome chosen, notes). No SIP addresses, no internal ids.
 */
export function CallWorkFacts({ call, events }: { call: AdminCallDetail; events: CallEventRow[] | null }) {
  const transfers = events?.filter((e) => e.type === 'transferred' || e.type === 'overflow-queue') ?? [];
  const caller = call.callerName ? `${call.callerName} (${call.callerNumber ? callerText(call.callerNumber) : 'from the website'})` : callerText(call.callerNumber);
  const ended = !call.endedAt ? 'Still in progress' : call.endedBy ? `${ENDED_BY_TEXT[call.endedBy]}${call.endedBy === 'system' ? ' ended it' : ' hung up'}` : 'Not recorded';
  return (
    <section className="panel" aria-labelledby="call-work-h" data-testid="call-detail">
      <h2 id="call-work-h">The call</h2>
      <dl className="call-facts">
        <Fact label={call.direction === 'outbound' ? 'Called' : 'Caller'} testId="call-detail-caller">
          {call.direction === 'outbound' ? formatPhone(call.callerNumber ?? call.dialed) : caller}
        </Fact>
        <Fact label={call.direction === 'outbound' ? 'Direction' : 'Number called'}>{call.direction === 'outbound' ? DIRECTION_TEXT.outbound : formatPhone(call.dialed)}</Fact>
        <Fact label="Queue">{call.queue ?? '—'}</Fact>
        <Fact label="When" testId="call-detail-when">
          {formatWhen(call.arrivedAt)}
        </Fact>
        <Fact label="Waited" testId="call-detail-waited">
          {call.waitMs === null ? 'Still waiting' : formatDuration(call.waitMs)}
        </Fact>
        <Fact label="Talked" testId="call-detail-talked">
          {call.talkMs === null ? (call.answeredAt ? 'Still talking' : 'Nobody answered') : formatDuration(call.talkMs)}
        </Fact>
        <Fact label="Operator">{call.operatorName ?? '—'}</Fact>
        <Fact label="How it ended" testId="call-detail-outcome">
          {call.outcome ? OUTCOME_TEXT[call.outcome] : 'In progress'}
        </Fact>
        <Fact label="Who ended it" testId="call-detail-ended-by">
          {ended}
        </Fact>
        <Fact label="Transfers" testId="call-detail-transfers">
          {transfers.length === 0 ? 'None' : transfers.map((t) => t.words).join('; ')}
        </Fact>
        <Fact label="Outcome chosen" testId="call-detail-disposition">
          {call.disposition?.label ?? 'None chosen'}
        </Fact>
        <Fact label="Wrap-up" testId="call-detail-wrap-up">
          {call.wrapUpEndedAt ? `ended ${new Date(call.wrapUpEndedAt).toLocaleTimeString()}` : '—'}
          {call.wrapUpExtended ? ' (extended once)' : ''}
        </Fact>
      </dl>
      <h3>Notes</h3>
      {call.notes ? (
        <p className="call-notes" data-testid="call-detail-notes">
          {call.notes}
        </p>
      ) : (
        <p className="muted" data-testid="call-detail-notes">
          No notes were written for this call.
        </p>
      )}
    </section>
  );
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd data-testid={testId}>{children}</dd>
    </div>
  );
}
