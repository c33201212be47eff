import type { JSX, Ref } from 'preact';
import { useId } from 'preact/hooks';

type InputProps = Omit<
  JSX.InputHTMLAttributes<HTMLInputElement>,
  'id' | 'value' | 'onInput' | 'label'
>;

/** A labelled input with an optional hint and error, both tied to it for screen readers. */
export function Field(
  props: InputProps & {
    label: string;
    value: string;
    onValue: (value: string) => void;
    hint?: string | undefined;
    error?: string | undefined;
    /** The input element itself (e.g. to focus it). */
    inputRef?: Ref<HTMLInputElement>;
  },
) {
  const { label, value, onValue, hint, error, inputRef, class: className, ...input } = props;
  const id = useId();
  const describedBy =
    [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div
      class={`field ${error ? 'field--invalid' : ''} ${typeof className === 'string' ? className : ''}`}
    >
      <label class="field__label" for={id}>
        {label}
      </label>
      <input
        {...input}
        ref={inputRef}
        id={id}
        class="input"
        value={value}
        onInput={(event) => onValue(event.currentTarget.value)}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
      {hint ? (
        <p class="field__hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field__error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
    </div>
  );
}
