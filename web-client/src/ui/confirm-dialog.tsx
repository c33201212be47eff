import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef } from 'preact/hooks';
import { Spinner } from './feedback.tsx';

/**
 * A modal confirmation on the native <dialog>: focus is trapped inside and returns to the opener,
 * Escape cancels. The confirm button is the destructive action; Cancel gets the initial focus.
 */
export function ConfirmDialog(props: {
  open: boolean;
  title: string;
  children: ComponentChildren;
  confirmLabel: string;
  busy?: boolean;
  error?: string | undefined;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);

  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-body`}
      onCancel={(event) => {
        event.preventDefault();
        if (!props.busy) props.onCancel();
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its content) cancels.
        if (event.target === ref.current && !props.busy) props.onCancel();
      }}
    >
      <div class="dialog__content">
        <h2 class="dialog__title" id={`${id}-title`}>
          {props.title}
        </h2>
        <div class="dialog__body" id={`${id}-body`}>
          {props.children}
        </div>
        {props.error ? (
          <p class="dialog__error" role="alert">
            {props.error}
          </p>
        ) : null}
        <div class="dialog__actions">
          <button
            type="button"
            class="button button--secondary"
            onClick={props.onCancel}
            disabled={props.busy}
            autofocus
          >
            Cancel
          </button>
          <button
            type="button"
            class="button button--danger"
            onClick={props.onConfirm}
            disabled={props.busy}
          >
            {props.busy ? <Spinner size="sm" /> : null}
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </dialog>
  );
}
