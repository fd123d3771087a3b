// What every scenario gets from bench/run.ts, and the helpers they share (tenants, a tenant's HTTP client).
import type { PrismaClient } from '../../shared/src/db/client.js';
import { createApiKey, createTenant } from '../../shared/src/auth/tenants.service.js';
import type { BenchEnv } from './env.js';
import type { ScenarioResult } from './report.js';

export interface BenchContext {
  env: BenchEnv;
  quick: boolean;
  /** --large: the growth curves' largest points, too slow for the default run (search: 1M chunks; upload: 4 GiB). */
  large: boolean;
  prisma: PrismaClient;
  log(line: string): void;
}

export interface Scenario {
  name: string;
  /** One line: what is compared with what. */
  summary: string;
  run(ctx: BenchContext): Promise<Omit<ScenarioResult, 'name' | 'seconds'>>;
}

/** The env of the project's processes for one scenario: its own BullMQ/Redis prefix. */
export const scenarioEnv = (ctx: BenchContext, scenario: string, extra: Record<string, string> = {}) => ({
  ...ctx.env.appEnv,
  BULLMQ_PREFIX: `${ctx.env.prefix}-${scenario}`,
  ...extra,
});

/** A tenant and a prep+check key with limits so high they never interfere (made as the CLI makes them). */
export async function benchTenant(prisma: PrismaClient, name: string, limit = 1_000_000_000) {
  const tenant = await createTenant(prisma, `bench-${name}-${Date.now()}`);
  const { key } = await createApiKey(prisma, tenant.id, {
    label: 'bench',
    scopes: ['prep', 'check'],
    limits: { rateLimitPrep: limit, rateLimitCheck: limit },
    expiresAt: null,
  });
  return { tenantId: tenant.id, key };
}

export async function dropTenants(prisma: PrismaClient, ids: string[]): Promise<void> {
  if (ids.length) await prisma.tenant.deleteMany({ where: { id: { in: ids } } });
}

export async function api<T = unknown>(base: string, key: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { 'X-API-Key': key, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export async function apiOk<T = Record<string, unknown>>(base: string, key: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await api<T>(base, key, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}
