'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useFieldArray, useForm, type Resolver } from 'react-hook-form';
import type { z } from 'zod';
import { PersonCreate, PersonUpdate, type PasswordLink, type PersonRow } from '@/server/contracts/admin/people';
import type { QueueOption } from '@/server/contracts/admin/queues';
import { api } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { FormErrorMessage } from '../../_components/ui/form-error-message';
import { FormField } from '../../_components/ui/form-field';
import { Checkbox, Input, Select } from '../../_components/ui/inputs';
import { useUnsavedChanges } from '../../_components/ui/use-unsaved-changes';
import { useServerErrors } from '../_lib/use-server-errors';
import { FormBanner } from '../_parts/form-banner';
import { Section } from '../_parts/page-frame';
import { SaveBar } from '../_parts/save-bar';

/**
 * The person form: validated in the browser by the API's own schema (PersonCreate when adding,
 * PersonUpdate when editing), then by the API; its refusals land next to their fields.
 */
type Values = z.input<typeof PersonCreate> & { version?: number };
const KNOWN = ['name', 'email', 'role', 'active', 'mustChangePassword', 'skills', 'memberships', 'password'] as const;

function defaults(p: PersonRow | null): Values {
  if (!p) return { name: '', email: '', role: 'OPERATOR', active: true, mustChangePassword: false, skills: [], memberships: [], password: undefined };
  return { name: p.name, email: p.email, role: p.role, active: p.active, mustChangePassword: p.mustChangePassword, skills: p.skills, memberships: p.memberships.map(({ queueId, level }) => ({ queueId, level })), version: p.version };
}

export interface PersonFormProps {
  person: PersonRow | null;
  queues: QueueOption[];
  readOnly: boolean;
  onSaved(person: PersonRow, link: PasswordLink | null): void;
  onReload(): void;
}

