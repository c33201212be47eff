import { describe, expect, it } from 'vitest';
import {
  type AdminUser,
  actionLabel,
  auditPath,
  auditPeriodProblem,
  detailText,
  nextDay,
  removalWarning,
  replaceUser,
  sessionsPath,
  shortId,
  usersPath,
} from './admin-data.ts';

const noUserFilters = { search: '', role: '', status: '' } as const;
const noAuditFilters = { action: '', user: '', from: '', to: '' };

describe('usersPath', () => {
  it('asks for a page with only the filters that are set', () => {
    expect(usersPath(noUserFilters)).toBe('/admin/users?limit=25');
    expect(usersPath({ search: '  ada@ ', role: 'moderator', status: 'suspended' }, 'c1')).toBe(
      '/admin/users?limit=25&search=ada%40&role=moderator&status=suspended&cursor=c1',
    );
  });

  it('keeps the search within what the service takes', () => {
    const query = new URL(usersPath({ ...noUserFilters, search: 'x'.repeat(300) }), 'http://x')
      .searchParams;
    expect(query.get('search')).toHaveLength(100);
  });
});

describe('replaceUser', () => {
  it('replaces the changed user in place', () => {
    const user = (id: string, status: AdminUser['status']): AdminUser => ({
      id,
      email: `${id}@example.org`,
      full_name: id,
      role: 'user',
      status,
      created_at: '2025-01-01T00:00:00Z',
      last_login: null,
    });
    const list = [user('a', 'active'), user('b', 'active')];
    expect(replaceUser(list, user('b', 'suspended')).map((u) => u.status)).toEqual([
      'active',
      'suspended',
    ]);
  });
});

describe('sessionsPath', () => {
  it('asks for live sessions by default and any status when recent', () => {
    expect(sessionsPath('active')).toBe('/admin/sessions?limit=50');
    expect(sessionsPath('recent', 'next')).toBe('/admin/sessions?limit=50&recent=true&cursor=next');
  });
});

describe('removalWarning', () => {
  it('says nothing when LiveKit removed everyone or there was nobody to remove', () => {
    expect(removalWarning(null)).toBeUndefined();
    expect(
      removalWarning({ removed: [{ roomName: 'r', identity: 'u' }], notInRoom: [], failed: [] }),
    ).toBeUndefined();
  });

  it('names the rooms LiveKit failed on and its error', () => {
    expect(
      removalWarning({
        removed: [],
        notInRoom: [],
        failed: [
          { roomName: 'room-1', identity: 'u', error: 'timeout' },
          { roomName: 'room-1', identity: 'u', error: 'timeout' },
          { roomName: 'room-2', identity: 'u', error: 'refused' },
        ],
      }),
    ).toBe(
      'LiveKit could not remove them from room-1, room-2 (timeout); they may stay in the room until their token expires.',
    );
  });
});

describe('audit filters', () => {
  it('asks for the whole of the end day, and only the filters that are set', () => {
    expect(auditPath(noAuditFilters)).toBe('/admin/audit?limit=50');
    expect(
      auditPath({ action: ' role_change ', user: 'u1', from: '2025-11-01', to: '2025-11-30' }, 42),
    ).toBe(
      '/admin/audit?limit=50&action=role_change&user=u1&from=2025-11-01&to=2025-12-01&cursor=42',
    );
  });

  it('rolls the day over months and years', () => {
    expect(nextDay('2025-02-28')).toBe('2025-03-01');
    expect(nextDay('2024-02-28')).toBe('2024-02-29');
    expect(nextDay('2025-12-31')).toBe('2026-01-01');
  });

  it('refuses a period that ends before it starts', () => {
    expect(auditPeriodProblem({ from: '', to: '' })).toBeUndefined();
    expect(auditPeriodProblem({ from: '2025-11-01', to: '2025-11-01' })).toBeUndefined();
    expect(auditPeriodProblem({ from: '2025-11-02', to: '2025-11-01' })).toBe(
      'The start date is after the end date.',
    );
    expect(auditPeriodProblem({ from: '11/02/2025', to: '' })).toBe('Pick a start date.');
  });
});

describe('audit entries as text', () => {
  it('labels actions and flattens details', () => {
    expect(actionLabel('login_failure')).toBe('Login failure');
    expect(detailText(null)).toBe('');
    expect(detailText({ reason: 'wrong_password', attempts: 3 })).toBe(
      'reason: wrong_password · attempts: 3',
    );
    expect(detailText({ from: { role: 'user' } })).toBe('from: {"role":"user"}');
    expect(detailText('plain')).toBe('plain');
  });

  it('shortens long ids only', () => {
    expect(shortId('abc')).toBe('abc');
    expect(shortId('0123456789abcdef')).toBe('01234567…');
  });
});
