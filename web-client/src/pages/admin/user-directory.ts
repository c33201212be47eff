import { useEffect, useMemo, useState } from 'preact/hooks';
import { useApp } from '../../app/app-context.ts';
import type { AdminUser } from './admin-data.ts';

/**
 * Names for the user ids the sessions and the audit log carry: each id is looked up once (GET
 * /admin/users/{id}) and remembered; users already listed are known without a request. An id
 * that cannot be looked up (deleted, or the lookup failed) stays an id.
 */
export class UserDirectory {
  readonly #known = new Map<string, Promise<AdminUser | undefined>>();

  constructor(private readonly load: (id: string) => Promise<AdminUser>) {}

  remember(users: readonly AdminUser[]): void {
    for (const user of users) this.#known.set(user.id, Promise.resolve(user));
  }

  lookup(id: string): Promise<AdminUser | undefined> {
    let found = this.#known.get(id);
    if (!found) {
      found = this.load(id).catch(() => undefined);
      this.#known.set(id, found);
    }
    return found;
  }
}

/** The user behind an id, once known (undefined while looking, or when unknown). */
export function useDirectoryUser(
  directory: UserDirectory,
  id: string | null,
): AdminUser | undefined {
  const [user, setUser] = useState<AdminUser | undefined>();
  useEffect(() => {
    setUser(undefined);
    if (!id) return;
    let live = true;
    void directory.lookup(id).then((found) => {
      if (live) setUser(found);
    });
    return () => {
      live = false;
    };
  }, [directory, id]);
  return user;
}

/** A directory for one page, looking users up through the admin API. */
export function useDirectory(): UserDirectory {
  const { session } = useApp();
  return useMemo(
    () =>
      new UserDirectory((id) =>
        session
          .request<AdminUser | { user: AdminUser }>({
            method: 'GET',
            path: `/admin/users/${encodeURIComponent(id)}`,
          })
          .then((answer) => ('user' in answer ? answer.user : answer)),
      ),
    [session],
  );
}
