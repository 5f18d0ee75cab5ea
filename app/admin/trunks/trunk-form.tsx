'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useMemo } from 'react';
import { useForm, useWatch, type Resolver } from 'react-hook-form';
import { z } from 'zod';
import { InboundSources, NEW_TRUNK, TrunkPassword, TrunkSettings, TrunkTransport, trunkRules, type TrunkCreate, type TrunkRow, type TrunkUpdate } from '@/server/contracts/admin/trunks';
import { api } from '../../_lib/api';
import { FormField } from '../../_components/ui/form-field';
import { Checkbox, Input, Select, Textarea } from '../../_components/ui/inputs';
import { useUnsavedChanges } from '../../_components/ui/use-unsaved-changes';
import { useServerErrors } from '../_lib/use-server-errors';
import { FormBanner } from '../_parts/form-banner';
import { Section } from '../_parts/page-frame';
import { SaveBar } from '../_parts/save-bar';

/**
 * The trunk form, on the API's own schema. Two differences: the source addresses are one text
 * (one per line, or separated by commas) parsed into the API's list, and the password is
 * write-only — the field starts empty and says whether one is stored; empty keeps it.
 */
const SourcesText = z
  .string()
  .transform((text) => text.split(/[\s,]+/).filter((s) => s !== ''))
  .pipe(InboundSources);

function formSchema(passwordSet: boolean) {
  return TrunkSettings.extend({ inboundSources: SourcesText, password: TrunkPassword, clearPassword: z.boolean() }).superRefine((v, ctx) =>
    trunkRules(v, v.password !== '' || (passwordSet && !v.clearPassword), ctx),
  );
}
type Schema = ReturnType<typeof formSchema>;
type Values = z.input<Schema>;
type Output = z.output<Schema>;
const KNOWN = [...Object.keys(TrunkSettings.shape), 'password'];

function defaults(t: TrunkRow | null): Values {
  const s = t ?? NEW_TRUNK;
  return {
    name: s.name,
    host: s.host,
    port: s.port,
    transport: s.transport,
    username: s.username ?? '',
    realm: s.realm ?? '',
    register: s.register,
    registerExpirySec: s.registerExpirySec,
    inboundSources: s.inboundSources.join('\n'),
    inboundDigest: s.inboundDigest,
    outbound: s.outbound,
    callerIdMode: s.callerIdMode,
    callerIdE164: s.callerIdE164 ?? '',
    assertIdentity: s.assertIdentity,
    privacy: s.privacy,
    enabled: s.enabled,
    password: '',
    clearPassword: false,
  };
}

function Tick({ name, label, register, testId, hint }: { name: keyof Values; label: string; register: ReturnType<typeof useForm<Values, unknown, Output>>['register']; testId: string; hint?: string }) {
  return (
    <div className="grid content-start gap-1">
      <label className="flex items-center gap-2 font-normal">
        <Checkbox {...register(name)} data-testid={testId} /> {label}
      </label>
      {hint && <p className="m-0 pl-7 text-sm text-muted">{hint}</p>}
    </div>
  );
}

