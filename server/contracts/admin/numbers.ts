import { z } from 'zod';
import { AudioName, E164Number, RowId, Version, listQuery, type ChangeStamp } from './paging';
import { ClosedAction, closedRules } from './schedules';

/** Numbers (DIDs): which queue answers each, through which trunk, with which hold audio. */
const NumberFields = {
  queueId: RowId,
  trunkId: RowId.nullable(),
  holdAudio: AudioName,
  // business hours of the number itself (checked before its queue's): none = always open
  scheduleId: RowId.nullable().default(null),
  closedAudio: AudioName.nullable().default(null),
  closedAction: ClosedAction.default('release'),
  closedQueueId: RowId.nullable().default(null),
  closedNumber: E164Number.nullable().default(null),
  /** its callers' priority in the queue: 0 normal, up to 9 ahead of earlier callers (with ageing) */
  priority: z.number({ error: 'priority: a whole number from 0 to 9' }).int('priority: a whole number').min(0, 'priority: at least 0').max(9, 'priority: at most 9').default(0),
};

/** A new number's hours settings (the columns' defaults). */
export const NEW_NUMBER_HOURS = { scheduleId: null, closedAudio: null, closedAction: 'release', closedQueueId: null, closedNumber: null } as const;

/** POST /api/admin/numbers */
export const NumberCreate = z.object({ e164: E164Number, ...NumberFields }).strict().superRefine(closedRules);
export type NumberCreate = z.infer<typeof NumberCreate>;
/** PATCH /api/admin/numbers/:e164 — the number itself is the key: to change it, add a new one. */
export const NumberUpdate = z.object({ ...NumberFields, version: Version }).strict().superRefine(closedRules);
/** The number form's fields (without the refinement, to extend). */
export const NumberFormFields = z.object({ e164: E164Number, ...NumberFields }).strict();
export type NumberUpdate = z.infer<typeof NumberUpdate>;

export const NumbersQuery = listQuery(['e164', 'queue'], 'e164');
export type NumbersQuery = z.infer<typeof NumbersQuery>;

export interface NumberRow extends ChangeStamp {
  e164: string;
  queueId: string;
  queueName: string;
  trunkId: string | null;
  trunkName: string | null;
  holdAudio: string;
  scheduleId: string | null;
  scheduleName: string | null;
  closedAudio: string | null;
  closedAction: ClosedAction;
  closedQueueId: string | null;
  closedNumber: string | null;
  priority: number;
}

export interface TrunkOption {
  id: string;
  name: string;
}
