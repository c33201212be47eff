import type { ApiUser } from '../api/auth-api.ts';
import { ChartIcon, HistoryIcon, LogoMark, MemoryIcon, MicIcon, ShieldIcon } from '../ui/icons.tsx';
import { PRODUCT_NAME, type RouteName, canSeeAdminPages, canSeeDashboard } from './routes.ts';
import { UserMenu } from './user-menu.tsx';

interface NavItem {
  route: RouteName;
  path: string;
  label: string;
  icon: typeof MicIcon;
  /** Other pages the entry stands for (the admin pages share one entry). */
  also?: RouteName[];
  allowed?: (role: ApiUser['role']) => boolean;
}

const NAV: NavItem[] = [
  { route: 'talk', path: '/talk', label: 'Talk', icon: MicIcon },
  { route: 'memory', path: '/memory', label: 'Memory', icon: MemoryIcon },
  { route: 'history', path: '/history', label: 'History', icon: HistoryIcon },
  {
    route: 'dashboard',
    path: '/dashboard',
    label: 'Dashboard',
    icon: ChartIcon,
    allowed: canSeeDashboard,
  },
  {
    route: 'admin-users',
    path: '/manage/users',
    label: 'Admin',
    icon: ShieldIcon,
    also: ['admin-sessions', 'admin-audit'],
    allowed: canSeeAdminPages,
  },
];

/** The product name, the main navigation and the account menu. Signed out: the name alone. */
export function AppHeader(props: { user: ApiUser | undefined; current: RouteName }) {
  const { user, current } = props;
  const items = user ? NAV.filter((item) => !item.allowed || item.allowed(user.role)) : [];
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
                    aria-current={
                      item.route === current || item.also?.includes(current) ? 'page' : undefined
                    }
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
