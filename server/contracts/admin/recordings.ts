import { z } from 'zod';

/**
 * Recordings (docs/recordings.md): the policy a queue records its calls by, and what the portal
 * lists and plays. Only admins and supervisors list or play; only admins delete.
 */

/**
 * never: no call is recorded; always: every answered call of the queue, from the answer to the
 * end; on_demand: the operator starts and stops recording during the call (Record / Stop).
 */
export const RecordingPolicy = z.enum(['never', 'always', 'on_demand']);
export type RecordingPolicy = z.infer<typeof RecordingPolicy>;
export const RECORDING_POLICY_LABEL: Record<RecordingPolicy, string> = {
  never: 'Never record',
  always: 'Record every answered call',
  on_demand: 'When the operator presses Record',
};

/** Days a queue's recordings are kept (the retention job deletes older ones). */
export const RetentionDays = z
  .number({ error: 'days: a whole number from 1 to 3650' })
  .int('days: a whole number')
  .min(1, 'days: at least 1')
  .max(3650, 'days: at most 3650 (ten years)');

/** GET /api/admin/recordings?callId=… */
export const RecordingsQuery = z.object({ callId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'not a call id') }).strict();
export type RecordingsQuery = z.infer<typeof RecordingsQuery>;

/** GET /api/admin/recordings/:id/audio?download=1 — `download` answers it as an attachment. */
export const RecordingAudioQuery = z.object({ download: z.enum(['1']).optional() }).strict();

/** One recording as the portal lists it; times in ms since epoch. */
export interface RecordingRow {
  id: string;
  callId: string;
  queueName: string | null;
  operatorName: string | null;
  startedAt: number;
  durationMs: number;
  sizeBytes: number;
  /** false: the row exists but its file is gone from the store (shown as "Recording file missing") */
  available: boolean;
  /** the path the audio element plays (range requests) and, with ?download=1, downloads */
  audioUrl: string;
}
