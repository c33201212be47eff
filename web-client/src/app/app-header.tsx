import type { ApiUser } from '../api/auth-api.ts';
import { ChartIcon, HistoryIcon, LogoMark, MemoryIcon, MicIcon } from '../ui/icons.tsx';
import { PRODUCT_NAME, type RouteName, canSeeDashboard } from './routes.ts';
import { UserMenu } from './user-menu.tsx';

const NAV: { route: RouteName; path: string; label: string; icon: typeof MicIcon }[] = [
  { route: 'talk', path: '/talk', label: 'Talk', icon: MicIcon },
  { route: 'memory', path: '/memory', label: 'Memory', icon: MemoryIcon },
  { route: 'history', path: '/history', label: 'History', icon: HistoryIcon },
  { route: 'dashboard', path: '/dashboard', label: 'Dashboard', icon: ChartIcon },
];

/** The product name, the main navigation and the account menu. Signed out: the name alone. */
export function AppHeader(props: { user: ApiUser | undefined; current: RouteName }) {
  const { user, current } = props;
  const items = user
    ? NAV.filter((item) => item.route !== 'dashboard' || canSeeDashboard(user.role))
    : [];
  return (
    <header class="app-header">
      <div class="app-header__inner">
        <a class="brand" href={user ? '/talk' : '/sign-in'}>
          <LogoMark />
          <span class="brand__name">{PRODUCT_NAME}</span>
        </a>
        {items.length > 0 ? (
          <nav class="main-nav" aria-label="Main">
            <ul class={`main-nav__list main-nav__list--${items.length}`}>
              {items.map((item) => (
                <li key={item.route}>
                  <a
                    class="main-nav__link"
                    href={item.path}
                    aria-current={item.route === current ? 'page' : undefined}
                  >
                    <item.icon class="main-nav__icon" />
                    <span>{item.label}</span>
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        ) : null}
        {user ? (
          <UserMenu user={user} />
        ) : (
          <a class="button button--secondary button--small app-header__sign-in" href="/sign-in">
            Sign in
          </a>
        )}
      </div>
    </header>
  );
}
