'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect } from 'react';
import { useFieldArray, useForm, useWatch, type Resolver } from 'react-hook-form';
import { z } from 'zod';
import { ANNOUNCE_LABEL, Announce, CallbackDigit, MaxWaitAction, NEW_QUEUE, PRESS1_TIMEOUT, QueueFields, STRATEGY_LABEL, Strategy, StrategyParams, overflowRules, recordingRules, type QueueOption, type QueueRow } from '@/server/contracts/admin/queues';
import { closedRules, type ScheduleOption } from '@/server/contracts/admin/schedules';
import { HoursFields, type HoursValues } from '../_parts/hours-fields';
import type { Control, UseFormRegister } from 'react-hook-form';
import { RECORDING_POLICY_LABEL, RecordingPolicy } from '@/server/contracts/admin/recordings';
import { api } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { FormField } from '../../_components/ui/form-field';
import { FormErrorMessage } from '../../_components/ui/form-error-message';
import { Checkbox, Input, Select, Textarea } from '../../_components/ui/inputs';
import { useUnsavedChanges } from '../../_components/ui/use-unsaved-changes';
import { useServerErrors } from '../_lib/use-server-errors';
import { AudioPicker } from '../_parts/audio-picker';
import { FormBanner } from '../_parts/form-banner';
import { Section } from '../_parts/page-frame';
import { SaveBar } from '../_parts/save-bar';

/**
 * The queue form, on the API's own field schema; the one difference is that the strategy's
 * parameters are edited as JSON text here and parsed into the API's object before sending.
 */
const ParamsText = z.string().transform((text, ctx) => {
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not valid JSON, e.g. {"tierWaitSec": 20}' });
    return z.NEVER;
  }
}).pipe(StrategyParams);
const FormSchema = QueueFields.extend({ strategyParams: ParamsText }).superRefine((v, ctx) => {
  overflowRules(v, ctx);
  closedRules(v, ctx);
  recordingRules(v, ctx);
});
type Values = z.input<typeof FormSchema>;
type Output = z.output<typeof FormSchema>;
const KNOWN = Object.keys(QueueFields.shape);


function defaults(q: QueueRow | null): Values {
  const { id: _i, overflowQueueName: _o, scheduleName: _s, members: _m, numbers: _n, version: _v, updatedAt: _u, updatedByName: _b, ...fields } = q ?? { ...NEW_QUEUE, id: '', overflowQueueName: null, scheduleName: null, members: 0, numbers: [], version: 0, updatedAt: 0, updatedByName: null };
  return { ...fields, strategyParams: Object.keys(fields.strategyParams).length ? JSON.stringify(fields.strategyParams, null, 2) : '' };
}

const nullIfEmpty = (v: string) => (v === '' ? null : v);
/** an empty number field is "none"; anything else goes to the schema as typed (so "2.5" gets its field error) */
const wholeOrNull = (v: unknown) => (v === '' || v === null || v === undefined ? null : typeof v === 'number' ? v : Number(v));

