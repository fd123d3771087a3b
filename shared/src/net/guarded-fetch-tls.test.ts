// TLS through the pinned connection: the socket dials the checked IP, but SNI and certificate verification use
// the host name. Needs the openssl CLI to make a throwaway certificate; skipped without it.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardedFetch } from './guarded-fetch.js';
import { OutboundError } from './outbound-error.js';
import type { Resolver } from './url-check.js';

const hasOpenssl = (() => {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe.skipIf(!hasOpenssl)('guardedFetch over TLS', () => {
  let dir = '';
  let cert = '';
  let server: Server;
  let port = 0;
  const servernames: (string | false | null)[] = [];
  const resolver: Resolver = async () => [{ address: '127.0.0.1', family: 4 }];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'guard-tls-'));
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1',
        '-subj', '/CN=pinned.test', '-addext', 'subjectAltName=DNS:pinned.test'],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end(`host=${req.headers.host}`);
    });
    server.on('secureConnection', (s: TLSSocket) => servernames.push(s.servername));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends the host name as SNI and Host, and verifies the certificate for it', async () => {
    const res = await guardedFetch(`https://pinned.test:${port}/`, { resolver, allowPrivate: true, ca: cert });
    expect(res.text()).toBe(`host=pinned.test:${port}`);
    expect(servernames.at(-1)).toBe('pinned.test');
  });

  it('fails when the certificate does not match the host name, although the IP is the same', async () => {
    const e = await guardedFetch(`https://other.test:${port}/`, { resolver, allowPrivate: true, ca: cert }).catch((err: unknown) => err);
    expect(e).toBeInstanceOf(OutboundError);
    expect((e as OutboundError).reason).toBe('network');
    expect(String(((e as OutboundError).cause as Error)?.message)).toMatch(/altnames|Hostname/i);
  });
});
