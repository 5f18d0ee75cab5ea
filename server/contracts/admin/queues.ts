import { z } from 'zod';
import { ScreenPopUrl } from '../call-work';
import { AudioName, E164Number, Level, RowId, Version, listQuery, type ChangeStamp } from './paging';
import { ClosedAction, closedRules } from './schedules';
import { RecordingPolicy, RetentionDays } from './recordings';
import { AlertMaxWaitSec } from '../wallboard';

/**
 * Queues: every setting of the anchors' queues. The CTI honours the strategy and its parameters,
 * ring timeout, wrap-up, maximum wait and its overflow, the size limit, the announcements,
 * priority and required skills (docs/cti.md, Routing); the service level and the wallboard alerts
 * feed the wallboard (docs/wallboard.md).
 */
export const Strategy = z.enum(['longest-idle', 'round-robin', 'fewest-calls', 'least-talk-time', 'skills-based', 'ring-all', 'random'], {
  error: 'choose one of: longest-idle, round-robin, fewest-calls, least-talk-time, skills-based, ring-all, random',
});
export type Strategy = z.infer<typeof Strategy>;
export const STRATEGY_LABEL: Record<Strategy, string> = {
  'longest-idle': 'Longest idle',
  'round-robin': 'Round robin',
  'fewest-calls': 'Fewest calls today',
  'least-talk-time': 'Least talk time today',
  'skills-based': 'Skills based',
  'ring-all': 'Ring all',
  random: 'Random',
};

/** How skills-based routing breaks a tie between operators of the same skill level. */
export const TieBreaker = z.enum(['longest-idle', 'round-robin', 'fewest-calls', 'least-talk-time', 'random']);
export type TieBreaker = z.infer<typeof TieBreaker>;

export const MaxWaitAction = z.enum(['release', 'overflow_queue', 'overflow_number']);
export type MaxWaitAction = z.infer<typeof MaxWaitAction>;

/** What waiting callers are told, on arrival and then every announceEverySec (docs/cti.md, announcements). */
export const Announce = z.enum(['none', 'position', 'wait', 'both'], { error: 'choose one of: none, position, wait, both' });
export type Announce = z.infer<typeof Announce>;
/** The key a waiting caller presses to be called back (the spoken pieces say one to nine). */
export const CallbackDigit = z.enum(['1', '2', '3', '4', '5', '6', '7', '8', '9'], { error: 'a key from 1 to 9' });
export type CallbackDigit = z.infer<typeof CallbackDigit>;

export const ANNOUNCE_LABEL: Record<Announce, string> = {
  none: 'Nothing (music only)',
  position: 'Their place in the queue',
  wait: 'The estimated wait',
  both: 'Their place and the estimated wait',
};

/** How long an answered phone has to press 1 (seconds): long enough to hear the sentence twice. */
export const PRESS1_TIMEOUT = { min: 3, max: 60, default: 10 } as const;

const whole = (min: number, max: number, what: string) =>
  z.number({ error: `${what}: a whole number from ${min} to ${max}` }).int(`${what}: a whole number`).min(min, `${what}: at least ${min}`).max(max, `${what}: at most ${max}`);

/**
 * The routing parameters a queue may set (all optional; the defaults are ROUTING_DEFAULTS). An
 * unknown name is an error, so a typo never silently does nothing.
 */
export const StrategyParams = z.strictObject(
  {
    /** seconds a call waits before members of the next level (tier) may be offered it */
    tierWaitSec: whole(0, 3600, 'tierWaitSec').optional(),
    /** consecutive unanswered offers before the operator is set Not ready */
    maxNoAnswer: whole(1, 20, 'maxNoAnswer').optional(),
    /** seconds a call is not offered again to an operator who missed it */
    missCooldownSec: whole(0, 3600, 'missCooldownSec').optional(),
    /** seconds of waiting that raise a call's priority by one (the ageing rule) */
    ageingSec: whole(1, 3600, 'ageingSec').optional(),
    /** skills-based only: how operators of equal skill are chosen */
    tieBreaker: TieBreaker.optional(),
  },
  { error: (iss) => (iss.code === 'unrecognized_keys' ? 'unknown parameter; known: tierWaitSec, maxNoAnswer, missCooldownSec, ageingSec, tieBreaker' : undefined) },
);
export type StrategyParams = z.infer<typeof StrategyParams>;

