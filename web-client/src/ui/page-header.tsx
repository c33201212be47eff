import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

/** The page's h1 (focused after navigation), a line about the page, and optional actions. */
export function PageHeader(props: {
  title: string;
  children?: ComponentChildren;
  actions?: ComponentChildren;
}) {
  return (
    <div class="page-header">
      <div class="page-header__text">
        <h1 class="page-header__title" tabIndex={-1}>
          {props.title}
        </h1>
        {props.children ? <p class="page-header__lead">{props.children}</p> : null}
      </div>
      {props.actions ? <div class="page-header__actions">{props.actions}</div> : null}
    </div>
  );
}

export interface StatusMessage {
  text: string;
  /** Counts the messages, so the same words twice still show twice. */
  seq: number;
}

/** A short confirmation to show and announce: `announce("Saved.")`. */
export function useStatus(): [StatusMessage | undefined, (text: string) => void] {
  const [status, setStatus] = useState<StatusMessage | undefined>();
  return [status, (text) => setStatus((current) => ({ text, seq: (current?.seq ?? 0) + 1 }))];
}

/**
 * Short confirmations ("Saved"): read out by a polite live region that stays in the page, and
 * shown as a toast that fades after a few seconds (a new element per message, so each one shows).
 */
export function LiveStatus(props: { message: StatusMessage | undefined }) {
  const { message } = props;
  return (
    <>
      <p class="visually-hidden" role="status" aria-live="polite">
        {message?.text ?? ''}
      </p>
      {message ? (
        <p key={message.seq} class="toast" aria-hidden="true">
          {message.text}
        </p>
      ) : null}
    </>
  );
}
