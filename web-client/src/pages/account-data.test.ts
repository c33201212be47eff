import { describe, expect, it } from 'vitest';
import { type Device, describeUserAgent, sortDevices } from './account-data.ts';

describe('describeUserAgent', () => {
  it('names common browsers and systems', () => {
    expect(
      describeUserAgent(
        'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      ),
    ).toBe('Chrome on Linux');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari on iOS');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36 Edg/120.0',
      ),
    ).toBe('Edge on Windows');
    expect(
      describeUserAgent(
        'Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 Firefox/121.0',
      ),
    ).toBe('Firefox on macOS');
    expect(describeUserAgent('Mozilla/5.0 (Linux; Android 14) Chrome/120 Mobile Safari/537')).toBe(
      'Chrome on Android',
    );
  });

  it('falls back to what it can tell', () => {
    expect(describeUserAgent('curl/8.5.0')).toBe('curl');
    expect(describeUserAgent('node')).toBe('A script');
    expect(describeUserAgent('something odd')).toBe('Unknown device');
    expect(describeUserAgent(null)).toBe('Unknown device');
  });
});

describe('sortDevices', () => {
  const device = (id: string, lastUsed: string, current = false): Device => ({
    id,
    created_at: '2025-11-01T00:00:00Z',
    last_used_at: lastUsed,
    user_agent: null,
    ip: null,
    current,
  });

  it('puts this device first, then the most recently used', () => {
    const sorted = sortDevices([
      device('old', '2025-11-02T00:00:00Z'),
      device('new', '2025-11-05T00:00:00Z'),
      device('me', '2025-11-01T00:00:00Z', true),
    ]);
    expect(sorted.map((d) => d.id)).toEqual(['me', 'new', 'old']);
  });
});
