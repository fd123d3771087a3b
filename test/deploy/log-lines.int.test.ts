// The raw JSON log lines of a real clustered API process (API_WORKERS=2, LOG_LEVEL=info) carry every key once:
// request lines of an authenticated call (tenant_id bound by the key middleware) and the primary's line about
// a crashed API process (its pid is not the primary's `pid`).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiProcess, type ApiProcess } from '../support/api-process.js';
import { uniquePrefix } from '../support/api.js';
import { createTestTenant } from '../support/tenants.js';
import { duplicateKeys } from '../support/json-keys.js';
import { waitFor } from '../support/processes.js';
import { createPrisma, type PrismaClient } from '../../shared/src/db/client.js';
import { loadConfig } from '../../shared/src/config/index.js';

let api: ApiProcess;
let prisma: PrismaClient;

beforeAll(async () => {
  prisma = createPrisma(loadConfig().DATABASE_URL, { poolMax: 2 });
  api = await startApiProcess({ API_WORKERS: '2', LOG_LEVEL: 'info', BULLMQ_PREFIX: uniquePrefix('loglines') });
}, 60_000);
afterAll(async () => {
  await api?.stop();
  await prisma?.$disconnect();
});

const parsed = () => api.lines.filter((l) => l.startsWith('{')).map((l) => ({ raw: l, obj: JSON.parse(l) as Record<string, unknown> }));

describe('log lines', () => {
  it('have no duplicate keys on request lines and on the primary’s crash line', async () => {
    const { tenant, key } = await createTestTenant(prisma);
    const res = await fetch(`${api.url}/api/v1/jobs/00000000-0000-4000-8000-000000000000`, { headers: { 'X-API-Key': key } });
    expect(res.status).toBe(404);
    await waitFor(async () => parsed().some((l) => l.obj.msg === 'request' && l.obj.tenant_id === tenant.id), 10_000, 'request line');

    const children = readFileSync(`/proc/${api.child.pid}/task/${api.child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    process.kill(children[0] as number, 'SIGKILL');
    await waitFor(async () => parsed().some((l) => l.obj.msg === 'api process exited; starting a new one'), 10_000, 'crash line');

    const lines = parsed();
    expect(lines.length).toBeGreaterThan(3);
    for (const { raw } of lines) expect(duplicateKeys(raw), raw).toEqual([]);
    const request = lines.find((l) => l.obj.msg === 'request' && l.obj.tenant_id === tenant.id)!.obj;
    expect(request).toMatchObject({ status: 404, request_id: expect.any(String) });
    const crash = lines.find((l) => l.obj.msg === 'api process exited; starting a new one')!.obj;
    expect(crash).toMatchObject({ pid: api.child.pid, child_pid: children[0], signal: 'SIGKILL' });
  });
});
