// checkUrl: is this URL acceptable as an outbound target, and which addresses may we connect to?
// http(s) only, no credentials, every resolved address public (unless allowPrivate). The returned addresses are
// the ones the connection must use (see pinned-lookup.ts), so a DNS answer that changes between this check and
// the connect (DNS rebinding) cannot redirect the request.
import { lookup as dnsLookup } from 'node:dns/promises';
import { classifyAddress, describeRange, isIpLiteral, type AddressClass } from './address-policy.js';
import { OutboundError } from './outbound-error.js';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has. Injectable for tests; the default is dns.lookup({all}). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

export interface CheckUrlOptions {
  /**
   * Allow non-public targets (local development and tests only). Default false. A function allows only the
   * non-public addresses it returns true for (e.g. loopback only).
   */
  allowPrivate?: boolean | ((address: AddressClass) => boolean);
  resolver?: Resolver;
  /** Aborts a slow DNS lookup. */
  signal?: AbortSignal;
}

export interface CheckedUrl {
  url: URL;
  /** Host name without IPv6 brackets. */
  hostname: string;
  /** Every address the name resolved to, all of them checked. Connect only to these. */
  addresses: ResolvedAddress[];
}

const ALLOWED_PROTOCOLS = new Set(['http:', 'https:']);

export function parseOutboundUrl(input: string | URL): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw new OutboundError('invalid_url', 'URL is not valid');
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) {
    throw new OutboundError('unsupported_scheme', 'URL must use http or https', { url: redact(url) });
  }
  if (url.username !== '' || url.password !== '') {
    throw new OutboundError('credentials_in_url', 'URL must not contain credentials', { url: redact(url) });
  }
  if (url.hostname === '') throw new OutboundError('invalid_url', 'URL has no host');
  return url;
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}

export async function checkUrl(input: string | URL, opts: CheckUrlOptions = {}): Promise<CheckedUrl> {
  const url = parseOutboundUrl(input);
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;

  let addresses: ResolvedAddress[];
  if (isIpLiteral(hostname)) {
    const c = classifyAddress(hostname);
    addresses = [{ address: c.address, family: c.family }];
  } else {
    const resolver = opts.resolver ?? systemResolver;
    try {
      addresses = await raceAbort(resolver(hostname), opts.signal);
    } catch (e) {
      if (opts.signal?.aborted) throw e;
      throw new OutboundError('dns_failure', 'URL host does not resolve', { url: redact(url), cause: e });
    }
    if (addresses.length === 0) throw new OutboundError('dns_failure', 'URL host does not resolve', { url: redact(url) });
  }

  if (opts.allowPrivate !== true) {
    const exempt = typeof opts.allowPrivate === 'function' ? opts.allowPrivate : () => false;
    for (const a of addresses) {
      let c;
      try {
        c = classifyAddress(a.address);
      } catch {
        throw new OutboundError('dns_failure', 'URL host resolved to something that is not an IP address', { url: redact(url) });
      }
      if (!c.public && !exempt(c)) {
        throw new OutboundError('private_address', `URL resolves to a private address (${describeRange(c)})`, {
          url: redact(url),
          address: c.address,
        });
      }
    }
  }
  return { url, hostname, addresses };
}

/** URL text safe for logs (credentials and query string dropped). */
export function redact(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}