export const ROUTING_DEFAULTS: Required<StrategyParams> = { tierWaitSec: 0, maxNoAnswer: 1, missCooldownSec: 30, ageingSec: 60, tieBreaker: 'longest-idle' };

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
    /** at most this many callers waiting (queued or ringing); null: no limit */
    maxCallers: int(1, 10000, 'callers').nullable().default(null),
    /** the message a caller arriving at a full queue hears before the call ends (when the action is release) */
    fullAudio: AudioName.nullable().default(null),
    /** the message a caller hears when the whole center is past its capacity, then the call ends; null: a busy signal */
    busyAudio: AudioName.nullable().default(null),
    /** nobody who could take the call signed in: the overflow action at once, rather than waiting */
    overflowWhenEmpty: z.boolean().default(false),
    announce: Announce.default('none'),
    announceEverySec: int(15, 600, 'seconds').default(45),
    /** the key a waiting caller presses to be called back, keeping their place; null: no callback */
    callbackDigit: CallbackDigit.nullable().default(null),
    /** press-1 accept: a member's mobile / SIP phone that answers is bridged only on the digit 1 (docs/cti.md) */
    press1Mobile: z.boolean().default(true),
    press1SipPhone: z.boolean().default(false),
    /** seconds the answered device has to press 1 before the offer counts as not answered */
    press1TimeoutSec: int(PRESS1_TIMEOUT.min, PRESS1_TIMEOUT.max, 'seconds').default(PRESS1_TIMEOUT.default),
    /** tries of a callback (the number and the operator's device both count) before it is given up */
    callbackTries: int(1, 10, 'tries').default(3),
    /** seconds between a callback's tries */
    callbackRetrySec: int(30, 3600, 'seconds').default(60),
    /** minutes after the request after which a callback not yet made is given up (the ACD's window is two hours) */
    callbackExpiryMin: int(5, 120, 'minutes').default(60),
    slTargetPct: int(1, 100, 'percent'),
    slThresholdSec: int(1, 3600, 'seconds'),
    priority: int(1, 10, 'priority'),
    requiredSkills: z.array(RequiredSkill).max(20, 'at most 20 skills'),
    // business hours: none = always open
    scheduleId: RowId.nullable().default(null),
    closedAudio: AudioName.nullable().default(null),
    closedAction: ClosedAction.default('release'),
    closedQueueId: RowId.nullable().default(null),
    closedNumber: E164Number.nullable().default(null),
    /** the CRM page opened when an operator answers ({number}, {callId}); null for none */
    screenPopUrl: ScreenPopUrl.nullable().default(null),
    recordingPolicy: RecordingPolicy,
    recordingRetentionDays: RetentionDays,
    /** tell the caller by a prompt that the call is (or may be) recorded */
    recordingNotice: z.boolean().default(false),
    /** wallboard alerts: red past this longest wait (null: none), and when callers wait with nobody Ready */
    alertMaxWaitSec: AlertMaxWaitSec.default(60),
    alertNoReady: z.boolean().default(true),
  })
  .strict();

function queueRules(v: z.infer<typeof QueueFields>, ctx: z.RefinementCtx) {
  overflowRules(v, ctx);
  closedRules(v, ctx);
  recordingRules(v, ctx);
}

/** Telling the caller only makes sense for a queue that records (the notice would be untrue). */
export function recordingRules(v: { recordingPolicy: RecordingPolicy; recordingNotice: boolean }, ctx: z.RefinementCtx) {
  if (v.recordingNotice && v.recordingPolicy === 'never') {
    ctx.addIssue({ code: 'custom', path: ['recordingNotice'], message: 'this queue never records: choose how it records first, or leave this off' });
  }
}

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
  maxCallers: null,
  fullAudio: null,
  busyAudio: null,
  overflowWhenEmpty: false,
  announce: 'none',
  announceEverySec: 45,
  callbackDigit: null,
  press1Mobile: true,
  press1SipPhone: false,
  press1TimeoutSec: PRESS1_TIMEOUT.default,
  callbackTries: 3,
  callbackRetrySec: 60,
  callbackExpiryMin: 60,
  slTargetPct: 80,
  slThresholdSec: 20,
  priority: 5,
  requiredSkills: [],
  scheduleId: null,
  closedAudio: null,
  closedAction: 'release',
  closedQueueId: null,
  closedNumber: null,
  screenPopUrl: null,
  recordingPolicy: 'never',
  recordingRetentionDays: 90,
  recordingNotice: false,
  alertMaxWaitSec: 60,
  alertNoReady: true,
};

/** POST /api/admin/queues */
export const QueueCreate = QueueFields.superRefine(queueRules);
export type QueueCreate = z.infer<typeof QueueCreate>;
/** PATCH /api/admin/queues/:id */
export const QueueUpdate = QueueFields.extend({ version: Version }).superRefine(queueRules);
export type QueueUpdate = z.infer<typeof QueueUpdate>;
/** DELETE /api/admin/queues/:id?version=N */
export const VersionQuery = z.object({ version: z.coerce.number().int().min(1) }).strict();

export const QueuesQuery = listQuery(['name', 'strategy', 'priority', 'ringTimeoutSec'], 'name');
export type QueuesQuery = z.infer<typeof QueuesQuery>;

export interface QueueRow extends ChangeStamp, QueueCreate {
  id: string;
  overflowQueueName: string | null;
  scheduleName: string | null;
  members: number;
  numbers: string[];
}

/** A short list for pickers (memberships, numbers, overflow). */
export interface QueueOption {
  id: string;
  name: string;
}
