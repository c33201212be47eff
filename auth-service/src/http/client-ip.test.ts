import { describe, expect, it } from 'vitest';
import { listAuditEntries } from '@attune/db';
import { parseEnv } from '../config/env.ts';
import { type TestServer, registerUser, startTestServer } from '../testing/test-server.ts';
import {
  TRUST_NO_PROXY,
  createProxyTrust,
  isIpOrCidr,
  parseIp,
  resolveClientIp,
} from './client-ip.ts';

describe('parseIp', () => {
  it('reads the forms sockets and proxies write, normalised', () => {
    expect(parseIp('203.0.113.7')?.toString()).toBe('203.0.113.7');
    expect(parseIp(' 203.0.113.7 ')?.toString()).toBe('203.0.113.7');
    expect(parseIp('203.0.113.7:51234')?.toString()).toBe('203.0.113.7');
    expect(parseIp('::ffff:203.0.113.7')?.toString()).toBe('203.0.113.7');
    expect(parseIp('::FFFF:cb00:7107')?.toString()).toBe('203.0.113.7');
    expect(parseIp('2001:DB8:0:0:0:0:0:1')?.toString()).toBe('2001:db8::1');
    expect(parseIp('[2001:db8::1]:443')?.toString()).toBe('2001:db8::1');
    expect(parseIp('[2001:db8::1]')?.toString()).toBe('2001:db8::1');
  });

  it('refuses what is not an address, and IPv4 shorthands', () => {
    for (const text of [
      '',
      'unknown',
      '_hidden',
      '1.2.3',
      '127.1',
      '0x7f.0.0.1',
      '1.2.3.4.5',
      '300.1.1.1',
      '2001:db8::1::2',
      '1.2.3.4/8',
    ]) {
      expect(parseIp(text), text).toBeUndefined();
    }
  });
});

describe('TRUSTED_PROXIES entries', () => {
  it('accepts IPs and CIDR networks of both families, and refuses the rest', () => {
    for (const entry of [
      '10.0.0.1',
      '10.0.0.0/8',
      '0.0.0.0/0',
      '::1',
      'fd00::/8',
      '::ffff:10.0.0.0/104',
    ])
      expect(isIpOrCidr(entry), entry).toBe(true);
    for (const entry of [
      '10.0.0.0/33',
      'fd00::/129',
      '10.0.0.0/',
      '10.0.0.0/8/8',
      'proxy.internal',
      '10.0.0.0/-1',
      '::ffff:10.0.0.0/95',
    ]) {
      expect(isIpOrCidr(entry), entry).toBe(false);
    }
  });

  it('are checked at start, with the setting named', () => {
    expect(parseEnv({ TRUSTED_PROXIES: ' 10.0.0.0/8 , ::1,' }).TRUSTED_PROXIES).toEqual([
      '10.0.0.0/8',
      '::1',
    ]);
    expect(parseEnv({}).TRUSTED_PROXIES).toEqual([]);
    expect(() => parseEnv({ TRUSTED_PROXIES: '10.0.0.0/8,load-balancer' })).toThrow(
      /TRUSTED_PROXIES/,
    );
  });

  it('match IPv4 peers however the socket writes them', () => {
    const trust = createProxyTrust(['10.0.0.0/8', '192.0.2.1', 'fd00::/8']);
    expect(trust.trusts(parseIp('10.20.30.40')!)).toBe(true);
    expect(trust.trusts(parseIp('::ffff:10.20.30.40')!)).toBe(true);
    expect(trust.trusts(parseIp('192.0.2.1')!)).toBe(true);
    expect(trust.trusts(parseIp('192.0.2.2')!)).toBe(false);
    expect(trust.trusts(parseIp('11.0.0.1')!)).toBe(false);
    expect(trust.trusts(parseIp('fd12::1')!)).toBe(true);
    expect(trust.trusts(parseIp('fe80::1')!)).toBe(false);
    expect(createProxyTrust(['::ffff:10.0.0.0/104']).trusts(parseIp('10.1.1.1')!)).toBe(true);
  });
});

