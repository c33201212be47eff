import type { ComponentChildren } from 'preact';
import { useSessionState } from '../app/app-context.ts';
import { Notice } from '../ui/feedback.tsx';
import { HistoryIcon, LogoMark, MemoryIcon, MicIcon } from '../ui/icons.tsx';

/** The sign-in and sign-up pages: the form on a card, beside a short word about the product. */
export function AuthLayout(props: { title: string; intro: string; children: ComponentChildren }) {
  const state = useSessionState();
  const guest = state.status === 'signed-in' && state.user.role === 'guest';
  return (
    <div class="auth">
      <aside class="auth__aside" aria-label="About Attune">
        <a class="brand brand--large" href="/sign-in">
          <LogoMark size={36} />
          <span class="brand__name">Attune</span>
        </a>
        <p class="auth__tagline">A voice assistant that knows you, on your own server.</p>
        <ul class="auth__points">
          <li>
            <MicIcon />
            <span>Talk naturally and see the transcript as you go.</span>
          </li>
          <li>
            <MemoryIcon />
            <span>It remembers what you ask it to, and you can edit or delete it.</span>
          </li>
          <li>
            <HistoryIcon />
            <span>Look back at past conversations whenever you like.</span>
          </li>
        </ul>
      </aside>
      <section class="auth__panel" aria-labelledby="auth-title">
        <div class="auth__card card">
          <h1 id="auth-title" class="auth__title">
            {props.title}
          </h1>
          <p class="auth__intro">{props.intro}</p>
          {guest ? (
            <Notice class="auth__notice">
              You are trying Attune as a guest. Sign in or create an account to be remembered.{' '}
              <a href="/talk">Back to Talk</a>
            </Notice>
          ) : null}
          {props.children}
        </div>
      </section>
    </div>
  );
}
