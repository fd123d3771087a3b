// Which IP addresses outbound requests (web materials, webhooks) may connect to. Only globally routable
// unicast is public; everything else — loopback, RFC 1918, link-local, CGNAT, 0.0.0.0/8, multicast, broadcast,
// reserved and documentation ranges, IPv6 ULA / site-local / discard — is refused. IPv6 forms that carry an
// IPv4 address (IPv4-mapped, IPv4-translated, IPv4-compatible, NAT64 64:ff9b::/96, 6to4, Teredo) are judged by
// the embedded IPv4 address, so ::ffff:127.0.0.1 is as refused as 127.0.0.1.
import ipaddr from 'ipaddr.js';

export interface AddressClass {
  /** The address in canonical text form (IPv6 without brackets or zone). */
  address: string;
  family: 4 | 6;
  public: boolean;
  /** ipaddr.js range name (`unicast`, `loopback`, `private`, …) or our own label. */
  range: string;
  /** For IPv6 forms that embed an IPv4 address: how that address was classified. */
  embedded?: AddressClass;
}

const V4_PUBLIC_RANGES = new Set(['unicast']);

function classifyV4(addr: ipaddr.IPv4): AddressClass {
  const range = addr.range();
  return { address: addr.toString(), family: 4, public: V4_PUBLIC_RANGES.has(range), range };
}

function v4FromParts(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

function withEmbedded(address: string, range: string, embedded: ipaddr.IPv4): AddressClass {
  const inner = classifyV4(embedded);
  return { address, family: 6, public: inner.public, range, embedded: inner };
}

const NAT64_WELL_KNOWN = ipaddr.IPv6.parse('64:ff9b::');
const GLOBAL_UNICAST = ipaddr.IPv6.parse('2000::');

function classifyV6(addr: ipaddr.IPv6): AddressClass {
  const text = addr.toString();
  const p = addr.parts as number[];
  const range = addr.range();
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
      return withEmbedded(text, range, v4FromParts(p[6]!, p[7]!));
    case 'rfc6052':
      // 64:ff9b::/96 translates to the embedded IPv4 address; the local-use 64:ff9b:1::/48 is never public.
      if (addr.match(NAT64_WELL_KNOWN, 96)) return withEmbedded(text, 'nat64', v4FromParts(p[6]!, p[7]!));
      return { address: text, family: 6, public: false, range: 'nat64LocalUse' };
    case '6to4': // 2002:AABB:CCDD::/48 → AA.BB.CC.DD
      return withEmbedded(text, range, v4FromParts(p[1]!, p[2]!));
    case 'teredo': {
      // 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC — server in bits 32..63, client obfuscated (XOR) in the last 32.
      const server = classifyV4(v4FromParts(p[2]!, p[3]!));
      const client = v4FromParts(p[6]! ^ 0xffff, p[7]! ^ 0xffff);
      const inner = classifyV4(client);
      return { address: text, family: 6, public: server.public && inner.public, range, embedded: inner };
    }
    case 'unicast': {
      // ::a.b.c.d (IPv4-compatible, deprecated) and anything outside 2000::/3 is not global unicast.
      if (p.slice(0, 6).every((x) => x === 0)) return withEmbedded(text, 'ipv4Compatible', v4FromParts(p[6]!, p[7]!));
      if (!addr.match(GLOBAL_UNICAST, 3)) return { address: text, family: 6, public: false, range: 'unallocated' };
      return { address: text, family: 6, public: true, range };
    }
    default:
      return { address: text, family: 6, public: false, range };
  }
}

/**
 * Classify one IP address (v4 or v6 text, IPv6 optionally in brackets or with a zone id).
 * Throws a TypeError for text that is not an IP address.
 */
export function classifyAddress(ip: string): AddressClass {
  let text = ip.trim();
  if (text.startsWith('[') && text.endsWith(']')) text = text.slice(1, -1);
  // Only accept the four-part dotted form for IPv4 (ipaddr.js also takes "127.1", hex and octal forms).
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return classifyV4(ipaddr.IPv4.parse(text));
  if (ipaddr.IPv6.isValid(text)) return classifyV6(ipaddr.IPv6.parse(text));
  throw new TypeError(`Not an IP address: ${JSON.stringify(ip)}`);
}

/** True when `text` is an IP literal (v4 dotted quad or v6, brackets allowed). */
export function isIpLiteral(text: string): boolean {
  const t = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return ipaddr.IPv4.isValidFourPartDecimal(t) || ipaddr.IPv6.isValid(t);
}

/** Human label for a refused range, used in error messages ("URL resolves to a private address (loopback)"). */
export function describeRange(c: AddressClass): string {
  return c.embedded && !c.embedded.public ? `${c.range} of ${c.embedded.range}` : c.range;
}
