import { describe, expect, it } from 'vitest';
import { classifyAddress, isIpLiteral } from './address-policy.js';

// Teredo: 2001:0:<server v4>:<flags>:<port>:<client v4 XOR ffff:ffff>
const teredo = (server: string, client: string) => {
  const hex = (ip: string) => ip.split('.').map(Number);
  const [a, b, c, d] = hex(server) as [number, number, number, number];
  const [e, f, g, h] = hex(client) as [number, number, number, number];
  const w = (x: number, y: number) => ((x << 8) | y).toString(16);
  return `2001:0:${w(a, b)}:${w(c, d)}:8000:63bf:${(((e << 8) | f) ^ 0xffff).toString(16)}:${(((g << 8) | h) ^ 0xffff).toString(16)}`;
};

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['100.127.255.255', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.1', 'reserved'],
    ['198.51.100.7', 'reserved'],
    ['203.0.113.9', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['240.0.0.1', 'reserved'],
    ['192.0.0.8', 'reserved'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'linkLocal'],
    ['fe80::1%eth0', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['fd00::1', 'uniqueLocal'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['3fff::1', 'reserved'],
    ['100::1', 'discard'],
    ['64:ff9b:1::1', 'nat64LocalUse'],
    ['4000::1', 'unallocated'],
  ])('%s is refused (%s)', (ip, range) => {
    const c = classifyAddress(ip);
    expect(c.public).toBe(false);
    expect(c.range).toBe(range);
  });

  it.each([
    ['::ffff:127.0.0.1', 'ipv4Mapped', 'loopback'],
    ['::ffff:7f00:1', 'ipv4Mapped', 'loopback'],
    ['::ffff:10.0.0.1', 'ipv4Mapped', 'private'],
    ['::ffff:169.254.169.254', 'ipv4Mapped', 'linkLocal'],
    ['::ffff:0:10.0.0.1', 'rfc6145', 'private'],
    ['::7f00:1', 'ipv4Compatible', 'loopback'], // what the URL parser makes of [::127.0.0.1]
    ['64:ff9b::10.1.2.3', 'nat64', 'private'],
    ['64:ff9b::7f00:1', 'nat64', 'loopback'],
    ['2002:7f00:1::1', '6to4', 'loopback'],
    ['2002:a9fe:a9fe::', '6to4', 'linkLocal'],
    [teredo('65.54.227.120', '10.0.0.1'), 'teredo', 'private'],
  ])('%s embeds a non-public IPv4 (%s of %s) and is refused', (ip, range, inner) => {
    const c = classifyAddress(ip);
    expect(c.public).toBe(false);
    expect(c.range).toBe(range);
    expect(c.embedded?.range).toBe(inner);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '93.184.216.34',
    '172.32.0.1',
    '100.128.0.1',
    '11.0.0.1',
    '2606:4700:4700::1111',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '64:ff9b::8.8.8.8',
    '2002:808:808::1',
    teredo('65.54.227.120', '8.8.8.8'),
  ])('%s is public', (ip) => {
    expect(classifyAddress(ip).public).toBe(true);
  });

  it('judges Teredo by its server address too', () => {
    expect(classifyAddress(teredo('10.0.0.1', '8.8.8.8')).public).toBe(false);
  });

  it('rejects text that is not an address, including the short and hex IPv4 forms', () => {
    for (const bad of ['example.com', '127.1', '0x7f000001', '2130706433', '', '1.2.3.4.5']) {
      expect(() => classifyAddress(bad)).toThrow(TypeError);
      expect(isIpLiteral(bad)).toBe(false);
    }
  });
});
