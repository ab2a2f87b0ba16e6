/** Who may read `GET /metrics`: the decision alone, including clients a test cannot connect from. */
import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, metricsAccess } from '../../server/metrics/access.js';

const TOKEN = 'metrics-token-0123456789abcdef';

describe('metrics access', () => {
  it('without a token, allows loopback sockets only', () => {
    for (const addr of ['127.0.0.1', '127.3.2.1', '::1', '::ffff:127.0.0.1']) {
      expect(metricsAccess(undefined, { authorization: undefined, remoteAddress: addr }), addr).toBe('allowed');
    }
    for (const addr of ['10.0.0.5', '203.0.113.7', '::ffff:10.0.0.5', '2001:db8::1', '::', '0.0.0.0', '127.example', undefined]) {
      expect(metricsAccess(undefined, { authorization: undefined, remoteAddress: addr }), String(addr)).toBe('forbidden');
    }
  });

  it('without a token, a bearer header does not open it to other clients', () => {
    expect(metricsAccess(undefined, { authorization: `Bearer ${TOKEN}`, remoteAddress: '203.0.113.7' })).toBe('forbidden');
  });

  it('with a token, needs exactly that bearer token, from anywhere', () => {
    expect(metricsAccess(TOKEN, { authorization: `Bearer ${TOKEN}`, remoteAddress: '203.0.113.7' })).toBe('allowed');
    expect(metricsAccess(TOKEN, { authorization: `bearer ${TOKEN}`, remoteAddress: '10.0.0.5' })).toBe('allowed');
    for (const authorization of [undefined, '', 'Bearer', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(1)}`, `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} extra`]) {
      expect(metricsAccess(TOKEN, { authorization, remoteAddress: '127.0.0.1' }), String(authorization)).toBe('unauthorized');
    }
  });

  it('recognises loopback addresses', () => {
    expect(isLoopbackAddress('127.255.255.254')).toBe(true);
    expect(isLoopbackAddress('128.0.0.1')).toBe(false);
    expect(isLoopbackAddress('::ffff:192.168.1.1')).toBe(false);
  });
});
