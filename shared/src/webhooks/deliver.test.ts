import { afterEach, describe, expect, it } from 'vitest';
import type { AddressClass } from '../net/address-policy.js';
import { startLocalServer, type LocalServer } from '../net/local-server.test-support.js';
import { checkUrl } from '../net/url-check.js';
import type { Resolver } from '../net/url-check.js';
import { deliverWebhook, type DeliverWebhookOptions } from './deliver.js';
import { buildWebhookPayload, serializeWebhookPayload } from './payload.js';
import { verifySignature } from './signature.js';

const servers: LocalServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
async function serve(...args: Parameters<typeof startLocalServer>): Promise<LocalServer> {
  const s = await startLocalServer(...args);
  servers.push(s);
  return s;
}

const SECRET = 'whsec_test_secret_value';
const loopbackOnly = (c: AddressClass) => c.range === 'loopback';
const body = serializeWebhookPayload(
  buildWebhookPayload({
    event: 'reviewed',
    submission_id: '5d0f6a2e-1111-4a4a-9b9b-000000000001',
    student_external_id: 'student-42',
    review: { passed: true, score: 67, verdict: 'partial', review_text: '## Score: 67/100', response_language: 'en' },
    timestamp: '2025-03-01T10:00:00.000Z',
  }),
);
const opts = (url: string, extra: Partial<DeliverWebhookOptions> = {}): DeliverWebhookOptions => ({
  url,
  secret: SECRET,
  deliveryId: '0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3',
  event: 'reviewed',
  body,
  allowPrivate: loopbackOnly,
  timeoutMs: 2000,
  ...extra,
});

