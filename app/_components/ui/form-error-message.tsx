/** A field's message, next to the field; renders nothing when there is none. */
export function FormErrorMessage({ id, message, testId }: { id?: string | undefined; message?: string | undefined; testId?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="m-0 text-sm text-bad" data-testid={testId}>
      {sentence(message)}
    </p>
  );
}

/** Server and schema messages are lower-case fragments; show them as sentences. */
export function sentence(s: string): string {
  const t = s.charAt(0).toUpperCase() + s.slice(1);
  return /[.!?]$/.test(t) ? t : `${t}.`;
}