export function PersonForm({ person, queues, readOnly, onSaved, onReload }: PersonFormProps) {
  const schema = person ? PersonUpdate : PersonCreate;
  const form = useForm<Values>({ resolver: zodResolver(schema) as unknown as Resolver<Values>, defaultValues: defaults(person), mode: 'onTouched' });
  const { register, control, handleSubmit, formState, setError, reset } = form;
  const skills = useFieldArray({ control, name: 'skills' });
  const memberships = useFieldArray({ control, name: 'memberships' });
  const refusal = useServerErrors(setError, KNOWN);
  useUnsavedChanges(formState.isDirty && !formState.isSubmitSuccessful);

  const submit = handleSubmit(async (values) => {
    refusal.clear();
    const r = person
      ? await api<PersonRow>(`/api/admin/people/${encodeURIComponent(person.id)}`, { method: 'PATCH', body: values })
      : await api<{ person: PersonRow; link: PasswordLink | null }>('/api/admin/people', { method: 'POST', body: values });
    if (r.ok) {
      const saved = 'person' in r.data ? r.data : { person: r.data, link: null };
      reset(defaults(saved.person));
      onSaved(saved.person, saved.link);
      return;
    }
    refusal.show(r);
  });

  return (
    <form onSubmit={submit} noValidate data-testid="person-form" className="grid">
      <FormBanner message={refusal.banner} onReload={refusal.stale ? onReload : undefined} />
      <fieldset disabled={readOnly} className="m-0 min-w-0 border-0 p-0">
        <Section title="Who">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="name" label="Name">
              {(p) => <Input {...p} {...register('name')} autoComplete="off" data-testid="person-name" />}
            </FormField>
            <FormField control={control} name="email" label="E-mail">
              {(p) => <Input {...p} {...register('email')} type="email" autoComplete="off" data-testid="person-email" />}
            </FormField>
            <FormField control={control} name="role" label="Role" hint="Admins change the set-up; supervisors watch it; operators take calls.">
              {(p) => (
                <Select {...p} {...register('role')} data-testid="person-role">
                  <option value="OPERATOR">Operator</option>
                  <option value="SUPERVISOR">Supervisor</option>
                  <option value="ADMIN">Admin</option>
                </Select>
              )}
            </FormField>
            {!person && (
              <FormField control={control} name="password" label="Password (optional)" hint="Leave empty to get a one-time set-password link to send them instead.">
                {(p) => <Input {...p} {...register('password', { setValueAs: (v: string) => (v === '' ? undefined : v) })} type="password" autoComplete="new-password" data-testid="person-password" />}
              </FormField>
            )}
          </div>
          <div className="grid gap-2">
            <label className="flex items-center gap-2 font-normal">
              <Checkbox {...register('active')} data-testid="person-active" /> Active — may sign in (deactivating signs them out; an operator on a call finishes it first)
            </label>
            <FormErrorMessage message={formState.errors.active?.message} testId="field-error-active" />
            <label className="flex items-center gap-2 font-normal">
              <Checkbox {...register('mustChangePassword')} data-testid="person-must-change" /> Must change the password at next sign-in
            </label>
          </div>
        </Section>

        <Section title="Skills" hint="Levels from 1 (can) to 10 (expert); skills-based routing arrives with the routing issue.">
          {skills.fields.length === 0 && <p className="m-0 text-muted">No skills yet.</p>}
          {skills.fields.map((f, i) => (
            <div key={f.id} className="grid grid-cols-[minmax(0,1fr)_5rem_auto] items-end gap-2">
              <FormField control={control} name={`skills.${i}.skill`} label={`Skill ${i + 1}`}>
                {(p) => <Input {...p} {...register(`skills.${i}.skill`)} data-testid={`skill-name-${i}`} />}
              </FormField>
              <FormField control={control} name={`skills.${i}.level`} label="Level">
                {(p) => <Input {...p} {...register(`skills.${i}.level`, { valueAsNumber: true })} type="number" min={1} max={10} data-testid={`skill-level-${i}`} />}
              </FormField>
              <Button variant="quiet" onClick={() => skills.remove(i)} aria-label={`Remove skill ${i + 1}`} className="mb-6">
                Remove
              </Button>
            </div>
          ))}
          <div>
            <Button onClick={() => skills.append({ skill: '', level: 5 })} data-testid="skill-add">
              Add a skill
            </Button>
          </div>
        </Section>

        <Section title="Queues" hint="The queues this person takes calls from, with a level (1–10) for each.">
          {memberships.fields.length === 0 && <p className="m-0 text-muted">In no queue yet.</p>}
          {memberships.fields.map((f, i) => (
            <div key={f.id} className="grid grid-cols-[minmax(0,1fr)_5rem_auto] items-end gap-2">
              <FormField control={control} name={`memberships.${i}.queueId`} label={`Queue ${i + 1}`}>
                {(p) => (
                  <Select {...p} {...register(`memberships.${i}.queueId`)} data-testid={`membership-queue-${i}`}>
                    {queues.map((q) => (
                      <option key={q.id} value={q.id}>
                        {q.name}
                      </option>
                    ))}
                  </Select>
                )}
              </FormField>
              <FormField control={control} name={`memberships.${i}.level`} label="Level">
                {(p) => <Input {...p} {...register(`memberships.${i}.level`, { valueAsNumber: true })} type="number" min={1} max={10} data-testid={`membership-level-${i}`} />}
              </FormField>
              <Button variant="quiet" onClick={() => memberships.remove(i)} aria-label={`Remove queue ${i + 1}`} className="mb-6">
                Remove
              </Button>
            </div>
          ))}
          <div>
            <Button onClick={() => memberships.append({ queueId: queues[0]?.id ?? '', level: 1 })} disabled={queues.length === 0} data-testid="membership-add">
              Add to a queue
            </Button>
          </div>
        </Section>
      </fieldset>
      {!readOnly && <SaveBar busy={formState.isSubmitting} dirty={formState.isDirty && !formState.isSubmitSuccessful} backHref="/admin/people" label={person ? 'Save' : 'Add the person'} />}
    </form>
  );
}