describe('resolveClientIp', () => {
  const proxies = createProxyTrust(['10.0.0.0/8']);

  it('is the socket peer when the peer is not a trusted proxy, whatever it forwards', () => {
    expect(resolveClientIp('203.0.113.7', '198.51.100.1', TRUST_NO_PROXY)).toBe('203.0.113.7');
    expect(resolveClientIp('203.0.113.7', '198.51.100.1', proxies)).toBe('203.0.113.7');
    expect(resolveClientIp('::ffff:203.0.113.7', undefined, proxies)).toBe('203.0.113.7');
  });

  it('is the right-most forwarded entry that is not a trusted proxy', () => {
    expect(resolveClientIp('10.0.0.1', '198.51.100.1', proxies)).toBe('198.51.100.1');
    // The client wrote "1.1.1.1" itself; our proxies appended what they saw.
    expect(resolveClientIp('10.0.0.1', '1.1.1.1, 198.51.100.1, 10.0.0.2', proxies)).toBe(
      '198.51.100.1',
    );
    expect(resolveClientIp('10.0.0.1', '1.1.1.1,198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(resolveClientIp('::ffff:10.0.0.1', '[2001:db8::7]:5000', proxies)).toBe('2001:db8::7');
  });

  it('does not let a client pass itself off as a proxy or as someone else', () => {
    // A spoofed chain claiming trusted hops left of the real client changes nothing.
    expect(resolveClientIp('10.0.0.1', '10.9.9.9, 127.0.0.1, 198.51.100.1', proxies)).toBe(
      '198.51.100.1',
    );
    // Several X-Forwarded-For fields arrive joined with ", ": the proxy's is still right-most.
    expect(resolveClientIp('10.0.0.1', '6.6.6.6, 198.51.100.1', proxies)).toBe('198.51.100.1');
  });

  it('stops at an entry that is not an address, answering the last trusted hop', () => {
    expect(resolveClientIp('10.0.0.1', '198.51.100.1, garbage', proxies)).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', '198.51.100.1, garbage, 10.0.0.2', proxies)).toBe(
      '10.0.0.2',
    );
  });

  it('is the proxy itself without a header, and the left-most hop when every hop is trusted', () => {
    expect(resolveClientIp('10.0.0.1', undefined, proxies)).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', '', proxies)).toBe('10.0.0.1');
    expect(resolveClientIp('10.0.0.1', '10.0.0.3, 10.0.0.2', proxies)).toBe('10.0.0.3');
  });

  it('is null without a socket', () => {
    expect(resolveClientIp(undefined, '198.51.100.1', proxies)).toBeNull();
  });
});

describe('the client IP in audit and refresh-token rows', () => {
  async function signInFrom(server: TestServer, forwardedFor: string) {
    const user = await registerUser(server);
    const response = await server.fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    expect(response.status).toBe(200);
    const db = server.database.db;
    const devices = db.query.refreshTokens
      .findMany({
        where: (t, { eq }) => eq(t.userId, user.id),
        orderBy: (t, { asc }) => asc(t.createdAt),
      })
      .sync();
    const login = listAuditEntries(db, { action: 'login_success', userId: user.id, limit: 1 })
      .entries[0];
    return { deviceIp: devices.at(-1)?.ip, auditIp: login?.ip };
  }

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy (the default)', async () => {
    const server = await startTestServer();
    try {
      expect(await signInFrom(server, '198.51.100.23')).toEqual({
        deviceIp: '127.0.0.1',
        auditIp: '127.0.0.1',
      });
    } finally {
      await server.close();
    }
  });

  it('takes the client from X-Forwarded-For when the peer is a trusted proxy, spoofed hops and all', async () => {
    const server = await startTestServer({ TRUSTED_PROXIES: '127.0.0.1' });
    try {
      expect(await signInFrom(server, '198.51.100.23')).toEqual({
        deviceIp: '198.51.100.23',
        auditIp: '198.51.100.23',
      });
      expect(await signInFrom(server, '127.0.0.1, 203.0.113.9')).toEqual({
        deviceIp: '203.0.113.9',
        auditIp: '203.0.113.9',
      });
      const failed = await server.fetch('/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.99' },
        body: JSON.stringify({ email: 'nobody@example.org', password: 'whatever it is' }),
      });
      expect(failed.status).toBe(401);
      expect(
        listAuditEntries(server.database.db, { action: 'login_failure', limit: 1 }).entries[0]?.ip,
      ).toBe('198.51.100.99');
    } finally {
      await server.close();
    }
  });
});
