/**
 * The client of a request, as a limiter key. Express derives `req.ip` from the socket, or from
 * `X-Forwarded-For` only as far as TRUST_PROXY trusts the hops (app.ts); what it yields may still
 * be header text (a trusted proxy that forwards garbage), so it is parsed here and only an
 * address is ever a key. IPv6 clients are grouped by /64, the block one subscriber usually
 * holds, so a host cannot take a fresh key for every address it has; an IPv4-mapped IPv6 address
 * (`::ffff:1.2.3.4`, what a dual-stack socket reports) is the IPv4 address it carries.
 */
import type { Request } from 'express';
import { isIPv4, isIPv6 } from 'node:net';

/** When neither the derived address nor the socket's parses (a closed socket): one shared key. */
const UNKNOWN_CLIENT = 'unknown';

export function clientAddressKey(req: Request): string {
  return addressKey(req.ip) ?? addressKey(req.socket.remoteAddress) ?? UNKNOWN_CLIENT;
}

/** `1.2.3.4`, or `2001:db8:0:1::/64`; undefined when `address` is not an IP address. */
export function addressKey(address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  if (isIPv4(address)) return address;
  const groups = isIPv6(address) ? ipv6Groups(address) : undefined;
  if (!groups) return undefined;
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMapped) return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  return `${groups.slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/** The eight 16-bit groups of an address that `isIPv6` accepted. */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.split('%')[0]!;
  // A trailing dotted quad becomes the two groups it spells.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail, extra] = text.split('::');
  if (extra !== undefined) return undefined;
  const parse = (part: string | undefined) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const left = parse(head);
  const right = parse(tail);
  const groups = tail === undefined ? left : [...left, ...Array<number>(8 - left.length - right.length).fill(0), ...right];
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}
