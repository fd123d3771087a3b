// The client's wire behaviour, observed on a local HTTP server that records requests and answers like S3.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeleteObjectsCommand, HeadBucketCommand, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { createS3Client } from './s3-client.js';
import { presignPut } from './presign.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
/** How the server answers; a test may replace it. */
let behaviour: 'ok' | 'hang' = 'ok';

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      if (behaviour === 'hang') return; // never answers
      if (req.method === 'POST' && req.url?.includes('delete')) {
        res.setHeader('content-type', 'application/xml');
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
            '<Deleted><Key>a</Key></Deleted><Deleted><Key>b</Key></Deleted></DeleteResult>',
        );
        return;
      }
      res.setHeader('etag', '"0123"');
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(() => {
  seen = [];
  behaviour = 'ok';
  server.closeAllConnections();
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

const client = (extra: Partial<Parameters<typeof createS3Client>[0]> = {}) =>
  createS3Client({
    endpoint,
    region: 'us-east-1',
    accessKeyId: 'AKIDTEST',
    secretAccessKey: 'secret',
    forcePathStyle: true,
    ...extra,
  });

const checksumHeaders = (h: IncomingHttpHeaders) =>
  Object.keys(h).filter((k) => k.startsWith('x-amz-checksum-') || k.startsWith('x-amz-sdk-checksum-'));

describe('createS3Client', () => {
  it('uses path-style addressing and sends no CRC32 checksum on PutObject (B2 rejects it)', async () => {
    const c = client();
    await c.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'dir/a.txt', Body: 'hello', ContentType: 'text/plain' }));
    c.destroy();
    expect(seen).toHaveLength(1);
    const [req] = seen;
    expect(req?.method).toBe('PUT');
    expect(req?.url).toMatch(/^\/bkt\/dir\/a\.txt/);
    expect(req?.headers.host).toBe(new URL(endpoint).host);
    expect(checksumHeaders(req!.headers)).toEqual([]);
    expect(req?.headers['content-encoding']).toBeUndefined(); // no aws-chunked framing
    expect(req?.body.toString()).toBe('hello');
  });

  it('sends DeleteObjects with Content-MD5 of the body instead of a CRC32 checksum', async () => {
    const c = client();
    const out = await c.send(
      new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }] } }),
    );
    c.destroy();
    expect(out.Deleted?.map((d) => d.Key)).toEqual(['a', 'b']);
    const [req] = seen;
    expect(req?.method).toBe('POST');
    expect(checksumHeaders(req!.headers)).toEqual([]);
    expect(req?.headers['content-md5']).toBe(createHash('md5').update(req!.body).digest('base64'));
    // the signature covers the header that was actually sent
    expect(String(req?.headers.authorization)).toMatch(/SignedHeaders=[^,]*content-md5/);
  });

  it('gives up on an endpoint that never answers instead of hanging', async () => {
    behaviour = 'hang';
    const c = client({ requestTimeoutMs: 300, maxAttempts: 1 });
    const started = Date.now();
    await expect(c.send(new HeadBucketCommand({ Bucket: 'bkt' }))).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(Date.now() - started).toBeLessThan(3_000);
    c.destroy();
  });

  it('retries a hung request a bounded number of times', async () => {
    behaviour = 'hang';
    const c = client({ requestTimeoutMs: 200, maxAttempts: 2 });
    await expect(c.send(new HeadBucketCommand({ Bucket: 'bkt' }))).rejects.toThrow();
    expect(seen.length).toBe(2);
    c.destroy();
  });
});

// The SigV4 payload hash of object data: signed over plain HTTP, UNSIGNED-PAYLOAD over TLS (an HTTPS server with a
// throwaway self-signed certificate, trusted for this test only).
describe('payload signing of object data', () => {
  let tls: Server;
  let tlsEndpoint: string;
  let dir: string;
  let rejectUnauthorized: string | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 's3-client-tls-'));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    tls = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
        res.setHeader('etag', '"0123"');
        res.end();
      });
    });
    await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
    tlsEndpoint = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
    rejectUnauthorized = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  });
  afterAll(async () => {
    if (rejectUnauthorized === undefined) delete process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    else process.env.NODE_TLS_REJECT_UNAUTHORIZED = rejectUnauthorized;
    tls.closeAllConnections();
    await new Promise<void>((r) => tls.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  const body = Buffer.from('part bytes '.repeat(100));
  const sha256 = createHash('sha256').update(body).digest('hex');
  const commands = () => [
    new PutObjectCommand({ Bucket: 'bkt', Key: 'a.txt', Body: body, ContentType: 'text/plain' }),
    new UploadPartCommand({ Bucket: 'bkt', Key: 'b.txt', UploadId: 'u1', PartNumber: 1, Body: body }),
  ];
  const signedHeaders = (h: IncomingHttpHeaders) => /SignedHeaders=([^,]*)/.exec(String(h.authorization))?.[1]?.split(';') ?? [];

  it('over HTTPS sends PutObject and UploadPart with UNSIGNED-PAYLOAD (TLS protects the bytes; no second SHA-256)', async () => {
    const c = client({ endpoint: tlsEndpoint });
    for (const cmd of commands()) await c.send(cmd as PutObjectCommand);
    c.destroy();
    expect(seen).toHaveLength(2);
    for (const req of seen) {
      expect(req.headers['x-amz-content-sha256']).toBe('UNSIGNED-PAYLOAD');
      expect(signedHeaders(req.headers)).toContain('x-amz-content-sha256');
      expect(checksumHeaders(req.headers)).toEqual([]);
      expect(req.body.equals(body)).toBe(true);
    }
  });

  it('over plain HTTP signs their payload by its SHA-256', async () => {
    const c = client();
    for (const cmd of commands()) await c.send(cmd as PutObjectCommand);
    c.destroy();
    expect(seen).toHaveLength(2);
    for (const req of seen) {
      expect(req.headers['x-amz-content-sha256']).toBe(sha256);
      expect(signedHeaders(req.headers)).toContain('x-amz-content-sha256');
    }
  });

  it('over HTTPS still signs the payload of other requests (DeleteObjects)', async () => {
    const c = client({ endpoint: tlsEndpoint });
    await c.send(new DeleteObjectsCommand({ Bucket: 'bkt', Delete: { Objects: [{ Key: 'a' }] } })).catch(() => undefined);
    c.destroy();
    const [req] = seen;
    expect(req?.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(req!.body).digest('hex'));
  });
});

describe('presignPut', () => {
  it('signs content-type and content-length into a 900 s URL for the key', async () => {
    const c = client();
    const p = await presignPut({ client: c, bucket: 'bkt', key: 'tenants/t/x.md', contentType: 'text/markdown', contentLength: 42 });
    c.destroy();
    const url = new URL(p.url);
    expect(url.pathname).toBe('/bkt/tenants/t/x.md');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-SignedHeaders')?.split(';').sort()).toEqual(['content-length', 'content-type', 'host']);
    expect([...url.searchParams.keys()].filter((k) => k.toLowerCase().includes('checksum'))).toEqual([]);
    expect(p).toMatchObject({ method: 'PUT', expiresIn: 900, headers: { 'content-type': 'text/markdown', 'content-length': '42' } });
  });

  it('leaves content-length unsigned when no size is declared', async () => {
    const c = client();
    const p = await presignPut({ client: c, bucket: 'bkt', key: 'k', contentType: 'application/pdf' });
    c.destroy();
    expect(new URL(p.url).searchParams.get('X-Amz-SignedHeaders')?.split(';').sort()).toEqual(['content-type', 'host']);
    expect(p.headers).toEqual({ 'content-type': 'application/pdf' });
  });
});
