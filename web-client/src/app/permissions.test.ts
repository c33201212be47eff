import { describe, expect, it } from 'vitest';
import { adminAbilities } from './permissions.ts';

describe('adminAbilities', () => {
  it('gives an admin everything', () => {
    expect(Object.values(adminAbilities('admin')).every(Boolean)).toBe(true);
  });

  it('lets a moderator moderate but not change roles, delete or add accounts', () => {
    expect(adminAbilities('moderator')).toEqual({
      moderateUsers: true,
      changeRoles: false,
      deleteUsers: false,
      addUsers: false,
      manageSessions: true,
      readAudit: true,
    });
  });

  it('gives analysts, users and guests nothing on the admin pages', () => {
    for (const role of ['analyst', 'user', 'guest'] as const)
      expect(Object.values(adminAbilities(role)).some(Boolean), role).toBe(false);
  });
});
