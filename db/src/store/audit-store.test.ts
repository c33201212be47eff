import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { STORE_ENGINES, type TestStore, openTestStore } from './test-stores.ts';

describe.each(STORE_ENGINES)('the audit log on %s', (engine) => {
  let t: TestStore;

  beforeEach(async () => {
    t = await openTestStore(engine);
  });
  afterEach(() => t.close());

  const entry = (action: string, actorId: string | null, target: string | null) => ({
    action,
    actorId,
    target,
    ip: '192.0.2.7',
  });

  it('appends entries and lists them newest first, with the detail as stored JSON', async () => {
    await t.store.audit.append(entry('login_success', 'ana', 'ana'), 10);
    await t.store.audit.append({ ...entry('role_change', 'ben', 'ana'), detail: { to: 'x' } }, 20);
    const { entries, nextBeforeId } = await t.store.audit.list({ limit: 10 });
    expect(nextBeforeId).toBeNull();
    expect(entries.map((e) => ({ ...e, id: 0 }))).toEqual([
      {
        id: 0,
        at: 20,
        actorId: 'ben',
        action: 'role_change',
        target: 'ana',
        ip: '192.0.2.7',
        detail: '{"to":"x"}',
      },
      {
        id: 0,
        at: 10,
        actorId: 'ana',
        action: 'login_success',
        target: 'ana',
        ip: '192.0.2.7',
        detail: null,
      },
    ]);
    expect(typeof entries[0]!.id).toBe('number');
  });

  it('appends entries that belong together all at once, or none of them', async () => {
    await t.store.audit.appendAll(
      [entry('login_failure', null, 'ana'), entry('lockout', null, 'ana')],
      10,
    );
    expect((await t.auditEntries()).map((e) => e.action)).toEqual(['login_failure', 'lockout']);
    // The second entry cannot be written (a BigInt is no JSON): the first is not kept either.
    await expect(
      t.store.audit.appendAll(
        [
          entry('login_failure', null, 'ben'),
          { ...entry('lockout', null, 'ben'), detail: { n: 1n } },
        ],
        20,
      ),
    ).rejects.toThrow();
    expect((await t.auditEntries()).map((e) => e.target)).toEqual(['ana', 'ana']);
  });

  it('filters by action, by user as actor or target, and by a half-open time range', async () => {
    await t.store.audit.append(entry('login_success', 'ana', 'ana'), 10);
    await t.store.audit.append(entry('role_change', 'ben', 'ana'), 20);
    await t.store.audit.append(entry('role_change', 'ben', 'cat'), 30);
    await t.store.audit.append(entry('cleanup', null, null), 40);
    const actions = async (query: Parameters<typeof t.store.audit.list>[0]) =>
      (await t.store.audit.list(query)).entries.map((e) => `${e.action}@${e.at}`);
    expect(await actions({ action: 'role_change', limit: 10 })).toEqual([
      'role_change@30',
      'role_change@20',
    ]);
    expect(await actions({ userId: 'ana', limit: 10 })).toEqual([
      'role_change@20',
      'login_success@10',
    ]);
    expect(await actions({ userId: 'ben', action: 'role_change', limit: 10 })).toHaveLength(2);
    expect(await actions({ fromMs: 20, toMs: 40, limit: 10 })).toEqual([
      'role_change@30',
      'role_change@20',
    ]);
  });

  it('pages through every entry exactly once', async () => {
    for (let i = 1; i <= 7; i++) await t.store.audit.append(entry(`a${i}`, null, null), i);
    const seen: string[] = [];
    let beforeId: number | undefined;
    for (;;) {
      const page = await t.store.audit.list({ limit: 3, beforeId });
      seen.push(...page.entries.map((e) => e.action));
      if (page.nextBeforeId === null) break;
      beforeId = page.nextBeforeId;
    }
    expect(seen).toEqual(['a7', 'a6', 'a5', 'a4', 'a3', 'a2', 'a1']);
  });
});
