import type { ComponentChildren } from 'preact';
import { AlertIcon, InfoIcon } from './icons.tsx';

/** An error the user must notice: read out at once by screen readers. */
export function ErrorAlert(props: { children: ComponentChildren; class?: string }) {
  return (
    <div class={`alert alert--error ${props.class ?? ''}`} role="alert">
      <AlertIcon class="alert__icon" />
      <div class="alert__body">{props.children}</div>
    </div>
  );
}

/** A calm notice (a reason, a hint); polite for screen readers. */
export function Notice(props: {
  children: ComponentChildren;
  class?: string;
  tone?: 'info' | 'success';
}) {
  return (
    <div class={`alert alert--${props.tone ?? 'info'} ${props.class ?? ''}`} role="status">
      <InfoIcon class="alert__icon" />
      <div class="alert__body">{props.children}</div>
    </div>
  );
}

export function Spinner(props: { label?: string; size?: 'sm' | 'md' }) {
  return (
    <span
      class={`spinner spinner--${props.size ?? 'md'}`}
      role={props.label ? 'img' : undefined}
      aria-label={props.label}
      aria-hidden={props.label ? undefined : 'true'}
    />
  );
}

/** A loading placeholder for a section (announced politely). */
export function LoadingBlock(props: { label: string }) {
  return (
    <div class="loading-block" role="status" aria-live="polite">
      <Spinner />
      <span>{props.label}</span>
    </div>
  );
}

/** A failure to load a section, with a way to try again. */
export function LoadFailed(props: { message: string; onRetry: () => void }) {
  return (
    <div class="load-failed">
      <ErrorAlert>{props.message}</ErrorAlert>
      <button type="button" class="button button--secondary" onClick={props.onRetry}>
        Try again
      </button>
    </div>
  );
}

export function EmptyState(props: {
  icon?: ComponentChildren;
  title: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="empty-state">
      {props.icon ? <div class="empty-state__icon">{props.icon}</div> : null}
      <h2 class="empty-state__title">{props.title}</h2>
      {props.children ? <div class="empty-state__text">{props.children}</div> : null}
    </div>
  );
}
