-- 0016_queue_empty: a queue nobody can answer (docs/cti.md, "When nobody can answer").
-- overflow_when_empty: when no member who could take the call is signed in (in any state, with
-- the skills a skills-based queue needs), an arriving caller gets the queue's overflow action at
-- once, and callers already waiting get it when the last such member signs out. false (the
-- default) keeps callers waiting, with music, until their maximum wait.
ALTER TABLE "queues" ADD COLUMN "overflow_when_empty" BOOLEAN NOT NULL DEFAULT false;
