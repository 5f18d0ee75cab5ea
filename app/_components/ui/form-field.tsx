'use client';
import { Label } from '@radix-ui/react-label';
import { useId, type ReactNode } from 'react';
import { useFormState, type FieldValues, type Control, type FieldPath, get } from 'react-hook-form';
import { FormErrorMessage } from './form-error-message';

/**
 * One labelled field of a react-hook-form form: the label, the control, an optional hint and
 * the field's message right under it. The control receives the ids and ARIA attributes, so a
 * screen reader reads the message with the field. Messages come from the same zod schema as
 * the API's (client side) or from the API's `fields` (set with `setError` after a refusal).
 */
export interface ControlProps {
  id: string;
  'aria-invalid': boolean | undefined;
  'aria-describedby': string | undefined;
}

export interface FormFieldProps<T extends FieldValues, O extends FieldValues = T> {
  /** a form's control; O is its submitted (transformed) values, when the schema transforms */
  control: Control<T, unknown, O>;
  name: FieldPath<T>;
  label: string;
  hint?: ReactNode;
  children(props: ControlProps): ReactNode;
  className?: string;
}

export function FormField<T extends FieldValues, O extends FieldValues = T>({ control, name, label, hint, children, className }: FormFieldProps<T, O>) {
  const id = useId();
  const { errors } = useFormState({ control, name });
  const error = get(errors, name) as { message?: string } | undefined;
  const message = error?.message;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = message ? `${id}-error` : undefined;
  return (
    <div className={className ?? 'grid content-start gap-1'}>
      <Label htmlFor={id} className="font-semibold">
        {label}
      </Label>
      {children({ id, 'aria-invalid': message ? true : undefined, 'aria-describedby': [hintId, errorId].filter(Boolean).join(' ') || undefined })}
      {hint && (
        <p id={hintId} className="m-0 text-sm text-muted">
          {hint}
        </p>
      )}
      <FormErrorMessage id={errorId} message={message} testId={`field-error-${name}`} />
    </div>
  );
}