describe('deliverWebhook', () => {
  it('POSTs the signed body with the API.md headers; 2xx → delivered', async () => {
    const s = await serve((_req, res) => res.writeHead(204).end());
    const result = await deliverWebhook(opts(`${s.origin}/hooks/cs?x=1`));
    expect(result).toMatchObject({ outcome: 'delivered', status: 204 });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(s.requests).toHaveLength(1);
    const req = s.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe('/hooks/cs?x=1');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-cs-event']).toBe('reviewed');
    expect(req.headers['x-cs-delivery']).toBe('0b7c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3');
    expect(req.headers['user-agent']).toMatch(/^CourseSupporter-Webhooks/);
    expect(req.body.toString()).toBe(body);
    const signature = req.headers['x-cs-signature'] as string;
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, signature, req.body, 300)).toBe(true);
    expect(verifySignature('another-secret', signature, req.body, 300)).toBe(false);
    expect(verifySignature(SECRET, signature, Buffer.from(body.replace('67', '99')), 300)).toBe(false);
  });

  it('classifies 500/503/408/429 as retry (with Retry-After), 410/400 as failed', async () => {
    const statuses = new Map([
      ['/500', 500],
      ['/503', 503],
      ['/408', 408],
      ['/429', 429],
      ['/410', 410],
      ['/400', 400],
    ]);
    const s = await serve((req, res) => {
      const status = statuses.get(req.url!)!;
      res.writeHead(status, status === 503 ? { 'retry-after': '120' } : {}).end('error page');
    });
    const outcome = async (path: string) => deliverWebhook(opts(`${s.origin}${path}`));
    expect(await outcome('/500')).toMatchObject({ outcome: 'retry', status: 500, error: 'receiver answered HTTP 500' });
    expect(await outcome('/503')).toMatchObject({ outcome: 'retry', status: 503, retryAfterMs: 120_000 });
    expect(await outcome('/408')).toMatchObject({ outcome: 'retry', status: 408 });
    expect(await outcome('/429')).toMatchObject({ outcome: 'retry', status: 429 });
    expect(await outcome('/410')).toMatchObject({ outcome: 'failed', status: 410 });
    expect(await outcome('/400')).toMatchObject({ outcome: 'failed', status: 400 });
  });

  it('500, 500, 200 → delivered on the third attempt with one delivery id', async () => {
    let n = 0;
    const s = await serve((_req, res) => res.writeHead(++n < 3 ? 500 : 200).end());
    const outcomes: string[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const r = await deliverWebhook(opts(s.origin));
      outcomes.push(r.outcome);
      if (r.outcome !== 'retry') break;
    }
    expect(outcomes).toEqual(['retry', 'retry', 'delivered']);
    expect(new Set(s.requests.map((r) => r.headers['x-cs-delivery']))).toEqual(new Set([opts('').deliveryId]));
    for (const r of s.requests) expect(verifySignature(SECRET, r.headers['x-cs-signature'] as string, r.body)).toBe(true);
  });

  it('does not follow a redirect: 302 → failed, the Location target is never contacted', async () => {
    const target = await serve((_req, res) => res.writeHead(200).end());
    const s = await serve((_req, res) => res.writeHead(302, { location: `${target.origin}/stolen` }).end());
    const r = await deliverWebhook(opts(s.origin));
    expect(r).toMatchObject({ outcome: 'failed', status: 302, reason: 'redirect_not_followed' });
    expect(r.error).toMatch(/redirects are not followed/);
    expect(target.requests).toHaveLength(0);
  });

  it('a large 2xx answer is still delivered (the body is not read)', async () => {
    const s = await serve((_req, res) => res.writeHead(200, { 'content-length': String(2 * 1024 * 1024) }).end(Buffer.alloc(2 * 1024 * 1024)));
    expect(await deliverWebhook(opts(s.origin))).toMatchObject({ outcome: 'delivered', status: 200 });
  });

  it('timeouts and refused connections → retry', async () => {
    const slow = await serve(() => undefined); // never answers
    const t = await deliverWebhook(opts(slow.origin, { timeoutMs: 300 }));
    expect(t).toMatchObject({ outcome: 'retry', reason: 'timeout' });
    const gone = await serve((_req, res) => res.end());
    const port = gone.port;
    await gone.close();
    servers.splice(servers.indexOf(gone), 1);
    const r = await deliverWebhook(opts(`http://127.0.0.1:${port}/`));
    expect(r).toMatchObject({ outcome: 'retry', reason: 'network' });
  });

  it('refuses private targets when allowPrivate is false, without connecting', async () => {
    const s = await serve((_req, res) => res.writeHead(200).end());
    const targets = [
      `http://127.0.0.1:${s.port}/`,
      `http://[::1]:${s.port}/`,
      'http://10.1.2.3/hook',
      'http://169.254.169.254/latest/meta-data/',
      'http://100.64.0.1/hook',
      'http://0.0.0.0/hook',
      'http://[::ffff:127.0.0.1]/hook',
    ];
    for (const url of targets) {
      const r = await deliverWebhook(opts(url, { allowPrivate: false }));
      expect(r, url).toMatchObject({ outcome: 'failed', reason: 'private_address' });
      expect(r.error).toMatch(/private address/);
      expect(r.status).toBeUndefined();
    }
    expect(s.requests).toHaveLength(0);
  });

  it('checks the name again at send time: public when set, private when sent → not delivered', async () => {
    const s = await serve((_req, res) => res.writeHead(200).end());
    let answer = '93.184.216.34';
    const resolver: Resolver = async () => [{ address: answer, family: 4 }];
    const url = `http://hooks.example.test:${s.port}/`;
    await expect(checkUrl(url, { resolver })).resolves.toBeTruthy(); // as the API checks it when set
    answer = '127.0.0.1'; // DNS now points inside
    const r = await deliverWebhook(opts(url, { resolver, allowPrivate: false }));
    expect(r).toMatchObject({ outcome: 'failed', reason: 'private_address' });
    const bad = await deliverWebhook(opts('ftp://example.com/x', { allowPrivate: false }));
    expect(bad).toMatchObject({ outcome: 'failed', reason: 'unsupported_scheme' });
    expect(s.requests).toHaveLength(0);
  });
});
