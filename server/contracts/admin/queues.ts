import { z } from 'zod';
import { AudioName, E164Number, Level, RowId, Version, listQuery, type ChangeStamp } from './paging';

/**
 * Queues: every setting of the anchors' queues. The CTI honours longest-idle routing, ring
 * timeout, wrap-up and maximum wait today; the other strategies and their parameters, the
 * overflow, priority, service level and required skills are stored and shown for the routing issue.
 */
export const Strategy = z.enum(['longest-idle', 'round-robin', 'fewest-calls', 'skills-based', 'ring-all', 'random']);
export type Strategy = z.infer<typeof Strategy>;
export const STRATEGY_LABEL: Record<Strategy, string> = {
  'longest-idle': 'Longest idle (honoured today)',
  'round-robin': 'Round robin',
  'fewest-calls': 'Fewest calls',
  'skills-based': 'Skills based',
  'ring-all': 'Ring all',
  random: 'Random',
};

export const MaxWaitAction = z.enum(['release', 'overflow_queue', 'overflow_number']);
export type MaxWaitAction = z.infer<typeof MaxWaitAction>;

export const StrategyParams = z.record(z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,39}$/, 'parameter names: letters, digits, underscore'), z.union([z.string().max(200), z.number(), z.boolean()]));

export const RequiredSkill = z.object({ skill: z.string().trim().min(1, 'name the skill').max(40), minLevel: Level }).strict();

const int = (min: number, max: number, what: string) =>
  z.number({ error: `${what}: a whole number from ${min} to ${max}` }).int(`${what}: a whole number`).min(min, `${what}: at least ${min}`).max(max, `${what}: at most ${max}`);

/** The fields of a queue; forms build on these (the page edits strategyParams as JSON text). */
export const QueueFields = z
  .object({
    name: z.string({ error: 'enter a name' }).trim().min(1, 'enter a name').max(60, 'at most 60 characters'),
    strategy: Strategy,
    strategyParams: StrategyParams,
    ringTimeoutSec: int(5, 300, 'seconds'),
    wrapUpSec: int(0, 600, 'seconds'),
    maxWaitSec: int(10, 7200, 'seconds'),
    maxWaitAction: MaxWaitAction,
    maxWaitMessage: AudioName.nullable(),
    overflowQueueId: RowId.nullable(),
    overflowNumber: E164Number.nullable(),
    holdAudio: AudioName,
    slTargetPct: int(1, 100, 'percent'),
    slThresholdSec: int(1, 3600, 'seconds'),
    priority: int(1, 10, 'priority'),
    requiredSkills: z.array(RequiredSkill).max(20, 'at most 20 skills'),
  })
  .strict();

export function overflowRules(v: { maxWaitAction: MaxWaitAction; overflowQueueId: string | null; overflowNumber: string | null }, ctx: z.RefinementCtx) {
  if (v.maxWaitAction === 'overflow_queue' && !v.overflowQueueId) ctx.addIssue({ code: 'custom', path: ['overflowQueueId'], message: 'choose the queue callers overflow to' });
  if (v.maxWaitAction === 'overflow_number' && !v.overflowNumber) ctx.addIssue({ code: 'custom', path: ['overflowNumber'], message: 'enter the number callers overflow to' });
}

/** A new queue's settings (the columns' defaults): the form starts from them, tests build on them. */
export const NEW_QUEUE: z.infer<typeof QueueFields> = {
  name: '',
  strategy: 'longest-idle',
  strategyParams: {},
  ringTimeoutSec: 20,
  wrapUpSec: 5,
  maxWaitSec: 600,
  maxWaitAction: 'release',
  maxWaitMessage: null,
  overflowQueueId: null,
  overflowNumber: null,
  holdAudio: 'default',
  slTargetPct: 80,
  slThresholdSec: 20,
  priority: 5,
  requiredSkills: [],
};

/** POST /api/admin/queues */
export const QueueCreate = QueueFields.superRefine(overflowRules);
export type QueueCreate = z.infer<typeof QueueCreate>;
/** PATCH /api/admin/queues/:id */
export const QueueUpdate = QueueFields.extend({ version: Version }).superRefine(overflowRules);
export type QueueUpdate = z.infer<typeof QueueUpdate>;
/** DELETE /api/admin/queues/:id?version=N */
export const VersionQuery = z.object({ version: z.coerce.number().int().min(1) }).strict();

export const QueuesQuery = listQuery(['name', 'strategy', 'priority', 'ringTimeoutSec'], 'name');
export type QueuesQuery = z.infer<typeof QueuesQuery>;

export interface QueueRow extends ChangeStamp, QueueCreate {
  id: string;
  overflowQueueName: string | null;
  members: number;
  numbers: string[];
}

/** A short list for pickers (memberships, numbers, overflow). */
export interface QueueOption {
  id: string;
  name: string;
}
