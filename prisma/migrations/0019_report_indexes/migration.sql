-- Reports (docs/reports.md; bench/reports-1m.ts times them on 1,000,000 calls and ~3.5 million
-- state rows). The operators report and the time-in-state chart read the state log of a period
-- for everyone: without an index on "at" alone that is a scan of the whole log (the existing
-- (user_id, at) index serves each person's last move before the period, probed per person).
CREATE INDEX "agent_state_log_at_idx" ON "agent_state_log"("at");
-- missed offers: the no-answer events of a period (a few per cent of the events: partial)
CREATE INDEX "call_events_no_answer_at_idx" ON "call_events"("at") WHERE "type" = 'no-answer';
