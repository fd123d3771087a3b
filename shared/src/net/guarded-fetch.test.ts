import { afterEach, describe, expect, it } from 'vitest';
import type { AddressClass } from './address-policy.js';
import { guardedFetch, guardedRequest, HTML_CONTENT_TYPES } from './guarded-fetch.js';
import { startLocalServer, type LocalServer } from './local-server.test-support.js';
import { OutboundError } from './outbound-error.js';
import type { Resolver } from './url-check.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(...args: Parameters<typeof startLocalServer>): Promise<LocalServer> {
  const s = await startLocalServer(...args);
  servers.push(s);
  return s;
}

const loopbackOnly = (c: AddressClass) => c.range === 'loopback';
const table =
  (map: Record<string, string>): Resolver =>
  async (host) => (map[host] ? [{ address: map[host]!, family: 4 }] : []);

async function failure(p: Promise<unknown>): Promise<OutboundError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(OutboundError);
  return e as OutboundError;
}

describe('guardedFetch', () => {
  it('refuses a URL resolving to 127.0.0.1 unless allowPrivate, and then fetches it', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<p>hi</p>'));
    const resolver = table({ 'local.test': '127.0.0.1' });
    const url = `http://local.test:${s.port}/page`;
    expect((await failure(guardedFetch(url, { resolver }))).reason).toBe('private_address');
    expect(s.requests).toHaveLength(0);
    const res = await guardedFetch(url, { resolver, allowPrivate: true });
    expect(res.status).toBe(200);
    expect(res.text()).toBe('<p>hi</p>');
    expect(res.address).toBe('127.0.0.1');
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.headers.host).toBe(`local.test:${s.port}`);
  });

  it('refuses a redirect to 169.254.169.254 (metadata) even when the first hop is allowed', async () => {
    const s = await serve((_req, res) => res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end());
    const e = await failure(guardedFetch(`${s.origin}/start`, { allowPrivate: loopbackOnly }));
    expect(e.reason).toBe('private_address');
    expect(e.message).toBe('URL resolves to a private address (linkLocal)');
    expect(s.requests).toHaveLength(1);
  });

  it('re-checks every Location: a redirect to a name resolving privately is refused', async () => {
    const s = await serve((_req, res) => res.writeHead(301, { location: '/hop2' }).end());
    const target = await serve((req, res) => res.writeHead(307, { location: 'http://internal.test/admin' }).end(req.url));
    const resolver = table({ 'a.test': '127.0.0.1', 'internal.test': '10.0.0.5' });
    // first server redirects to a relative path on itself, which redirects again to the second server
    s.server.removeAllListeners('request');
    s.server.on('request', (req, res) => res.writeHead(302, { location: `${target.origin}${req.url}` }).end());
    const e = await failure(guardedFetch(`http://a.test:${s.port}/x`, { resolver, allowPrivate: loopbackOnly }));
    expect(e.reason).toBe('private_address');
    expect(target.requests.map((r) => r.url)).toEqual(['/x']);
  });

  it('follows allowed redirects (303 turns POST into GET, credentials dropped across origins) and counts them', async () => {
    const other = await serve((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`${req.method} ${req.headers.authorization ?? '-'}`));
    const s = await serve((req, res) => {
      if (req.url === '/post') res.writeHead(303, { location: '/see-other' }).end();
      else if (req.url === '/see-other') res.writeHead(307, { location: `${other.origin}/final` }).end();
      else res.writeHead(404).end();
    });
    const res = await guardedFetch(`${s.origin}/post`, {
      allowPrivate: true,
      method: 'POST',
      body: '{"a":1}',
      headers: { 'content-type': 'application/json', authorization: 'Bearer x' },
    });
    expect(res.status).toBe(200);
    expect(res.text()).toBe('GET -');
    expect(res.redirects).toEqual([`${s.origin}/see-other`, `${other.origin}/final`]);
    expect(s.requests.map((r) => [r.method, r.url, r.headers.authorization])).toEqual([
      ['POST', '/post', 'Bearer x'],
      ['GET', '/see-other', 'Bearer x'],
    ]);

    const loop = await serve((req, res) => res.writeHead(302, { location: `/n${Number(req.url!.slice(2) || 0) + 1}` }).end());
    expect((await failure(guardedFetch(`${loop.origin}/n0`, { allowPrivate: true, maxRedirects: 3 }))).reason).toBe('too_many_redirects');
    expect(loop.requests).toHaveLength(4);
  });

  it('with maxRedirects 0 (webhooks) a redirect is not followed and fails with its status', async () => {
    const target = await serve((_req, res) => res.writeHead(200).end('ok'));
    const s = await serve((_req, res) => res.writeHead(308, { location: `${target.origin}/elsewhere` }).end());
    const e = await failure(guardedFetch(`${s.origin}/hook`, { allowPrivate: true, maxRedirects: 0, method: 'POST', body: '{}' }));
    expect(e.reason).toBe('redirect_not_followed');
    expect(e.status).toBe(308);
    expect(target.requests).toHaveLength(0);
  });

  it('pins the connection to the checked address: a name that rebinds after the check is not re-resolved', async () => {
    // "good" answers on 127.0.0.1, "evil" on 127.0.0.2 at the same port. The policy treats only 127.0.0.1 as
    // acceptable, standing in for a public address; the resolver answers 127.0.0.1 once, then 127.0.0.2.
    const good = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('good'));
    const evil = await serve((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('evil'), { host: '127.0.0.2', port: good.port });
    let calls = 0;
    const rebinding: Resolver = async () => [{ address: calls++ === 0 ? '127.0.0.1' : '127.0.0.2', family: 4 }];
    const policy = (c: AddressClass) => c.address === '127.0.0.1';

    const res = await guardedFetch(`http://rebind.invalid:${good.port}/`, { resolver: rebinding, allowPrivate: policy });
    expect(res.text()).toBe('good');
    expect(calls).toBe(1); // connect never looked the name up again (and rebind.invalid is not in real DNS)
    expect(evil.requests).toHaveLength(0);
    expect(good.requests[0]!.headers.host).toBe(`rebind.invalid:${good.port}`);

    // The next request checks again, sees the private answer and is refused before connecting.
    expect((await failure(guardedFetch(`http://rebind.invalid:${good.port}/`, { resolver: rebinding, allowPrivate: policy }))).reason).toBe(
      'private_address',
    );
    expect(evil.requests).toHaveLength(0);
  });

  it('caps the response size, with and without Content-Length', async () => {
    const big = Buffer.alloc(256 * 1024, 97);
    const s = await serve((req, res) => {
      if (req.url === '/declared') res.writeHead(200, { 'content-length': String(big.length) }).end(big);
      else {
        res.writeHead(200); // chunked, no length
        for (let i = 0; i < 8; i++) res.write(big);
        res.end();
      }
    });
    const declared = await failure(guardedFetch(`${s.origin}/declared`, { allowPrivate: true, maxBytes: 100_000 }));
    expect(declared.reason).toBe('too_large');
    const chunked = await failure(guardedFetch(`${s.origin}/chunked`, { allowPrivate: true, maxBytes: 300_000 }));
    expect(chunked.reason).toBe('too_large');
    const ok = await guardedFetch(`${s.origin}/declared`, { allowPrivate: true, maxBytes: big.length });
    expect(ok.body.length).toBe(big.length);
  });

  it('bounds total time: a stalled body, and a stalled DNS answer', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<p>start'); // never ends
    });
    let t0 = Date.now();
    expect((await failure(guardedFetch(`${s.origin}/slow`, { allowPrivate: true, timeoutMs: 300 }))).reason).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2000);

    const hanging: Resolver = () => new Promise(() => {});
    t0 = Date.now();
    expect((await failure(guardedFetch('http://slow-dns.test/', { resolver: hanging, timeoutMs: 200 }))).reason).toBe('timeout');
    expect(Date.now() - t0).toBeLessThan(2000);
  });

  it('accepts only the allowed content types for 2xx answers', async () => {
    const s = await serve((req, res) => {
      const type = req.url === '/page' ? 'text/html; charset=utf-8' : req.url === '/xhtml' ? 'application/xhtml+xml' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end('x');
    });
    const accept = HTML_CONTENT_TYPES;
    expect((await guardedFetch(`${s.origin}/page`, { allowPrivate: true, acceptContentTypes: accept })).contentType).toBe('text/html; charset=utf-8');
    expect((await guardedFetch(`${s.origin}/xhtml`, { allowPrivate: true, acceptContentTypes: accept })).status).toBe(200);
    const e = await failure(guardedFetch(`${s.origin}/file.bin`, { allowPrivate: true, acceptContentTypes: accept }));
    expect(e.reason).toBe('content_type');
    expect(e.message).toBe('Response type "application/octet-stream" is not accepted');
  });

  it('reports connection failures as network errors', async () => {
    const s = await serve((_req, res) => res.end());
    const port = s.port;
    await s.close();
    servers.splice(servers.indexOf(s), 1);
    expect((await failure(guardedFetch(`http://127.0.0.1:${port}/`, { allowPrivate: true }))).reason).toBe('network');
  });

  it('streams with guardedRequest and stops the transfer at the cap', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      const chunk = Buffer.alloc(64 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 64 && res.write(chunk)) sent++;
        if (sent < 64) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    const res = await guardedRequest(`${s.origin}/video`, { allowPrivate: true, maxBytes: 1024 * 1024 });
    let got = 0;
    const err = await (async () => {
      try {
        for await (const c of res.body) got += (c as Buffer).length;
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(OutboundError);
    expect((err as OutboundError).reason).toBe('too_large');
    expect(got).toBeLessThanOrEqual(1024 * 1024);
  });
});

describe('webhook targets of API.md', () => {
  it.each(['127.0.0.1', '[::1]', '10.1.2.3', '169.254.169.254', '100.64.0.1', '0.0.0.0', '[::ffff:127.0.0.1]', '[fd00::1]'])(
    'POST to http://%s is refused before any connection',
    async (host) => {
      const s = await serve((_req, res) => res.writeHead(200).end());
      const e = await failure(
        guardedFetch(`http://${host}:${s.port}/hook`, { method: 'POST', body: '{}', maxRedirects: 0, headers: { 'content-type': 'application/json' } }),
      );
      expect(e.reason).toBe('private_address');
      expect(e.refused).toBe(true);
      expect(s.requests).toHaveLength(0);
    },
  );

  it('the same request reaches a loopback receiver when private targets are allowed (the refusal above is real)', async () => {
    const s = await serve((_req, res) => res.writeHead(204).end());
    const res = await guardedFetch(`http://127.0.0.1:${s.port}/hook`, { method: 'POST', body: '{"a":1}', maxRedirects: 0, allowPrivate: true });
    expect(res.status).toBe(204);
    expect(s.requests[0]!.body.toString()).toBe('{"a":1}');
  });
});
