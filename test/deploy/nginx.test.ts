// deploy/nginx/course-supporter.conf under Debian's nginx: `nginx -t` in a minimal config with a self-signed
// certificate, then real requests through it to local HTTP upstreams standing in for the API and Netdata
// (routing, refusals, headers, redirects, basic auth, body limit, streaming uploads). The same checks against
// the running API come from the lead's end-to-end test (test/deploy/nginx-harness.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { rmSync, writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { request } from 'undici';
import { freePort } from '../support/processes.js';
import { nginxBinary, prepareNginx, testNginxConfig, startNginx, SERVER_NAME, type RunningNginx } from './nginx-harness.js';

const NGINX = nginxBinary();
if (!NGINX) console.warn('SKIPPED test/deploy/nginx.test.ts: nginx binary not found (apt-get install -y nginx)');

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  bytes: number;
}

/** A local HTTP server that records what reached it. */
async function upstream(name: string, onData?: (bytes: number) => void): Promise<{ port: number; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes: 0 };
    seen.push(entry);
    req.on('data', (chunk: Buffer) => {
      entry.bytes += chunk.length;
      onData?.(entry.bytes);
    });
    req.on('end', () => {
      res.setHeader('Content-Type', 'application/json');
      // what helmet sends: nginx must replace these, not duplicate them
      res.setHeader('X-Frame-Options', 'SAMEORIGIN');
      res.setHeader('X-XSS-Protection', '0');
      if (req.headers['x-request-id']) res.setHeader('X-Request-Id', String(req.headers['x-request-id']));
      res.end(JSON.stringify({ upstream: name, url: req.url, bytes: entry.bytes }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, seen, server };
}

describe.skipIf(!NGINX)('nginx site config (deploy/nginx/course-supporter.conf)', () => {
  it('passes nginx -t inside a minimal config with a self-signed certificate', async () => {
    const p = await prepareNginx({ apiPort: await freePort() });
    const r = testNginxConfig(p);
    rmSync(p.dir, { recursive: true, force: true });
    expect(r.output).toMatch(/syntax is ok/);
    expect(r.ok, r.output).toBe(true);
  });

  it('fails nginx -t when the site is broken (the check can fail)', async () => {
    const p = await prepareNginx({ apiPort: await freePort() });
    writeFileSync(p.siteConf, 'server { listen 1; proxy_pass_nonsense on; }\n');
    const r = testNginxConfig(p);
    rmSync(p.dir, { recursive: true, force: true });
    expect(r.ok).toBe(false);
  });
});

describe.skipIf(!NGINX)('requests through nginx', () => {
  let api: Awaited<ReturnType<typeof upstream>>;
  let netdata: Awaited<ReturnType<typeof upstream>>;
  let nginx: RunningNginx;
  let firstBytesSeen: () => void = () => undefined;

  beforeAll(async () => {
    api = await upstream('api', (bytes) => {
      if (bytes > 0) firstBytesSeen();
    });
    netdata = await upstream('netdata');
    nginx = await startNginx({ apiPort: api.port, netdataPort: netdata.port });
  });

  afterAll(async () => {
    await nginx?.stop();
    api?.server.close();
    netdata?.server.close();
  });

  const https = (path: string, init: Parameters<typeof request>[1] = {}) =>
    request(`${nginx.httpsUrl}${path}`, { ...init, dispatcher: nginx.dispatcher });

  it('proxies /health, /docs and API routes to the app with forwarding headers and a request id', async () => {
    for (const path of ['/health', '/health/live', '/docs/', '/openapi.json', '/api/v1/nodes?limit=5']) {
      const res = await https(path);
      expect(res.statusCode, path).toBe(200);
      const body = (await res.body.json()) as { upstream: string; url: string };
      expect(body).toMatchObject({ upstream: 'api', url: path });
    }
    const last = api.seen.at(-1)!;
    expect(last.headers['x-forwarded-proto']).toBe('https');
    expect(last.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(last.headers['x-real-ip']).toBe('127.0.0.1');
    expect(last.headers['x-forwarded-host']).toBeTruthy();
    expect(last.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('passes a sane client X-Request-Id through and replaces a malformed one', async () => {
    const ok = await https('/health', { headers: { 'x-request-id': 'client-req.42:a_b' } });
    await ok.body.text();
    expect(ok.headers['x-request-id']).toBe('client-req.42:a_b');
    expect(api.seen.at(-1)!.headers['x-request-id']).toBe('client-req.42:a_b');

    const bad = await https('/health', { headers: { 'x-request-id': 'bad id <script>' } });
    await bad.body.text();
    expect(bad.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(api.seen.at(-1)!.headers['x-request-id']).toBe(bad.headers['x-request-id']);
  });

  it('sets the security headers once, replacing the app’s own values', async () => {
    const res = await https('/health');
    await res.body.text();
    expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{8,}/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-xss-protection']).toBe('1; mode=block');
    expect(res.headers['referrer-policy']).toBeTruthy();
    expect(res.headers['server']).toBe('nginx');
  });

  it('refuses /metrics and /admin in any case without reaching the app', async () => {
    const before = api.seen.length;
    for (const path of ['/metrics', '/METRICS', '/metrics/', '/admin', '/admin/queues', '/Admin/Queues/api/queues', '//metrics', '/%6detrics']) {
      const res = await https(path, { headers: { authorization: 'Bearer whatever' } });
      const body = (await res.body.json()) as { code: string; request_id: string };
      expect(res.statusCode, path).toBe(404);
      expect(body.code).toBe('not_found');
      expect(body.request_id).toBe(res.headers['x-request-id']);
      expect(res.headers['x-frame-options']).toBe('DENY');
    }
    expect(api.seen.length).toBe(before);
  });

  it('redirects HTTP to HTTPS except the certbot webroot', async () => {
    const res = await request(`${nginx.httpUrl}/api/v1/nodes?x=1`);
    await res.body.text();
    expect(res.statusCode).toBe(301);
    expect(res.headers.location).toBe(`https://127.0.0.1/api/v1/nodes?x=1`);

    writeFileSync(join(nginx.webroot, '.well-known/acme-challenge/tok123'), 'tok123.key-authorization');
    const acme = await request(`${nginx.httpUrl}/.well-known/acme-challenge/tok123`);
    expect(acme.statusCode).toBe(200);
    expect(await acme.body.text()).toBe('tok123.key-authorization');
  });

  it('puts /netdata/ behind basic auth and strips the prefix', async () => {
    const anon = await https('/netdata/api/v1/info');
    await anon.body.text();
    expect(anon.statusCode).toBe(401);
    expect(netdata.seen.length).toBe(0);

    const wrong = await https('/netdata/', { headers: { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
    await wrong.body.text();
    expect(wrong.statusCode).toBe(401);

    const auth = `Basic ${Buffer.from(`${nginx.netdataUser}:${nginx.netdataPassword}`).toString('base64')}`;
    const ok = await https('/netdata/api/v1/info?x=1', { headers: { authorization: auth } });
    expect(ok.statusCode).toBe(200);
    expect(await ok.body.json()).toMatchObject({ upstream: 'netdata', url: '/api/v1/info?x=1' });

    const bare = await https('/netdata');
    await bare.body.text();
    expect(bare.statusCode).toBe(301);
    expect(bare.headers.location).toMatch(/\/netdata\/$/);
  });

  it('answers a body over the limit with a JSON 413 before the app sees it', async () => {
    const before = api.seen.length;
    const raw = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: nginx.httpsPort, ca: nginx.certPem, servername: SERVER_NAME, ALPNProtocols: ['http/1.1'] });
      let out = '';
      s.on('secureConnect', () => {
        s.write(`POST /api/v1/nodes/x/materials HTTP/1.1\r\nHost: ${SERVER_NAME}\r\nContent-Type: application/octet-stream\r\nContent-Length: ${2 * 1024 ** 3}\r\n\r\n`);
      });
      s.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('}')) s.end();
      });
      s.on('end', () => resolve(out));
      s.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 413/);
    expect(raw).toContain('"code":"payload_too_large"');
    expect(api.seen.length).toBe(before);
  });

  it('streams an upload to the app while the client is still sending (no request buffering)', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 97);
    const firstBytes = new Promise<void>((r) => (firstBytesSeen = r));
    const reached = { value: false };
    async function* body() {
      yield chunk;
      // the rest is only sent once the app has received bytes: with request buffering nginx would wait for the
      // whole body first and this upload would never finish (the test times out)
      await Promise.race([firstBytes, new Promise((_, rej) => setTimeout(() => rej(new Error('app saw no bytes yet')), 10_000))]);
      reached.value = true;
      for (let i = 0; i < 7; i++) yield chunk;
    }
    const res = await https('/api/v1/nodes/n1/materials', {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: Readable.from(body()),
    });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toMatchObject({ upstream: 'api', bytes: 8 * 1024 * 1024 });
    expect(reached.value).toBe(true);
  });

  it('answers with a JSON 503 when the upstream is down', async () => {
    netdata.server.close();
    netdata.server.closeAllConnections();
    await new Promise((r) => setTimeout(r, 50));
    const auth = `Basic ${Buffer.from(`${nginx.netdataUser}:${nginx.netdataPassword}`).toString('base64')}`;
    const res = await https('/netdata/', { headers: { authorization: auth } });
    const body = (await res.body.json()) as { code: string };
    expect(res.statusCode).toBe(503);
    expect(body.code).toBe('service_unavailable');
  });

  it('negotiates TLS 1.3 and still accepts TLS 1.2', async () => {
    const version = (maxVersion: 'TLSv1.2' | 'TLSv1.3') =>
      new Promise<string | null>((resolve, reject) => {
        const s = tlsConnect({ host: '127.0.0.1', port: nginx.httpsPort, ca: nginx.certPem, servername: SERVER_NAME, maxVersion });
        s.on('secureConnect', () => {
          const v = s.getProtocol();
          s.end();
          resolve(v);
        });
        s.on('error', reject);
      });
    expect(await version('TLSv1.3')).toBe('TLSv1.3');
    expect(await version('TLSv1.2')).toBe('TLSv1.2');
  });
});
