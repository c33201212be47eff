import { CompassIcon } from '../ui/icons.tsx';

/** Any path the client does not know. */
export function NotFoundPage(props: { signedIn: boolean }) {
  return (
    <div class="page page--narrow">
      <section class="card not-found">
        <div class="empty-state">
          <div class="empty-state__icon">
            <CompassIcon size={28} />
          </div>
          <p class="not-found__code">404</p>
          <h1 class="empty-state__title not-found__title" tabIndex={-1}>
            Page not found
          </h1>
          <div class="empty-state__text">
            <p>There is nothing at this address. It may have moved, or the link may be mistyped.</p>
          </div>
          <a class="button button--primary" href={props.signedIn ? '/talk' : '/sign-in'}>
            {props.signedIn ? 'Go to Talk' : 'Go to sign in'}
          </a>
        </div>
      </section>
    </div>
  );
}
