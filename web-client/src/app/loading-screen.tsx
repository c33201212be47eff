import { LogoMark } from '../ui/icons.tsx';

/**
 * Shown while the session restores from the refresh cookie: the mark only, fading in after a
 * moment (CSS), so a quick restore shows nothing and never flashes the sign-in form.
 */
export function LoadingScreen() {
  return (
    <div class="loading-screen" role="status" aria-live="polite" aria-busy="true">
      <div class="loading-screen__mark">
        <LogoMark size={40} />
      </div>
      <span class="visually-hidden">Loading Attune…</span>
    </div>
  );
}
