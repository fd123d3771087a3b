// Tenants and API keys: the operations behind the CLI (scripts/cli.ts) and the tests' fixtures.
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../db/client.js';
import { publishInvalidation } from './revocation.js';
import { newId } from '../db/ids.js';
import { generateKey, type KeyEnvironment, type Scope } from './keys.js';

export interface KeyLimits {
  rateLimitPrep: number;
  rateLimitCheck: number;
}

export const DEFAULT_LIMITS: KeyLimits = { rateLimitPrep: 60, rateLimitCheck: 300 };

export async function createTenant(prisma: PrismaClient, name: string) {
  const trimmed = name.trim();
  if (!trimmed) throw new Error('tenant name must not be empty');
  return prisma.tenant.create({ data: { id: newId(), name: trimmed } });
}

export const listTenants = (prisma: PrismaClient) => prisma.tenant.findMany({ orderBy: { createdAt: 'asc' } });

/** Where to announce revocations so every API process drops its cached lookups at once. */
export interface Broadcast {
  redis: Redis;
  prefix: string;
}

export async function setTenantActive(prisma: PrismaClient, tenantId: string, isActive: boolean, broadcast?: Broadcast) {
  const { count } = await prisma.tenant.updateMany({ where: { id: tenantId }, data: { isActive } });
  if (count === 0) throw new Error(`tenant ${tenantId} not found`);
  if (broadcast) await publishInvalidation(broadcast.redis, broadcast.prefix, { kind: 'tenant', tenantId });
}

export interface CreateKeyInput {
  label: string;
  scopes: Scope[];
  limits?: Partial<KeyLimits>;
  expiresAt?: Date | null;
  environment?: KeyEnvironment;
}

/** Creates a key; the plain key is returned once and never stored. */
export async function createApiKey(prisma: PrismaClient, tenantId: string, input: CreateKeyInput) {
  if (input.scopes.length === 0) throw new Error('at least one scope is required');
  const tenant = await prisma.tenant.findUnique({ where: { id: tenantId } });
  if (!tenant) throw new Error(`tenant ${tenantId} not found`);
  const { key, hash, prefix } = generateKey(input.environment ?? 'live');
  const limits = { ...DEFAULT_LIMITS, ...input.limits };
  const record = await prisma.apiKey.create({
    data: {
      id: newId(),
      tenantId,
      keyHash: hash,
      keyPrefix: prefix,
      label: input.label,
      scopes: input.scopes,
      rateLimitPrep: limits.rateLimitPrep,
      rateLimitCheck: limits.rateLimitCheck,
      expiresAt: input.expiresAt ?? null,
    },
  });
  return { key, record };
}

/** Key listing for operators: never includes the hash. */
export async function listApiKeys(prisma: PrismaClient, tenantId: string) {
  return prisma.apiKey.findMany({
    where: { tenantId },
    orderBy: { createdAt: 'asc' },
    select: {
      id: true,
      keyPrefix: true,
      label: true,
      scopes: true,
      rateLimitPrep: true,
      rateLimitCheck: true,
      lastUsedAt: true,
      expiresAt: true,
      revokedAt: true,
      createdAt: true,
    },
  });
}

/** Marks a key revoked and announces it (the database is the truth; the broadcast makes it immediate). */
export async function revokeApiKey(prisma: PrismaClient, keyId: string, broadcast?: Broadcast) {
  const key = await prisma.apiKey.findUnique({ where: { id: keyId } });
  if (!key) throw new Error(`api key ${keyId} not found`);
  if (!key.revokedAt) await prisma.apiKey.update({ where: { id: keyId }, data: { revokedAt: new Date() } });
  if (broadcast) await publishInvalidation(broadcast.redis, broadcast.prefix, { kind: 'key', keyHash: key.keyHash });
  return { id: key.id, tenantId: key.tenantId };
}

/** Parses "30d", "12h", "45m", "3600s" into milliseconds. */
export function parseDuration(s: string): number {
  const m = /^(\d+)\s*([smhdw])$/.exec(s.trim());
  if (!m) throw new Error(`invalid duration "${s}" (use e.g. 30d, 12h, 45m)`);
  const unit = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[m[2] as 's' | 'm' | 'h' | 'd' | 'w'];
  return Number(m[1]) * unit;
}
