import { useState } from 'preact/hooks';
import { formErrors } from './error-message.ts';

/**
 * A form on a card that stays on the page after it is sent: fields left empty are named before
 * anything is sent, the service's refusal becomes a summary plus a message by each field it names.
 * `submit` answers whether the change went through.
 */
export function useFormSubmit(fields: readonly string[]) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [issues, setIssues] = useState<Record<string, string>>({});

  async function submit(
    missing: Record<string, string>,
    send: () => Promise<unknown>,
    /** A field to name for an error that is about it (e.g. a wrong current password). */
    fieldOf?: (error: unknown) => string | undefined,
  ): Promise<boolean> {
    setIssues(missing);
    setError(undefined);
    if (Object.keys(missing).length > 0) return false;
    setBusy(true);
    try {
      await send();
      return true;
    } catch (failure) {
      const shown = formErrors(failure, fields);
      const field = fieldOf?.(failure);
      if (field) {
        setIssues({ ...shown.fields, [field]: shown.summary });
        setError(undefined);
      } else {
        setIssues(shown.fields);
        setError(shown.summary);
      }
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, issues, submit };
}
