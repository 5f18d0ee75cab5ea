import type { TimelineEvent } from '../contracts/call';

/**
 * A stored timeline event in plain words for the call page ("Offered to Ada Lovelace", "The
 * caller hung up"), never its JSON or an internal id: operators and queues are named through
 * `names` (their ids looked up by the route), legs, clips and SIP causes are left out. Pure.
 */
export interface StoryNames {
  operator(id: unknown): string;
  queue(id: unknown): string;
}

/** The ids an event's data names, for the route to look up in one query each. */
export function namedIds(data: unknown): { operators: string[]; queues: string[] } {
  const d = obj(data);
  const pick = (keys: string[]) => keys.map((k) => d[k]).filter((v): v is string => typeof v === 'string');
  return { operators: pick(['operatorId', 'toOperatorId', 'consultOperatorId']), queues: pick(['toQueueId', 'fromQueueId']) };
}

const CLOSED_ACTION: Record<string, string> = { release: 'the closed message, then the call ended', overflow_queue: 'another queue', overflow_number: 'another number' };

export function describeEvent(type: TimelineEvent, data: unknown, n: StoryNames): string {
  const words = say(type, obj(data), n);
  // a sentence starts with a capital even when it starts with a name we did not find ("an operator …")
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function say(type: TimelineEvent, d: Record<string, unknown>, n: StoryNames): string {
  const who = () => n.operator(d.operatorId);
  const num = () => (typeof d.number === 'string' ? ` ${d.number}` : '');
  switch (type) {
    case 'arrived':
      return typeof d.callerName === 'string' && d.callerName ? `The call arrived from ${d.callerName}` : 'The call arrived';
    case 'offered':
      return `Offered to ${who()}`;
    case 'device-ringing':
      return `${who()}\u2019s phone rang`;
    case 'answered':
      return typeof d.operatorId === 'string' ? `${who()} answered` : typeof d.number === 'string' ? `The number${num()} answered` : 'Answered';
    case 'caller-hangup':
      return 'The caller hung up';
    case 'moved':
      return `Handed to another CTI node${typeof d.to === 'string' ? ` (${d.to})` : ''}, where ${who()} was free; the caller kept their place`;
    case 'device-hangup':
      return 'The operator hung up';
    case 'device-release':
      return 'Patchbay ended the operator\u2019s side of the call';
    case 'caller-release':
      return 'Patchbay ended the caller\u2019s side of the call';
    case 'dial-failed':
      return typeof d.operatorId === 'string' ? `${who()} did not take the call` : `The call could not be connected${num()}`;
    case 'closed':
      return `Closed at that time: the caller got ${CLOSED_ACTION[String(d.action)] ?? 'the closed-hours handling'}`;
    case 'max-wait':
      return typeof d.maxWaitSec === 'number' ? `The caller waited the queue\u2019s longest wait (${d.maxWaitSec} s)` : 'The caller waited the queue\u2019s longest wait';
    case 'announcement':
      if (d.then === 'music') return waitingWords(d);
      return 'A message was played to the caller';
    case 'queue-full':
      return typeof d.maxCallers === 'number' ? `The queue was full (${d.maxCallers} waiting): the caller got ${CLOSED_ACTION[String(d.action)]?.replace('the closed message', 'the queue-full message') ?? 'the queue\u2019s overflow'}` : 'The queue was full';
    case 'queue-empty':
      return `Nobody who could take the call was signed in: the caller got ${CLOSED_ACTION[String(d.action)]?.replace('the closed message', 'the queue\u2019s message') ?? 'the queue\u2019s overflow'}`;
    case 'callback-confirming':
      return typeof d.number === 'string' ? `The caller asked to be called back and was asked to confirm their number${num()}` : 'The caller asked to be called back and was asked for a number';
    case 'callback-number-keyed':
      return d.ok === true ? `The caller keyed a number to be called back on${num()}` : `The caller keyed a number that cannot be called back${typeof d.reason === 'string' ? ` (${d.reason})` : ''}`;
    case 'callback-requested':
      return `The caller asked to be called back${num()} and hung up, keeping their place`;
    case 'callback-refused':
      return typeof d.reason === 'string' ? `No callback number was confirmed (${d.reason}); the caller kept waiting` : 'No callback number was confirmed; the caller kept waiting';
    case 'callback-dial':
      return `${who()} was kept for the callback; the caller${num()} was called back${typeof d.attempt === 'number' && d.attempt > 1 ? ` (try ${d.attempt})` : ''}`;
    case 'callback-answered':
      return 'The caller answered the callback';
    case 'callback-failed':
      return typeof d.attempts === 'number' ? `The callback was given up after ${d.attempts} tries` : 'The callback was given up';
    case 'press1-asked':
      return `${who()}’s phone answered and was asked to press 1`;
    case 'press1-accepted':
      return `${who()} pressed 1 to take the call`;
    case 'press1-refused':
      return `${who()}’s phone did not press 1 (${typeof d.why === 'string' ? d.why : 'no answer'}): the caller was never connected to it`;
    case 'callback-expired':
      return typeof d.expiryMin === 'number' ? `The callback was given up: not made within ${d.expiryMin} min` : 'The callback was given up: not made in time';
    case 'overflow-queue':
      return `Moved to the queue ${n.queue(d.toQueueId)}`;
    case 'overflow-number':
      return `Forwarded to${num() || ' another number'}`;
    case 'no-answer':
      return d.notReady === true ? `${who()} missed it and was set to Not ready` : `${who()} did not answer in time`;
    case 'offer-cancelled':
      return `The offer to ${who()} was withdrawn: someone else answered`;
    case 'requeued':
      return 'Back in the queue, at its place';
    case 'device-lost':
      return `${who()}\u2019s connection was lost: the caller waited again, first in line`;
    case 'held':
      return 'The caller was put on hold';
    case 'resumed':
      return 'The caller was taken off hold';
    case 'muted':
      return 'The operator muted their microphone';
    case 'unmuted':
      return 'The operator unmuted their microphone';
    case 'dtmf-sent':
      return typeof d.count === 'number' ? `The operator sent ${d.count} keypad ${d.count === 1 ? 'digit' : 'digits'}` : 'The operator sent keypad digits';
    case 'transferred':
      if (typeof d.toOperatorId === 'string') return `Transferred to ${n.operator(d.toOperatorId)}`;
      if (typeof d.consultOperatorId === 'string') return `Transferred to ${n.operator(d.consultOperatorId)} after they spoke`;
      if (typeof d.toQueueId === 'string') return `Transferred to the queue ${n.queue(d.toQueueId)}`;
      return `Transferred to${num() || ' another number'}`;
    case 'consult':
      return `The operator rang ${n.operator(d.toOperatorId)} with the caller on hold`;
    case 'consult-answered':
      return `${who()} answered the operator\u2019s call`;
    case 'conference':
      return `The caller and both operators (with ${n.operator(d.consultOperatorId)}) were joined`;
    case 'consult-ended':
      return 'The second operator\u2019s part ended';
    case 'outbound':
      return `${who()} dialled${num()}`;
    case 'number-answered':
      return 'The dialled number answered';
    case 'recovered':
      return d.state === 'gone'
        ? 'The CTI restarted: the call had ended while it was away'
        : `The CTI restarted and found the call again (${typeof d.state === 'string' ? d.state : 'held'}${typeof d.gapMs === 'number' ? `, ${Math.round(d.gapMs / 1000)} s after its last event` : ''})`;
    case 'ended':
      return 'The call ended';
  }
}

/** A waiting announcement: what the caller heard of their place, wait and the callback offer (its clips say). */
function waitingWords(d: Record<string, unknown>): string {
  const clips = Array.isArray(d.clips) ? d.clips : [];
  const told: string[] = [];
  if (clips.includes('say-you-are') && typeof d.position === 'number') told.push(`their place in the queue (${d.position})`);
  if (typeof d.waitSec === 'number' && clips.some((c) => typeof c === 'string' && c.startsWith('say-wait'))) told.push(`the expected wait (${Math.max(1, Math.ceil(d.waitSec / 60))} min)`);
  if (clips.includes('say-callback-press')) told.push('how to be called back');
  if (clips.some((c) => c === 'say-callback-number' || c === 'say-callback-enter' || c === 'say-callback-bad' || c === 'say-callback-kept')) told.push('how to confirm the callback number');
  return told.length ? `The caller was told ${told.join(', ')}` : 'A message was played to the caller';
}

function obj(data: unknown): Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
}