export function QueueForm({ queue, others, schedules, readOnly, onSaved, onReload }: { queue: QueueRow | null; others: QueueOption[]; schedules: ScheduleOption[]; readOnly: boolean; onSaved(q: QueueRow): void; onReload(): void }) {
  const form = useForm<Values, unknown, Output>({ resolver: zodResolver(FormSchema) as Resolver<Values, unknown, Output>, defaultValues: defaults(queue), mode: 'onTouched' });
  const { register, control, handleSubmit, formState, setError, reset } = form;
  const skills = useFieldArray({ control, name: 'requiredSkills' });
  const action = useWatch({ control, name: 'maxWaitAction' });
  const recordingPolicy = useWatch({ control, name: 'recordingPolicy' });
  const recordingNotice = useWatch({ control, name: 'recordingNotice' });
  // a queue that stops recording has nothing to tell: the (then disabled) box is cleared, not left on
  useEffect(() => {
    if (recordingPolicy === 'never' && recordingNotice) form.setValue('recordingNotice', false, { shouldDirty: true });
  }, [recordingPolicy, recordingNotice, form]);
  const maxCallers = useWatch({ control, name: 'maxCallers' });
  const announce = useWatch({ control, name: 'announce' });
  const press1Mobile = useWatch({ control, name: 'press1Mobile' });
  const press1SipPhone = useWatch({ control, name: 'press1SipPhone' });
  const callbackDigit = useWatch({ control, name: 'callbackDigit' });
  const refusal = useServerErrors(setError, KNOWN);
  useUnsavedChanges(formState.isDirty && !formState.isSubmitSuccessful);
  const num = (name: 'ringTimeoutSec' | 'wrapUpSec' | 'maxWaitSec' | 'slTargetPct' | 'slThresholdSec' | 'priority' | 'recordingRetentionDays' | 'announceEverySec' | 'press1TimeoutSec' | 'callbackTries' | 'callbackRetrySec' | 'callbackExpiryMin') => register(name, { valueAsNumber: true });

  const submit = handleSubmit(async (values) => {
    refusal.clear();
    const body = queue ? { ...values, version: queue.version } : values;
    const r = queue ? await api<QueueRow>(`/api/admin/queues/${encodeURIComponent(queue.id)}`, { method: 'PATCH', body }) : await api<QueueRow>('/api/admin/queues', { method: 'POST', body });
    if (r.ok) {
      reset(defaults(r.data));
      onSaved(r.data);
      return;
    }
    refusal.show(r);
  });

  return (
    <form onSubmit={submit} noValidate data-testid="queue-form" className="grid">
      <FormBanner message={refusal.banner} onReload={refusal.stale ? onReload : undefined} />
      <fieldset disabled={readOnly} className="m-0 min-w-0 border-0 p-0">
        <Section title="Queue">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="name" label="Name">
              {(p) => <Input {...p} {...register('name')} data-testid="queue-name" />}
            </FormField>
            <FormField control={control} name="priority" label="Priority" hint="1 (lowest) to 10: which queue's callers an operator in several queues gets first.">
              {(p) => <Input {...p} {...num('priority')} type="number" min={1} max={10} data-testid="queue-priority" />}
            </FormField>
          </div>
        </Section>

        <Section title="Routing" hint="Who gets the next caller. Level 1 members are offered calls first; set tierWaitSec to wait before level 2 joins. maxNoAnswer: missed calls in a row before an operator is set Not ready.">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="strategy" label="Strategy">
              {(p) => (
                <Select {...p} {...register('strategy')} data-testid="queue-strategy">
                  {Strategy.options.map((s) => (
                    <option key={s} value={s}>
                      {STRATEGY_LABEL[s]}
                    </option>
                  ))}
                </Select>
              )}
            </FormField>
            <FormField control={control} name="strategyParams" label="Strategy parameters (JSON)" hint='For example {"tierWaitSec": 20, "maxNoAnswer": 2}; known: tierWaitSec, maxNoAnswer, missCooldownSec, ageingSec, tieBreaker. Empty for the defaults.'>
              {(p) => <Textarea {...p} {...register('strategyParams')} spellCheck={false} className="font-mono text-sm" data-testid="queue-params" />}
            </FormField>
            <FormField control={control} name="ringTimeoutSec" label="Ring timeout (seconds)" hint="How long an operator's device rings before the caller is offered to the next one.">
              {(p) => <Input {...p} {...num('ringTimeoutSec')} type="number" min={5} max={300} data-testid="queue-ring-timeout" />}
            </FormField>
            <FormField control={control} name="wrapUpSec" label="Wrap-up (seconds)" hint="After-call work before the operator is offered the next call.">
              {(p) => <Input {...p} {...num('wrapUpSec')} type="number" min={0} max={600} data-testid="queue-wrap-up" />}
            </FormField>
          </div>
          <div className="grid gap-2">
            <p className="m-0 font-semibold">Required skills</p>
            {skills.fields.length === 0 && <p className="m-0 text-muted">None: anyone in the queue may answer.</p>}
            {skills.fields.map((f, i) => (
              <div key={f.id} className="grid grid-cols-[minmax(0,1fr)_5rem_auto] items-end gap-2">
                <FormField control={control} name={`requiredSkills.${i}.skill`} label={`Skill ${i + 1}`}>
                  {(p) => <Input {...p} {...register(`requiredSkills.${i}.skill`)} />}
                </FormField>
                <FormField control={control} name={`requiredSkills.${i}.minLevel`} label="At least">
                  {(p) => <Input {...p} {...register(`requiredSkills.${i}.minLevel`, { valueAsNumber: true })} type="number" min={1} max={10} />}
                </FormField>
                <Button variant="quiet" className="mb-6" onClick={() => skills.remove(i)} aria-label={`Remove skill ${i + 1}`}>
                  Remove
                </Button>
              </div>
            ))}
            <div>
              <Button onClick={() => skills.append({ skill: '', minLevel: 5 })}>Add a required skill</Button>
            </div>
          </div>
        </Section>

        <Section title="Phones: press 1 to take the call" hint="An operator's mobile or desk phone that answers hears “Press 1 to take this call from <this queue>”; the caller keeps the music and is connected only when they press 1. No key in time, or another key, counts as a missed call — so a voicemail that answers is never connected to a caller. Browsers are never asked.">
          <div className="grid gap-4 md:grid-cols-2">
            <label className="flex items-start gap-2 text-sm">
              <Checkbox {...register('press1Mobile')} data-testid="queue-press1-mobile" />
              <span>
                Ask mobiles
                <span className="block font-normal text-muted">Recommended: a mobile’s voicemail answers when the operator does not.</span>
              </span>
            </label>
            <label className="flex items-start gap-2 text-sm">
              <Checkbox {...register('press1SipPhone')} data-testid="queue-press1-sip-phone" />
              <span>
                Ask desk phones and softphones
                <span className="block font-normal text-muted">Worth it only for phones that forward to a voicemail of their own.</span>
              </span>
            </label>
            <FormField control={control} name="press1TimeoutSec" label="Seconds to press 1" hint={press1Mobile || press1SipPhone ? `${PRESS1_TIMEOUT.min} to ${PRESS1_TIMEOUT.max}, counted from the answer. Long enough to hear the sentence twice.` : 'Used when one of the boxes above is ticked.'}>
              {(p) => <Input {...p} {...num('press1TimeoutSec')} type="number" min={PRESS1_TIMEOUT.min} max={PRESS1_TIMEOUT.max} data-testid="queue-press1-timeout" />}
            </FormField>
          </div>
        </Section>

        <Section title="Waiting">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="holdAudio" label="Hold audio" hint="What callers hear while they wait; ▶ to listen before saving.">
              {(p) => <AudioPicker {...p} control={control} name="holdAudio" testId="queue-hold-audio" />}
            </FormField>
            <FormField control={control} name="maxWaitSec" label="Maximum wait (seconds)">
              {(p) => <Input {...p} {...num('maxWaitSec')} type="number" min={10} max={7200} data-testid="queue-max-wait" />}
            </FormField>
            <FormField control={control} name="maxWaitAction" label="After the maximum wait">
              {(p) => (
                <Select {...p} {...register('maxWaitAction')} data-testid="queue-max-wait-action">
                  {MaxWaitAction.options.map((a) => (
                    <option key={a} value={a}>
                      {a === 'release' ? 'Play a message and release the call' : a === 'overflow_queue' ? 'Move the caller to another queue' : 'Send the caller to an external number'}
                    </option>
                  ))}
                </Select>
              )}
            </FormField>
            {action === 'release' && (
              <FormField control={control} name="maxWaitMessage" label="Message before release (optional)">
                {(p) => <AudioPicker {...p} control={control} name="maxWaitMessage" noneLabel="No message" testId="queue-max-wait-message" />}
              </FormField>
            )}
            {action === 'overflow_queue' && (
              <FormField control={control} name="overflowQueueId" label="Overflow queue">
                {(p) => (
                  <Select {...p} {...register('overflowQueueId', { setValueAs: nullIfEmpty })} data-testid="queue-overflow-queue">
                    <option value="">Choose a queue</option>
                    {others.map((q) => (
                      <option key={q.id} value={q.id}>
                        {q.name}
                      </option>
                    ))}
                  </Select>
                )}
              </FormField>
            )}
            {action === 'overflow_number' && (
              <FormField control={control} name="overflowNumber" label="Overflow number" hint="International format, e.g. +441632960123.">
                {(p) => <Input {...p} {...register('overflowNumber', { setValueAs: nullIfEmpty })} inputMode="tel" data-testid="queue-overflow-number" />}
              </FormField>
            )}
            <FormField control={control} name="maxCallers" label="At most this many callers waiting (optional)" hint="Empty for no limit. A caller who finds the queue full gets what is chosen after the maximum wait, at once.">
              {(p) => <Input {...p} {...register('maxCallers', { setValueAs: wholeOrNull })} type="number" min={1} max={10000} placeholder="No limit" data-testid="queue-max-callers" />}
            </FormField>
            {action === 'release' && maxCallers !== null && maxCallers !== undefined && (
              <FormField control={control} name="fullAudio" label="Message when the queue is full (optional)" hint="Played once before the call ends.">
                {(p) => <AudioPicker {...p} control={control} name="fullAudio" noneLabel="No message — hang up at once" testId="queue-full-audio" />}
              </FormField>
            )}
            <FormField
              control={control}
              name="busyAudio"
              label="Message when the whole center is overloaded (optional)"
              hint="Only when the platform is past its capacity: new callers hear this once, then the call ends. Without one they get a busy signal."
            >
              {(p) => <AudioPicker {...p} control={control} name="busyAudio" noneLabel="No message — busy signal" testId="queue-busy-audio" />}
            </FormField>
            <label className="flex items-start gap-2 self-end pb-2 text-sm">
              <Checkbox {...register('overflowWhenEmpty')} data-testid="queue-overflow-when-empty" />
              <span>
                When nobody who could take the call is signed in, do what is chosen after the maximum wait at once
                <span className="block font-normal text-muted">Otherwise callers wait with music until the maximum wait, in case someone signs in.</span>
              </span>
            </label>
            <FormField control={control} name="announce" label="Tell waiting callers">
              {(p) => (
                <Select {...p} {...register('announce')} data-testid="queue-announce">
                  {Announce.options.map((a) => (
                    <option key={a} value={a}>
                      {ANNOUNCE_LABEL[a]}
                    </option>
                  ))}
                </Select>
              )}
            </FormField>
            {(announce !== 'none' || callbackDigit) && (
              <FormField control={control} name="announceEverySec" label="Every (seconds)" hint="15 to 600. Also once when the caller starts waiting; the music resumes after each.">
                {(p) => <Input {...p} {...num('announceEverySec')} type="number" min={15} max={600} data-testid="queue-announce-every" />}
              </FormField>
            )}
            <FormField control={control} name="callbackDigit" label="Offer a callback" hint="Waiting callers hear “to keep your place and be called back, press …”, confirm their number (or key another) on the keypad, then hang up; they are called back when their turn comes (numbers under the allowed dialling prefixes only).">
              {(p) => (
                <Select {...p} {...register('callbackDigit', { setValueAs: nullIfEmpty })} data-testid="queue-callback-digit">
                  <option value="">No callback</option>
                  {CallbackDigit.options.map((d) => (
                    <option key={d} value={d}>
                      Press {d}
                    </option>
                  ))}
                </Select>
              )}
            </FormField>
            {callbackDigit && (
              <>
                <FormField control={control} name="callbackTries" label="Callback tries" hint="1 to 10. A try the caller does not answer, or the operator's phone does not take, counts.">
                  {(p) => <Input {...p} {...num('callbackTries')} type="number" min={1} max={10} data-testid="queue-callback-tries" />}
                </FormField>
                <FormField control={control} name="callbackRetrySec" label="Between tries (seconds)" hint="30 to 3600. The callback keeps its place meanwhile.">
                  {(p) => <Input {...p} {...num('callbackRetrySec')} type="number" min={30} max={3600} data-testid="queue-callback-retry" />}
                </FormField>
                <FormField control={control} name="callbackExpiryMin" label="Give up after (minutes)" hint="5 to 120, counted from the caller's request. A callback not made by then is given up.">
                  {(p) => <Input {...p} {...num('callbackExpiryMin')} type="number" min={5} max={120} data-testid="queue-callback-expiry" />}
                </FormField>
              </>
            )}
          </div>
        </Section>

        <HoursFields control={control as unknown as Control<HoursValues>} register={register as unknown as UseFormRegister<HoursValues>} schedules={schedules} queues={others} what="queue" />
        <Section title="Operator's screen" hint="When an operator answers a call of this queue, this page opens in a new tab of their browser (your CRM's search for the caller, for example).">
          <FormField
            control={control}
            name="screenPopUrl"
            label="Screen pop address (optional)"
            hint="{number} becomes the caller's number, {callId} the call's id. For example https://crm.example.com/search?phone={number}"
          >
            {(p) => <Input {...p} {...register('screenPopUrl', { setValueAs: nullIfEmpty })} inputMode="url" spellCheck={false} data-testid="queue-screen-pop" />}
          </FormField>
        </Section>

        <Section title="Service level and wallboard" hint="The wallboard measures this queue against the target, and turns its tile red (with a notification) when an alert below is met.">
          <div className="grid grid-cols-2 gap-4">
            <FormField control={control} name="slTargetPct" label="Answered (%)">
              {(p) => <Input {...p} {...num('slTargetPct')} type="number" min={1} max={100} data-testid="queue-sl-pct" />}
            </FormField>
            <FormField control={control} name="slThresholdSec" label="Within (seconds)">
              {(p) => <Input {...p} {...num('slThresholdSec')} type="number" min={1} max={3600} data-testid="queue-sl-sec" />}
            </FormField>
            <FormField control={control} name="alertMaxWaitSec" label="Alert when a caller waits longer than (seconds)" hint="5 to 7200; leave empty for no wait alert.">
              {(p) => (
                <Input
                  {...p}
                  {...register('alertMaxWaitSec', { setValueAs: (v: unknown) => (v === '' || v === null || v === undefined ? null : Number(v)) })}
                  type="number"
                  min={5}
                  max={7200}
                  data-testid="queue-alert-wait"
                />
              )}
            </FormField>
            <label className="flex items-center gap-2 self-end pb-2 text-sm">
              <Checkbox {...register('alertNoReady')} data-testid="queue-alert-no-ready" /> Alert when callers wait and nobody is Ready
            </label>
          </div>
        </Section>

        <Section title="Recording" hint="Recordings are kept for the days below, then deleted automatically. Admins and supervisors can play them from the call's page.">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="recordingPolicy" label="Record calls">
              {(p) => (
                <Select {...p} {...register('recordingPolicy')} data-testid="queue-recording-policy">
                  {RecordingPolicy.options.map((r) => (
                    <option key={r} value={r}>
                      {RECORDING_POLICY_LABEL[r]}
                    </option>
                  ))}
                </Select>
              )}
            </FormField>
            <FormField control={control} name="recordingRetentionDays" label="Keep recordings (days)" hint="1 to 3650.">
              {(p) => <Input {...p} {...num('recordingRetentionDays')} type="number" min={1} max={3650} data-testid="queue-recording-retention" />}
            </FormField>
            <div className="md:col-span-2">
              <label className="flex items-start gap-2 text-sm">
                <Checkbox {...register('recordingNotice')} disabled={readOnly || recordingPolicy === 'never'} aria-describedby="queue-recording-notice-why" data-testid="queue-recording-notice" />
                <span>
                  Tell the caller
                  <span id="queue-recording-notice-why" className="block font-normal text-muted">
                    {recordingPolicy === 'never'
                      ? 'Choose how this queue records first: a queue that never records has nothing to tell.'
                      : recordingPolicy === 'always'
                        ? 'Callers hear “This call may be recorded for quality and training.” before they are put through.'
                        : 'When the operator presses Record, the caller hears “This call is now being recorded.”'}
                  </span>
                </span>
              </label>
              <FormErrorMessage id="queue-recording-notice-error" message={formState.errors.recordingNotice?.message} testId="field-error-recordingNotice" />
            </div>
          </div>
        </Section>
      </fieldset>
      {!readOnly && <SaveBar busy={formState.isSubmitting} dirty={formState.isDirty && !formState.isSubmitSuccessful} backHref="/admin/queues" label={queue ? 'Save' : 'Add the queue'} />}
    </form>
  );
}
