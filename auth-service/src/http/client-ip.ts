import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import ipaddr from 'ipaddr.js';
import type { AppEnv } from '../app-env.ts';

export type IpAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** An address or a network: the address and how many leading bits must match. */
type IpRange = [IpAddress, number];

const PREFIX = /^\d{1,3}$/;

/** An address as written, IPv4 only as a dotted quad; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) becomes IPv4. */
function parseBareIp(text: string): IpAddress | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (!ipaddr.IPv6.isValid(text)) return undefined;
  const v6 = ipaddr.IPv6.parse(text);
  return v6.isIPv4MappedAddress() ? v6.toIPv4Address() : v6;
}

/**
 * One address as a socket or an `X-Forwarded-For` entry gives it: surrounding blanks, IPv6 in
 * brackets and a port (`1.2.3.4:5678`, `[2001:db8::1]:443`) are allowed. `undefined` if it is
 * not an address (e.g. `unknown`).
 */
export function parseIp(text: string): IpAddress | undefined {
  let value = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed?.[1]) value = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(value)) value = value.slice(0, value.lastIndexOf(':'));
  return parseBareIp(value);
}

/** An IP (`10.0.0.7`, `::1`) or a CIDR network (`10.0.0.0/8`, `fd00::/8`); `undefined` if neither. */
function parseIpRange(text: string): IpRange | undefined {
  const [address, prefix, ...rest] = text.trim().split('/');
  if (address === undefined || rest.length > 0) return undefined;
  const ip = parseBareIp(address);
  if (!ip) return undefined;
  const mapped = ip.kind() === 'ipv4' && address.includes(':');
  const bits = ip.kind() === 'ipv4' ? 32 : 128;
  if (prefix === undefined) return [ip, bits];
  if (!PREFIX.test(prefix)) return undefined;
  // `::ffff:10.0.0.0/104` is the IPv4 network 10.0.0.0/8 written as IPv6.
  const length = mapped ? Number(prefix) - 96 : Number(prefix);
  if (length < 0 || length > bits) return undefined;
  return [ip, length];
}

export function isIpOrCidr(text: string): boolean {
  return parseIpRange(text) !== undefined;
}

/**
 * The shortest prefix a trusted proxy network may have: a wider one reaches into the public
 * internet, where any client could set X-Forwarded-For and so choose its own IP.
 */
export const MIN_TRUSTED_PREFIX = { ipv4: 8, ipv6: 16 } as const;
/** fc00::/7, the unique-local IPv6 block: private however it is written, though wider than /16. */
const UNIQUE_LOCAL_IPV6: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('fc00::'), 7];

/** Whether an IP or CIDR entry spans more than MIN_TRUSTED_PREFIX allows (e.g. 0.0.0.0/0, ::/0). */
export function isTooWideToTrust(text: string): boolean {
  const range = parseIpRange(text);
  if (!range) return false;
  const [ip, bits] = range;
  if (ip.kind() === 'ipv4') return bits < MIN_TRUSTED_PREFIX.ipv4;
  const inUniqueLocal =
    bits >= UNIQUE_LOCAL_IPV6[1] && (ip as ipaddr.IPv6).match(UNIQUE_LOCAL_IPV6);
  return !inUniqueLocal && bits < MIN_TRUSTED_PREFIX.ipv6;
}

/** Which peers are our own reverse proxies, whose `X-Forwarded-For` we believe. */
export interface ProxyTrust {
  trusts(ip: IpAddress): boolean;
}

/** Trust for a list of IPs and CIDR networks (TRUSTED_PROXIES); throws on an entry that is neither. */
export function createProxyTrust(entries: readonly string[]): ProxyTrust {
  const ranges = entries.map((entry) => {
    const range = parseIpRange(entry);
    if (!range) throw new Error(`not an IP address or CIDR network: ${entry}`);
    return range;
  });
  return {
    trusts: (ip) =>
      ranges.some(([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits)),
  };
}

export const TRUST_NO_PROXY: ProxyTrust = { trusts: () => false };

/**
 * The client's IP, decided in one place: the socket's peer, unless that peer is a trusted proxy;
 * then `X-Forwarded-For` is read from the right (each proxy appends the peer it saw) and the
 * first entry that is not itself a trusted proxy is the client. Entries left of it were written
 * by the client or by proxies we do not know, so they are never believed. If the chain ends in
 * something that is not an address, the last trusted hop is the answer; if every entry is a
 * trusted proxy, the left-most one is. Addresses come back normalised (IPv4-mapped IPv6 as
 * IPv4, IPv6 in RFC 5952 form). `null` when there is no socket (e.g. `app.request()` in tests).
 */
export function resolveClientIp(
  remoteAddress: string | undefined | null,
  forwardedFor: string | undefined,
  trust: ProxyTrust,
): string | null {
  if (!remoteAddress) return null;
  const peer = parseIp(remoteAddress);
  if (!peer) return remoteAddress;
  if (!trust.trusts(peer)) return peer.toString();
  let client = peer;
  const hops = (forwardedFor ?? '').split(',').filter((hop) => hop.trim() !== '');
  for (let i = hops.length - 1; i >= 0; i -= 1) {
    const hop = parseIp(hops[i] ?? '');
    if (!hop) break;
    client = hop;
    if (!trust.trusts(hop)) break;
  }
  return client.toString();
}

function socketAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined;
  }
}

/** Decides the client IP once per request (see `resolveClientIp`) and keeps it for `clientIp(c)`. */
export function clientIpMiddleware(trust: ProxyTrust): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set('clientIp', resolveClientIp(socketAddress(c), c.req.header('x-forwarded-for'), trust));
    await next();
  };
}

/**
 * The client IP `clientIpMiddleware` decided; without that middleware (an app assembled
 * differently), the socket's peer, since no proxy is trusted then.
 */
export function clientIp(c: Context): string | null {
  const decided = c.get('clientIp') as string | null | undefined;
  if (decided !== undefined) return decided;
  return resolveClientIp(socketAddress(c), undefined, TRUST_NO_PROXY);
}
