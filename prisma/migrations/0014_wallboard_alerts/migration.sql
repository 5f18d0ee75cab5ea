-- 0014_wallboard_alerts: each queue's wallboard alerts (issue 10 item 2; docs/wallboard.md).
-- A tile turns red (and the page raises a browser notification) when the longest wait passes
-- alert_max_wait_sec (NULL: no wait alert), or when callers wait and none of the queue's operators
-- is Ready (alert_no_ready). Stored with the queue: admins edit them in the queue form, supervisors read them.
ALTER TABLE "queues" ADD COLUMN "alert_max_wait_sec" INTEGER DEFAULT 60;
ALTER TABLE "queues" ADD COLUMN "alert_no_ready" BOOLEAN NOT NULL DEFAULT true;
