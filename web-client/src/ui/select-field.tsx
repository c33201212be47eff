import { useId } from 'preact/hooks';

/** A labelled <select> styled like the inputs. */
export function SelectField<T extends string>(props: {
  label: string;
  value: T;
  options: readonly { value: T; label: string }[];
  onValue: (value: T) => void;
  class?: string;
  name?: string;
  disabled?: boolean;
  /** Hide the label visually (a table cell names it around); it stays for screen readers. */
  hiddenLabel?: boolean;
}) {
  const id = useId();
  return (
    <div class={`field ${props.class ?? ''}`}>
      <label class={props.hiddenLabel ? 'visually-hidden' : 'field__label'} for={id}>
        {props.label}
      </label>
      <select
        id={id}
        class="select"
        name={props.name}
        value={props.value}
        disabled={props.disabled}
        onChange={(event) => props.onValue(event.currentTarget.value as T)}
      >
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}
