'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useFieldArray, useForm, useWatch, type Resolver } from 'react-hook-form';
import { z } from 'zod';
import { MaxWaitAction, NEW_QUEUE, QueueFields, STRATEGY_LABEL, Strategy, StrategyParams, overflowRules, type QueueOption, type QueueRow } from '@/server/contracts/admin/queues';
import { api } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { FormField } from '../../_components/ui/form-field';
import { Input, Select, Textarea } from '../../_components/ui/inputs';
import { useUnsavedChanges } from '../../_components/ui/use-unsaved-changes';
import { useServerErrors } from '../_lib/use-server-errors';
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
    ctx.addIssue({ code: 'custom', message: 'not valid JSON, e.g. {"weight": 2}' });
    return z.NEVER;
  }
}).pipe(StrategyParams);
const FormSchema = QueueFields.extend({ strategyParams: ParamsText }).superRefine(overflowRules);
type Values = z.input<typeof FormSchema>;
type Output = z.output<typeof FormSchema>;
const KNOWN = Object.keys(QueueFields.shape);


function defaults(q: QueueRow | null): Values {
  const { id: _i, overflowQueueName: _o, members: _m, numbers: _n, version: _v, updatedAt: _u, updatedByName: _b, ...fields } = q ?? { ...NEW_QUEUE, id: '', overflowQueueName: null, members: 0, numbers: [], version: 0, updatedAt: 0, updatedByName: null };
  return { ...fields, strategyParams: Object.keys(fields.strategyParams).length ? JSON.stringify(fields.strategyParams, null, 2) : '' };
}

const nullIfEmpty = (v: string) => (v === '' ? null : v);

export function QueueForm({ queue, others, readOnly, onSaved, onReload }: { queue: QueueRow | null; others: QueueOption[]; readOnly: boolean; onSaved(q: QueueRow): void; onReload(): void }) {
  const form = useForm<Values, unknown, Output>({ resolver: zodResolver(FormSchema) as Resolver<Values, unknown, Output>, defaultValues: defaults(queue), mode: 'onTouched' });
  const { register, control, handleSubmit, formState, setError, reset } = form;
  const skills = useFieldArray({ control, name: 'requiredSkills' });
  const action = useWatch({ control, name: 'maxWaitAction' });
  const refusal = useServerErrors(setError, KNOWN);
  useUnsavedChanges(formState.isDirty && !formState.isSubmitSuccessful);
  const num = (name: 'ringTimeoutSec' | 'wrapUpSec' | 'maxWaitSec' | 'slTargetPct' | 'slThresholdSec' | 'priority') => register(name, { valueAsNumber: true });

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

        <Section title="Routing" hint="Longest idle is honoured today; the other strategies and their parameters are kept for the routing issue.">
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
            <FormField control={control} name="strategyParams" label="Strategy parameters (JSON)" hint='For example {"weight": 2}; empty for none.'>
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

        <Section title="Waiting">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="holdAudio" label="Hold audio" hint="The name of a clip in the ACD's audio directory; default is the built-in music.">
              {(p) => <Input {...p} {...register('holdAudio')} data-testid="queue-hold-audio" />}
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
              <FormField control={control} name="maxWaitMessage" label="Message before release (clip name, optional)">
                {(p) => <Input {...p} {...register('maxWaitMessage', { setValueAs: nullIfEmpty })} data-testid="queue-max-wait-message" />}
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
          </div>
        </Section>

        <Section title="Service level" hint="The target the supervision page measures this queue against.">
          <div className="grid grid-cols-2 gap-4">
            <FormField control={control} name="slTargetPct" label="Answered (%)">
              {(p) => <Input {...p} {...num('slTargetPct')} type="number" min={1} max={100} data-testid="queue-sl-pct" />}
            </FormField>
            <FormField control={control} name="slThresholdSec" label="Within (seconds)">
              {(p) => <Input {...p} {...num('slThresholdSec')} type="number" min={1} max={3600} data-testid="queue-sl-sec" />}
            </FormField>
          </div>
        </Section>
      </fieldset>
      {!readOnly && <SaveBar busy={formState.isSubmitting} dirty={formState.isDirty && !formState.isSubmitSuccessful} backHref="/admin/queues" label={queue ? 'Save' : 'Add the queue'} />}
    </form>
  );
}
