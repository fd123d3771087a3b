// Table-driven catalogue: each case is one hostile request with the answer it must get. For every case the runner
// asserts a 4xx status (the expected one), the API.md error body (requests Node's parser refuses, e.g. 431, get
// it too, from api/src/http/server.ts), that nothing was stored or enqueued (World.snapshot before = after), and that the server still
// serves afterwards.
import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { expectErrorShape, type World } from './catalogue-world.js';
import { send, type RawRequest, type RawResponse } from './raw-http.js';

export interface Case {
  name: string;
  send: (w: World) => Promise<RawResponse>;
  /** The expected status, or the statuses that are each acceptable. */
  status: number | number[];
  code?: string;
  /** The answer carries no API error body (none of today's cases: even Node's parser errors get one). */
  byNode?: boolean;
  /** Set when a product bug makes this case fail today: it runs as `it.fails` and the text names the bug. */
  bug?: string;
  /** Extra assertions on the answer. */
  check?: (res: RawResponse, w: World) => Promise<void> | void;
}

export function defineCatalogue(world: () => World, cases: Case[]): void {
  for (const c of cases) {
    const test = c.bug ? it.fails : it;
    test(c.bug ? `${c.name} [BUG: ${c.bug}]` : c.name, async () => {
      const w = world();
      const before = await w.snapshot();
      const res = await c.send(w);
      const allowed = Array.isArray(c.status) ? c.status : [c.status];
      expect(allowed, `${c.name}: got ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
      expect(res.status, c.name).toBeGreaterThanOrEqual(400);
      expect(res.status, c.name).toBeLessThan(500);
      if (!c.byNode) {
        expectErrorShape(res, c.name);
        if (c.code) expect(res.json.code, c.name).toBe(c.code);
      }
      await c.check?.(res, w);
      expect(await w.snapshot(), `${c.name}: nothing stored or enqueued`).toEqual(before);
      expect((await fetch(`${w.api.url}/health/live`)).status, `${c.name}: server still serves`).toBe(200);
    });
  }
}

export interface CallOptions {
  /** X-API-Key; default tenant A's key; null sends none. */
  key?: string | null;
  json?: unknown;
  body?: string | Buffer;
  /** Default application/json when there is a body; '' sends no Content-Type. */
  contentType?: string;
  headers?: Record<string, string | number>;
}

/** A request to /api/v1 + path (sent verbatim). */
export function call(w: World, method: string, path: string, opts: CallOptions = {}): Promise<RawResponse> {
  const key = opts.key === undefined ? w.a.key : opts.key;
  const body = opts.json !== undefined ? JSON.stringify(opts.json) : opts.body;
  const req: RawRequest = {
    method,
    path: `/api/v1${path}`,
    headers: {
      ...(key !== null ? { 'x-api-key': key } : {}),
      ...(body !== undefined && opts.contentType !== '' ? { 'content-type': opts.contentType ?? 'application/json' } : {}),
      ...opts.headers,
    },
    body,
  };
  return send(w.api.url, req);
}

export interface Part {
  name: string;
  value?: string;
  filename?: string;
  content?: string | Buffer;
  type?: string;
}

/** A multipart/form-data body built byte by byte (so filenames can carry anything). */
export function multipart(parts: Part[]): { body: Buffer; contentType: string } {
  const boundary = `----catalogue${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition =
      p.filename !== undefined ? `form-data; name="${p.name}"; filename="${p.filename}"` : `form-data; name="${p.name}"`;
    const head = `--${boundary}\r\nContent-Disposition: ${disposition}\r\n${p.filename !== undefined ? `Content-Type: ${p.type ?? 'application/octet-stream'}\r\n` : ''}\r\n`;
    chunks.push(Buffer.from(head, 'utf8'), Buffer.from(p.content ?? p.value ?? ''), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** POST /nodes/{node}/materials with a hand-built multipart body (default node: tenant A's lesson). */
export function upload(w: World, parts: Part[], opts: { node?: string; key?: string | null } = {}): Promise<RawResponse> {
  const { body, contentType } = multipart(parts);
  return call(w, 'POST', `/nodes/${opts.node ?? w.a.lessonId}/materials`, { body, contentType, key: opts.key });
}
