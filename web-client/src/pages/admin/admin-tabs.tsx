import type { RouteName } from '../../app/routes.ts';
import { LockIcon } from '../../ui/icons.tsx';
import { PageHeader } from '../../ui/page-header.tsx';

const TABS: { route: RouteName; path: string; label: string }[] = [
  { route: 'admin-users', path: '/manage/users', label: 'Users' },
  { route: 'admin-sessions', path: '/manage/sessions', label: 'Live sessions' },
  { route: 'admin-audit', path: '/manage/audit', label: 'Audit log' },
];

/** The admin pages' own navigation, above each of them. */
export function AdminTabs(props: { current: RouteName }) {
  return (
    <nav class="tabs" aria-label="Administration">
      {TABS.map((tab) => (
        <a
          key={tab.route}
          class="tabs__tab"
          href={tab.path}
          aria-current={tab.route === props.current ? 'page' : undefined}
        >
          {tab.label}
        </a>
      ))}
    </nav>
  );
}

/** What a user without an admin or moderator role sees on an admin page. */
export function AdminNotAllowed(props: { title: string }) {
  return (
    <div class="page">
      <PageHeader title={props.title} />
      <section class="card">
        <div class="empty-state">
          <div class="empty-state__icon">
            <LockIcon size={28} />
          </div>
          <h2 class="empty-state__title">This page is for administrators and moderators</h2>
          <div class="empty-state__text">
            <p>Ask an admin of this Attune server if you need access.</p>
          </div>
          <a class="button button--secondary" href="/talk">
            Back to Talk
          </a>
        </div>
      </section>
    </div>
  );
}
