import { useEffect, useLayoutEffect, useRef } from 'preact/hooks';
import type { ApiUser } from '../api/auth-api.ts';
import { AccountPage } from '../pages/account-page.tsx';
import { AuditPage } from '../pages/admin/audit-page.tsx';
import { SessionsPage } from '../pages/admin/sessions-page.tsx';
import { UsersPage } from '../pages/admin/users-page.tsx';
import { DashboardPage } from '../pages/dashboard-page.tsx';
import { ForgotPasswordPage } from '../pages/forgot-password-page.tsx';
import { HistoryPage } from '../pages/history-page.tsx';
import { MemoryPage } from '../pages/memory-page.tsx';
import { NotFoundPage } from '../pages/not-found-page.tsx';
import { ResetPasswordPage } from '../pages/reset-password-page.tsx';
import { SignInPage } from '../pages/sign-in-page.tsx';
import { SignUpPage } from '../pages/sign-up-page.tsx';
import { VerifyEmailPage } from '../pages/verify-email-page.tsx';
import {
  AppContext,
  type AppServices,
  useApp,
  useLocation,
  useSessionState,
} from './app-context.ts';
import { AppHeader } from './app-header.tsx';
import { LazyTalkPage } from './lazy-talk-page.tsx';
import { LoadingScreen } from './loading-screen.tsx';
import { type RouteName, decideRoute, documentTitle, isCardPage } from './routes.ts';

export function App(props: AppServices) {
  return (
    <AppContext.Provider value={props}>
      <Shell />
    </AppContext.Provider>
  );
}

function Shell() {
  const { router } = useApp();
  const location = useLocation();
  const state = useSessionState();
  const user = state.status === 'signed-in' ? state.user : undefined;
  const decision = decideRoute(
    location,
    user
      ? { status: 'signed-in', role: user.role }
      : { status: state.status === 'restoring' ? 'restoring' : 'signed-out' },
  );

  useLayoutEffect(() => {
    if (decision.kind === 'redirect') router.navigate(decision.to, { replace: true });
  }, [decision.kind === 'redirect' ? decision.to : '']);

  const route = decision.kind === 'page' ? decision.route : undefined;
  useEffect(() => {
    document.title = route ? documentTitle(route) : documentTitle('home');
  }, [route]);
  usePageFocus(route, location.pathname);

  if (decision.kind !== 'page') return <LoadingScreen />;
  const page = decision.route;
  // The sign-in card pages carry the product name themselves.
  const header = !isCardPage(page);
  return (
    <div class={`app app--${page}`}>
      <a class="skip-link" href="#main" data-native-link>
        Skip to content
      </a>
      {header ? <AppHeader user={user} current={page} /> : null}
      <main id="main" class="app-main" tabIndex={-1}>
        <Page
          route={page}
          user={user}
          reason={state.status === 'signed-out' ? state.reason : undefined}
        />
      </main>
    </div>
  );
}

function Page(props: { route: RouteName; user: ApiUser | undefined; reason: string | undefined }) {
  const { session } = useApp();
  const { route, user } = props;
  switch (route) {
    case 'sign-in':
      return <SignInPage reason={props.reason} />;
    case 'sign-up':
      return <SignUpPage />;
    case 'forgot-password':
      return <ForgotPasswordPage />;
    case 'reset-password':
      return <ResetPasswordPage mode="reset" />;
    case 'set-password':
      return <ResetPasswordPage mode="set" />;
    case 'verify-email':
      return <VerifyEmailPage />;
    case 'not-found':
      return <NotFoundPage signedIn={user !== undefined} />;
    case 'home':
      return null;
  }
  // decideRoute only shows the private pages to a signed-in user.
  if (!user) return null;
  switch (route) {
    case 'talk':
      return <LazyTalkPage session={session} user={user} />;
    case 'memory':
      return <MemoryPage user={user} />;
    case 'history':
      return <HistoryPage />;
    case 'dashboard':
      return <DashboardPage user={user} />;
    case 'account':
      return <AccountPage user={user} />;
    case 'admin-users':
      return <UsersPage user={user} />;
    case 'admin-sessions':
      return <SessionsPage user={user} />;
    case 'admin-audit':
      return <AuditPage user={user} />;
  }
}

/**
 * After a navigation inside the page (not the first load), focus moves to the new page's heading,
 * so screen readers announce it and the next Tab starts at the top of the content.
 */
function usePageFocus(route: RouteName | undefined, pathname: string) {
  const first = useRef(true);
  useEffect(() => {
    if (!route) return;
    if (first.current) {
      first.current = false;
      return;
    }
    const heading = document.querySelector<HTMLElement>('#main h1');
    const target = heading ?? document.getElementById('main');
    if (!target) return;
    if (heading && !heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
    target.focus({ preventScroll: false });
  }, [route, pathname]);
}
