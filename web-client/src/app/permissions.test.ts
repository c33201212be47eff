import { describe, expect, it } from 'vitest';
import { adminAbilities, canChangeStatusOf } from './permissions.ts';

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

describe('canChangeStatusOf', () => {
  it('lets an admin suspend anyone, a moderator only users, analysts and guests', () => {
    for (const target of ['admin', 'moderator', 'analyst', 'user', 'guest'] as const)
      expect(canChangeStatusOf('admin', target), target).toBe(true);
    expect(canChangeStatusOf('moderator', 'admin')).toBe(false);
    expect(canChangeStatusOf('moderator', 'moderator')).toBe(false);
    for (const target of ['analyst', 'user', 'guest'] as const)
      expect(canChangeStatusOf('moderator', target), target).toBe(true);
  });

  it('gives other roles no say over anyone', () => {
    for (const viewer of ['analyst', 'user', 'guest'] as const)
      expect(canChangeStatusOf(viewer, 'user'), viewer).toBe(false);
  });
});
