// Bull Board: absent unless enabled; behind basic auth when enabled; the config refuses to enable it without
// credentials.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, uniquePrefix, type TestApi } from '../support/api.js';
import { parseConfig, ConfigError } from '../../shared/src/config/index.js';

let on: TestApi;
let off: TestApi;
const auth = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

beforeAll(async () => {
  on = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('board'), BULL_BOARD_ENABLED: 'true', BULL_BOARD_USER: 'ops', BULL_BOARD_PASSWORD: 'correct horse battery' });
  off = await startTestApi({ BULLMQ_PREFIX: uniquePrefix('board-off') });
});
afterAll(async () => {
  await on?.close();
  await off?.close();
});

describe('/admin/queues', () => {
  it('is not there unless enabled', async () => {
    expect((await fetch(`${off.url}/admin/queues`, { headers: { authorization: auth('ops', 'correct horse battery') } })).status).toBe(404);
  });

  it('asks for basic auth and serves the dashboard with the right credentials', async () => {
    const anon = await fetch(`${on.url}/admin/queues`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('www-authenticate')).toMatch(/^Basic/);
    // the error body of every other refusal, with the request id of the X-Request-Id header
    const body = (await anon.json()) as { detail: string; code: string; request_id: string };
    expect(body).toEqual({ detail: 'Not authenticated', code: 'unauthorized', request_id: anon.headers.get('x-request-id') });
    const wrongUser = await fetch(`${on.url}/admin/queues`, { headers: { authorization: auth('someone', 'correct horse battery') } });
    expect(wrongUser.status).toBe(401);
    expect((await fetch(`${on.url}/admin/queues`, { headers: { authorization: auth('ops', 'wrong password!') } })).status).toBe(401);
    const ok = await fetch(`${on.url}/admin/queues`, { headers: { authorization: auth('ops', 'correct horse battery') } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/bull/i);
    const queues = await fetch(`${on.url}/admin/queues/api/queues`, { headers: { authorization: auth('ops', 'correct horse battery') } });
    expect(queues.status).toBe(200);
    const names = ((await queues.json()) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toEqual(expect.arrayContaining(['ingest', 'embed', 'generate', 'check', 'webhooks', 'maintenance']));
  });

  it('cannot be enabled without credentials', () => {
    expect(() =>
      parseConfig({ DATABASE_URL: 'postgresql://x@y/z', S3_ACCESS_KEY_ID: 'a', S3_SECRET_ACCESS_KEY: 'b', BULL_BOARD_ENABLED: 'true' }),
    ).toThrow(ConfigError);
  });
});