export function TrunkForm({ trunk, readOnly, onSaved, onReload }: { trunk: TrunkRow | null; readOnly: boolean; onSaved(t: TrunkRow): void; onReload(): void }) {
  const passwordSet = trunk?.passwordSet ?? false;
  const schema = useMemo(() => formSchema(passwordSet), [passwordSet]);
  const form = useForm<Values, unknown, Output>({ resolver: zodResolver(schema) as Resolver<Values, unknown, Output>, defaultValues: defaults(trunk), mode: 'onTouched' });
  const { register, control, handleSubmit, formState, setError, reset } = form;
  const registering = useWatch({ control, name: 'register' });
  const callerIdMode = useWatch({ control, name: 'callerIdMode' });
  const clearing = useWatch({ control, name: 'clearPassword' });
  const refusal = useServerErrors(setError, KNOWN);
  useUnsavedChanges(formState.isDirty && !formState.isSubmitSuccessful);

  const submit = handleSubmit(async (values) => {
    refusal.clear();
    const { clearPassword, ...rest } = values;
    const r = trunk
      ? await api<TrunkRow>(`/api/admin/trunks/${encodeURIComponent(trunk.id)}`, { method: 'PATCH', body: { ...rest, clearPassword, version: trunk.version } satisfies TrunkUpdate })
      : await api<TrunkRow>('/api/admin/trunks', { method: 'POST', body: rest satisfies TrunkCreate });
    if (r.ok) {
      reset(defaults(r.data));
      onSaved(r.data);
      return;
    }
    refusal.show(r);
  });

  return (
    <form onSubmit={submit} noValidate data-testid="trunk-form" className="grid">
      <FormBanner message={refusal.banner} onReload={refusal.stale ? onReload : undefined} />
      <fieldset disabled={readOnly} className="m-0 min-w-0 border-0 p-0">
        <Section title="Carrier" hint="Where your carrier's servers are, as its welcome e-mail or portal says.">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="name" label="Name" hint="Letters, digits, dot, dash, underscore; e.g. carrier-uk.">
              {(p) => <Input {...p} {...register('name')} autoComplete="off" data-testid="trunk-name" />}
            </FormField>
            <FormField control={control} name="host" label="Host" hint="A host name (sip.carrier.example) or an IP address.">
              {(p) => <Input {...p} {...register('host')} autoComplete="off" spellCheck={false} data-testid="trunk-host" />}
            </FormField>
            <FormField control={control} name="port" label="Port">
              {(p) => <Input {...p} {...register('port', { valueAsNumber: true })} type="number" min={1} max={65535} data-testid="trunk-port" />}
            </FormField>
            <FormField control={control} name="transport" label="Transport">
              {(p) => (
                <Select {...p} {...register('transport')} data-testid="trunk-transport">
                  {TrunkTransport.options.map((t) => (
                    <option key={t} value={t}>
                      {t === 'tls' ? 'TLS (encrypted)' : t.toUpperCase()}
                    </option>
                  ))}
                </Select>
              )}
            </FormField>
          </div>
          <Tick name="enabled" label="In use" hint="Untick to make the switch ignore this trunk (calls in progress go on)." register={register} testId="trunk-enabled" />
        </Section>

        <Section title="Sign-in to the carrier" hint="The user name and password your carrier gave you. The password is never shown again once saved.">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="username" label="User name">
              {(p) => <Input {...p} {...register('username')} autoComplete="off" spellCheck={false} data-testid="trunk-username" />}
            </FormField>
            <FormField control={control} name="password" label="Password" hint={passwordSet ? (clearing ? 'Will be removed when you save.' : 'Set — type to replace it; leave empty to keep it.') : 'Not set.'}>
              {(p) => <Input {...p} {...register('password')} type="password" autoComplete="new-password" placeholder={passwordSet ? 'set — type to replace' : 'not set'} disabled={clearing} data-testid="trunk-password" />}
            </FormField>
            <FormField control={control} name="realm" label="Realm (optional)" hint="Only if the carrier names one; it also becomes the host part of our identity.">
              {(p) => <Input {...p} {...register('realm')} autoComplete="off" spellCheck={false} data-testid="trunk-realm" />}
            </FormField>
            {passwordSet && (
              <div className="self-center">
                <Tick name="clearPassword" label="Remove the stored password" register={register} testId="trunk-clear-password" />
              </div>
            )}
          </div>
        </Section>

        <Section title="Registration" hint="Most carriers that give you a user name want the switch to register, so they know where to send your calls.">
          <div className="grid gap-4 md:grid-cols-2">
            <Tick name="register" label="Register to the carrier" register={register} testId="trunk-register" />
            {registering && (
              <FormField control={control} name="registerExpirySec" label="Registration lasts (seconds)" hint="60 to 86400; renewed before it runs out.">
                {(p) => <Input {...p} {...register('registerExpirySec', { valueAsNumber: true })} type="number" min={60} max={86400} data-testid="trunk-expiry" />}
              </FormField>
            )}
          </div>
        </Section>

        <Section title="Calls in" hint="Calls from the carrier are accepted only for the numbers that name this trunk.">
          <div className="grid gap-4 md:grid-cols-2">
            <FormField control={control} name="inboundSources" label="Carrier's addresses" hint="One per line: IP addresses or blocks, e.g. 203.0.113.0/24 or 2001:db8::/32.">
              {(p) => <Textarea {...p} {...register('inboundSources')} spellCheck={false} className="font-mono text-sm" data-testid="trunk-sources" />}
            </FormField>
            <Tick name="inboundDigest" label="Ask the carrier for the password on each call" hint="For carriers without fixed addresses." register={register} testId="trunk-inbound-digest" />
          </div>
        </Section>

        <Section title="Calls out" hint="Calls to operators' mobiles leave through a trunk.">
          <div className="grid gap-4 md:grid-cols-2">
            <Tick name="outbound" label="Calls may go out through this trunk" register={register} testId="trunk-outbound" />
            <FormField control={control} name="callerIdMode" label="Number shown to the person called">
              {(p) => (
                <Select {...p} {...register('callerIdMode')} data-testid="trunk-caller-id-mode">
                  <option value="fixed">Always our number below</option>
                  <option value="pass">The caller's own number, when known</option>
                </Select>
              )}
            </FormField>
            <FormField control={control} name="callerIdE164" label={callerIdMode === 'fixed' ? 'Our number' : 'Our number (when the caller has none)'} hint="International format, e.g. +441632960123.">
              {(p) => <Input {...p} {...register('callerIdE164')} inputMode="tel" data-testid="trunk-caller-id" />}
            </FormField>
            <div className="grid content-start gap-3">
              <Tick name="assertIdentity" label="Assert the number to the carrier" hint="Tells the carrier which number is ours; most carriers need it." register={register} testId="trunk-assert" />
              <Tick name="privacy" label="Hide the number from the person called" register={register} testId="trunk-privacy" />
            </div>
          </div>
        </Section>
      </fieldset>
      {!readOnly && <SaveBar busy={formState.isSubmitting} dirty={formState.isDirty && !formState.isSubmitSuccessful} backHref="/admin/trunks" label={trunk ? 'Save' : 'Add the trunk'} />}
    </form>
  );
}
