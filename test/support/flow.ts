// Small client helpers for integration tests: a tenant's view of the API.
import { expect } from 'vitest';
import { json, type Json } from './http.js';

export class Client {
  constructor(
    readonly baseUrl: string,
    readonly key: string,
  ) {}

  async req(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Json; res: Response }> {
    const res = await fetch(`${this.baseUrl}/api/v1${path}`, {
      method,
      headers: {
        'X-API-Key': this.key,
        ...(body !== undefined && !(body instanceof FormData) ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Json;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, res };
  }

  get = (path: string) => this.req('GET', path);
  post = (path: string, body?: unknown) => this.req('POST', path, body);
  patch = (path: string, body?: unknown) => this.req('PATCH', path, body);
  del = (path: string) => this.req('DELETE', path);

  async createCourse(title = 'Course'): Promise<Json> {
    const r = await this.post('/nodes', { title });
    expect(r.status).toBe(201);
    return r.body;
  }

  async addChild(parentId: string, title: string): Promise<Json> {
    const r = await this.post(`/nodes/${parentId}/children`, { title });
    expect(r.status).toBe(201);
    return r.body;
  }

  async upload(nodeId: string, filename: string, content: string | Buffer, sourceType = 'text') {
    const form = new FormData();
    form.append('source_type', sourceType);
    form.append('file', new Blob([content]), filename);
    return this.req('POST', `/nodes/${nodeId}/materials`, form);
  }

  /** Polls a material until it is ready or in error (ingest, then embed). */
  async waitForMaterial(id: string, timeoutMs = 90_000): Promise<Json> {
    return this.pollUntil(`/materials/${id}`, (m) => m?.state === 'ready' || m?.state === 'error', timeoutMs);
  }

  /** Polls a GET until `done` holds (usable in hooks, unlike expect.poll); throws with the last body. */
  async pollUntil(path: string, done: (body: Json) => boolean, timeoutMs = 30_000): Promise<Json> {
    const deadline = Date.now() + timeoutMs;
    let last: Json = null;
    while (Date.now() < deadline) {
      last = (await this.get(path)).body;
      if (done(last)) return last;
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`timed out polling ${path}; last: ${JSON.stringify(last).slice(0, 500)}`);
  }

  async waitForJob(jobId: string, timeoutMs = 90_000): Promise<Json> {
    return this.pollUntil(`/jobs/${jobId}`, (j) => ['complete', 'failed', 'cancelled'].includes(j?.status), timeoutMs);
  }
}

export { json };
