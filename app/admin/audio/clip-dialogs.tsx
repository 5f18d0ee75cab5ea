'use client';
import { zodResolver } from '@hookform/resolvers/zod';
import { useState } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { AUDIO_KIND_LABEL, AudioKind, ClipName, type AudioRow } from '@/server/contracts/admin/audio';
import { api } from '../../_lib/api';
import { Button } from '../../_components/ui/button';
import { Dialog } from '../../_components/ui/dialog';
import { sentence } from '../../_components/ui/form-error-message';
import { FormField } from '../../_components/ui/form-field';
import { Input, Select } from '../../_components/ui/inputs';
import { applyServerErrors } from '../_lib/server-errors';
import { Banner } from '../_parts/page-frame';

const EditSchema = z.object({ name: ClipName, kind: AudioKind });
type Values = z.input<typeof EditSchema>;

/** Rename a clip or change its kind (a clip in use keeps its name: the API says where it is used). */
export function EditClipDialog({ clip, onClose, onSaved }: { clip: AudioRow; onClose(): void; onSaved(): void }) {
  const { register, control, handleSubmit, setError, formState } = useForm<Values>({ resolver: zodResolver(EditSchema), defaultValues: { name: clip.name, kind: clip.kind } });
  const [banner, setBanner] = useState<string | null>(null);
  const submit = handleSubmit(async (values) => {
    const r = await api(`/api/admin/audio/${encodeURIComponent(clip.id)}`, { method: 'PATCH', body: { ...values, version: clip.version } });
    if (r.ok) return onSaved();
    setBanner(applyServerErrors(r, setError, ['name', 'kind']));
  });
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`Edit ${clip.name}`} testId="clip-dialog">
      <form onSubmit={submit} noValidate className="grid gap-4">
        {banner && <Banner>{banner}</Banner>}
        <FormField control={control} name="name" label="Name" hint={clip.usedBy.length ? `In use by ${clip.usedBy.join('; ')}: it keeps its name until they pick another clip.` : 'What queues and numbers pick it by.'}>
          {(p) => <Input {...p} {...register('name')} readOnly={clip.usedBy.length > 0} autoComplete="off" data-testid="clip-name" />}
        </FormField>
        <FormField control={control} name="kind" label="Kind">
          {(p) => (
            <Select {...p} {...register('kind')} data-testid="clip-kind">
              {AudioKind.options.map((k) => (
                <option key={k} value={k}>
                  {AUDIO_KIND_LABEL[k]}
                </option>
              ))}
            </Select>
          )}
        </FormField>
        <div className="flex flex-wrap gap-2">
          <Button type="submit" variant="primary" disabled={formState.isSubmitting} data-testid="clip-save">
            Save
          </Button>
          <Button onClick={onClose}>Cancel</Button>
        </div>
      </form>
    </Dialog>
  );
}

/** Asks before deleting; shows the API's reason when it refuses. */
export function DeleteClipDialog({ clip, onClose, onDeleted }: { clip: AudioRow; onClose(): void; onDeleted(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog open onOpenChange={(o) => !o && onClose()} title={`Delete ${clip.name}?`} description="This cannot be undone. The audit keeps what it was (not the audio)." testId="clip-delete-dialog">
      {error && <Banner testId="delete-error">{error}</Banner>}
      <div className="flex flex-wrap gap-2">
        <Button
          variant="danger"
          disabled={busy}
          data-testid="clip-delete-confirm"
          onClick={async () => {
            setBusy(true);
            const r = await api(`/api/admin/audio/${encodeURIComponent(clip.id)}?version=${clip.version}`, { method: 'DELETE' });
            setBusy(false);
            if (r.ok) onDeleted();
            else setError(sentence(r.error.message));
          }}
        >
          {busy ? 'Deleting…' : 'Delete'}
        </Button>
        <Button onClick={onClose}>Keep it</Button>
      </div>
    </Dialog>
  );
}
