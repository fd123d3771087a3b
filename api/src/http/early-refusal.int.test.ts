// Issue 14 item 10: a refusal answered while the client is still sending (413 over the limit, 422 after the first
// bytes) must reach a Node fetch/undici client, not end in EPIPE/ECONNRESET without a response. The production
// shape: the API as its own process under node:cluster (API_WORKERS=2), a small upload limit, Node's fetch.
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { Request } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lingerOnRefusal } from './lingering-close.js';
import { startApiProcess, type ApiProcess } from '../../../test/support/api-process.js';
import { uniquePrefix } from '../../../test/support/api.js';
import { createTestTenant } from '../../../test/support/tenants.js';
import { createPrisma } from '../../../shared/src/db/client.js';
import { loadConfig } from '../../../shared/src/config/index.js';

const MiB = 1024 * 1024;
let api: ApiProcess;
let key: string;
let nodeId: string;
const prisma = createPrisma(loadConfig().DATABASE_URL);

beforeAll(async () => {
  api = await startApiProcess({ API_WORKERS: '2', BULLMQ_PREFIX: uniquePrefix('refusal'), MAX_UPLOAD_BYTES: String(5 * MiB) });
  key = (await createTestTenant(prisma)).key;
  const res = await fetch(`${api.url}/api/v1/nodes`, {
    method: 'POST',
    headers: { 'X-API-Key': key, 'Content-Type': 'application/json' },
    body: JSON.stringify({ title: 'Refusals' }),
  });
  nodeId = ((await res.json()) as { id: string }).id;
}, 90_000);
afterAll(async () => {
  await api?.stop();
  await prisma.$disconnect();
});

async function post(name: string, bytes: Uint8Array, sourceType: string) {
  const form = new FormData();
  form.append('source_type', sourceType);
  form.append('file', new Blob([bytes as Uint8Array<ArrayBuffer>]), name);
  try {
    const res = await fetch(`${api.url}/api/v1/nodes/${nodeId}/materials`, { method: 'POST', headers: { 'X-API-Key': key }, body: form });
    return { status: res.status, body: (await res.json()) as { code?: string } };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { status: 0, body: { code: `fetch failed: ${e.cause?.code ?? e.message}` } };
  }
}

describe('early refusals reach a Node fetch client', () => {
  it('24 MiB over a 5 MiB limit: 413 with the error body, every time', async () => {
    const big = new Uint8Array(24 * MiB).fill(0x61);
    for (let i = 0; i < 6; i++) {
      const r = await post('big.txt', big, 'text');
      expect(r, `attempt ${i}`).toMatchObject({ status: 413, body: { code: 'payload_too_large' } });
    }
  });

  it('a 300 KB file whose content does not match its extension: 422 after the first bytes, every time', async () => {
    const wrong = new Uint8Array(300 * 1024).fill(0x41); // "AAAA…" named .pdf
    for (let i = 0; i < 60; i++) { // intermittent before the fix: first EPIPE at attempt 13 of 60
      const r = await post('slides.pdf', wrong, 'presentation');
      expect(r, `attempt ${i}`).toMatchObject({ status: 422, body: { code: 'validation_error' } });
    }
  });
});

describe('lingerOnRefusal is bounded', () => {
  // A plain http server that refuses at once and lingers with small bounds; a raw client keeps sending.
  async function lingerFor(bounds: { ms?: number; bytes?: number }, send: (write: (b: Buffer) => boolean) => void) {
    const server = createServer((req, res) => {
      lingerOnRefusal(req as Request, bounds);
      res.writeHead(413, { 'Content-Type': 'application/json' }).end('{"code":"payload_too_large"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const started = Date.now();
    const result = await new Promise<{ answer: string; closedAfterMs: number }>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => (answer += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => resolve({ answer, closedAfterMs: Date.now() - started }));
      socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${1024 ** 3}\r\n\r\n`);
      send((b) => (socket.destroyed ? false : socket.write(b)));
    });
    server.close();
    return result;
  }

  it('cuts off a client that goes on sending past the time bound, after it got the answer', async () => {
    let timer: NodeJS.Timeout | undefined;
    const r = await lingerFor({ ms: 500 }, (write) => {
      timer = setInterval(() => write(Buffer.alloc(1024, 0x61)), 20); // slow and endless
    });
    clearInterval(timer);
    expect(r.answer).toContain('413');
    expect(r.closedAfterMs).toBeGreaterThanOrEqual(450);
    expect(r.closedAfterMs).toBeLessThan(5_000);
  });

  it('cuts off a client past the byte bound well before the time bound', async () => {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let stop = false;
    const r = await lingerFor({ ms: 20_000, bytes: 2 * MiB }, (write) => {
      const pump = () => {
        while (!stop && write(chunk));
        if (!stop) setTimeout(pump, 1);
      };
      pump();
    });
    stop = true;
    expect(r.answer).toContain('413');
    expect(r.closedAfterMs).toBeLessThan(10_000);
  });
});
