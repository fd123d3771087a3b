import { describe, expect, it } from 'vitest';
import { AppError } from '../errors/index.js';
import { OutboundError } from './outbound-error.js';
import { checkUrl, type Resolver } from './url-check.js';

const fixed = (...addresses: string[]): Resolver => async () => addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

async function refusal(p: Promise<unknown>): Promise<OutboundError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OutboundError);
  return e as OutboundError;
}

describe('checkUrl', () => {
  it.each(['ftp://example.com/x', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,hi', 'gopher://example.com'])(
    'refuses the scheme of %s',
    async (url) => {
      expect((await refusal(checkUrl(url, { resolver: fixed('8.8.8.8') }))).reason).toBe('unsupported_scheme');
    },
  );

  it('refuses credentials and unparseable URLs', async () => {
    expect((await refusal(checkUrl('http://user:pw@example.com/', { resolver: fixed('8.8.8.8') }))).reason).toBe('credentials_in_url');
    expect((await refusal(checkUrl('https://user@example.com/', { resolver: fixed('8.8.8.8') }))).reason).toBe('credentials_in_url');
    expect((await refusal(checkUrl('not a url'))).reason).toBe('invalid_url');
  });

  // API.md webhook targets that must be refused.
  it.each([
    'http://127.0.0.1/hook',
    'http://[::1]/hook',
    'http://10.1.2.3/hook',
    'http://169.254.169.254/latest/meta-data/',
    'http://100.64.0.1/hook',
    'http://0.0.0.0/hook',
    'http://[::ffff:127.0.0.1]/hook',
    'http://[fd00::1]/hook',
    'http://2130706433/', // decimal 127.0.0.1, normalised by the URL parser
    'http://0x7f.1/',
    'http://127.1/',
  ])('refuses %s as a private address, and allows it with allowPrivate', async (url) => {
    const resolverCalls: string[] = [];
    const resolver: Resolver = async (h) => (resolverCalls.push(h), []);
    const e = await refusal(checkUrl(url, { resolver }));
    expect(e.reason).toBe('private_address');
    expect(e.refused).toBe(true);
    expect(e.message).toMatch(/^URL resolves to a private address \(/);
    expect(resolverCalls).toEqual([]); // IP literals never go to DNS
    const ok = await checkUrl(url, { allowPrivate: true, resolver });
    expect(ok.addresses).toHaveLength(1);
  });

  it('refuses a name when ANY of its addresses is private', async () => {
    const e = await refusal(checkUrl('https://mixed.example/', { resolver: fixed('93.184.216.34', '10.0.0.7') }));
    expect(e.reason).toBe('private_address');
    expect(e.message).toBe('URL resolves to a private address (private)');
    expect(e.extra.address).toBe('10.0.0.7');
  });

  it('returns every checked address for a public name', async () => {
    const ok = await checkUrl('https://public.example:8443/a?b=c', { resolver: fixed('93.184.216.34', '2606:2800:220:1::1') });
    expect(ok.hostname).toBe('public.example');
    expect(ok.addresses.map((a) => a.address)).toEqual(['93.184.216.34', '2606:2800:220:1::1']);
  });

  it('reports names that do not resolve', async () => {
    expect((await refusal(checkUrl('http://nothing.example/', { resolver: fixed() }))).reason).toBe('dns_failure');
    const failing: Resolver = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    expect((await refusal(checkUrl('http://nothing.example/', { resolver: failing }))).reason).toBe('dns_failure');
  });

  it('uses the system resolver by default: localhost is refused', async () => {
    const e = await refusal(checkUrl('http://localhost:9/'));
    expect(e.reason).toBe('private_address');
  });

  it('allowPrivate as a predicate exempts only what it accepts', async () => {
    const loopbackOnly = (c: { range: string }) => c.range === 'loopback';
    await expect(checkUrl('http://127.0.0.1/', { allowPrivate: loopbackOnly })).resolves.toBeTruthy();
    expect((await refusal(checkUrl('http://169.254.169.254/', { allowPrivate: loopbackOnly }))).reason).toBe('private_address');
  });

  it('turns a refusal into a 422 AppError in the API.md shape', async () => {
    const e = await refusal(checkUrl('http://10.1.2.3/'));
    const app = e.toValidationError(['body', 'webhook_url']);
    expect(app).toBeInstanceOf(AppError);
    expect(app.status).toBe(422);
    expect(app.detail).toEqual([{ loc: ['body', 'webhook_url'], msg: 'URL resolves to a private address (private)', type: 'url_private_address' }]);
  });
});
