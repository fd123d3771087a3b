// Tenants and keys for tests, made through the same service functions the CLI uses.
import type { PrismaClient } from '../../shared/src/db/client.js';
import { createApiKey, createTenant, type KeyLimits } from '../../shared/src/auth/tenants.service.js';
import type { Scope } from '../../shared/src/auth/keys.js';

export interface TestKeyOptions {
  scopes?: Scope[];
  limits?: Partial<KeyLimits>;
  expiresAt?: Date | null;
  label?: string;
}

export async function createTestTenant(prisma: PrismaClient, opts: TestKeyOptions = {}) {
  const tenant = await createTenant(prisma, `test-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  const { key, record } = await createApiKey(prisma, tenant.id, {
    label: opts.label ?? 'test',
    scopes: opts.scopes ?? ['prep', 'check'],
    limits: { rateLimitPrep: 10_000, rateLimitCheck: 10_000, ...opts.limits },
    expiresAt: opts.expiresAt ?? null,
  });
  return { tenant, key, keyId: record.id };
}

export async function addKey(prisma: PrismaClient, tenantId: string, opts: TestKeyOptions = {}) {
  const { key, record } = await createApiKey(prisma, tenantId, {
    label: opts.label ?? 'extra',
    scopes: opts.scopes ?? ['prep', 'check'],
    limits: { rateLimitPrep: 10_000, rateLimitCheck: 10_000, ...opts.limits },
    expiresAt: opts.expiresAt ?? null,
  });
  return { key, keyId: record.id };
}
