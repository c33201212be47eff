import { describe, expect, it } from 'vitest';
import type { AdminUser } from './admin-data.ts';
import { UserDirectory } from './user-directory.ts';

const user = (id: string): AdminUser => ({
  id,
  email: `${id}@example.org`,
  full_name: id.toUpperCase(),
  role: 'user',
  status: 'active',
  created_at: '2025-01-01T00:00:00Z',
  last_login: null,
});

describe('UserDirectory', () => {
  it('looks each id up once and knows listed users without asking', async () => {
    const asked: string[] = [];
    const directory = new UserDirectory((id) => {
      asked.push(id);
      return Promise.resolve(user(id));
    });
    directory.remember([user('listed')]);
    expect((await directory.lookup('listed'))?.full_name).toBe('LISTED');
    await Promise.all([directory.lookup('a'), directory.lookup('a')]);
    expect(await directory.lookup('a')).toEqual(user('a'));
    expect(asked).toEqual(['a']);
  });

  it('answers undefined for an id it cannot look up', async () => {
    const directory = new UserDirectory(() => Promise.reject(new Error('404')));
    expect(await directory.lookup('gone')).toBeUndefined();
  });
});
