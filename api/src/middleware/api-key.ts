// X-API-Key → tenant and scopes. Lookups are cached in-process for API_KEY_CACHE_TTL_MS; revocations and
// tenant deactivations published on Redis evict entries in every process at once (shared/src/auth/revocation).
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import type { PrismaClient } from '../../../shared/src/db/client.js';
import { AppError } from '../../../shared/src/errors/index.js';
import { digestsEqual, hashKey, isWellFormedKey, type Scope } from '../../../shared/src/auth/keys.js';
import { subscribeInvalidations } from '../../../shared/src/auth/revocation.js';
import type { Principal } from '../http/context.js';

interface CachedKey {
  keyId: string;
  keyHash: string;
  tenantId: string;
  scopes: Scope[];
  limits: { prep: number; check: number };
  expiresAt: number | null;
  usable: boolean; // false: revoked, or tenant inactive
  cachedAt: number;
}

const LAST_USED_WRITE_INTERVAL_MS = 60_000;

export class KeyStore {
  private cache = new Map<string, CachedKey>();
  private lastUsedWritten = new Map<string, number>();
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(
    private prisma: PrismaClient,
    private ttlMs: number,
  ) {}

  /** Listens for invalidations on Redis; call once per process. */
  listen(subscriber: Redis, prefix: string): void {
    this.unsubscribe = subscribeInvalidations(subscriber, prefix, {
      onMessage: (msg) => {
        for (const [hash, entry] of this.cache) {
          if ((msg.kind === 'key' && hash === msg.keyHash) || (msg.kind === 'tenant' && entry.tenantId === msg.tenantId)) {
            this.cache.delete(hash);
          }
        }
      },
      onResync: () => this.cache.clear(),
    });
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
  }

  async resolve(hash: string): Promise<CachedKey | null> {
    const hit = this.cache.get(hash);
    if (hit && Date.now() - hit.cachedAt < this.ttlMs) return hit;
    const row = await this.prisma.apiKey.findUnique({
      where: { keyHash: hash },
      include: { tenant: { select: { isActive: true } } },
    });
    if (!row) {
      this.cache.delete(hash);
      return null;
    }
    const entry: CachedKey = {
      keyId: row.id,
      keyHash: row.keyHash,
      tenantId: row.tenantId,
      scopes: row.scopes.filter((s): s is Scope => s === 'prep' || s === 'check'),
      limits: { prep: row.rateLimitPrep, check: row.rateLimitCheck },
      expiresAt: row.expiresAt ? row.expiresAt.getTime() : null,
      usable: !row.revokedAt && row.tenant.isActive,
      cachedAt: Date.now(),
    };
    if (this.ttlMs > 0) this.cache.set(hash, entry);
    return entry;
  }

  /** Records last use at most once a minute per key, off the request path. */
  touch(keyId: string): void {
    const now = Date.now();
    if (now - (this.lastUsedWritten.get(keyId) ?? 0) < LAST_USED_WRITE_INTERVAL_MS) return;
    this.lastUsedWritten.set(keyId, now);
    this.prisma.apiKey.update({ where: { id: keyId }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
  }
}

export function apiKeyAuth(store: KeyStore): RequestHandler {
  return async (req, _res, next) => {
    const raw = req.get('x-api-key');
    if (raw === undefined || raw === '') return next(new AppError('not_authenticated', 'Not authenticated'));
    // Malformed keys are refused without a lookup; the digest comparison below is constant-time.
    if (!isWellFormedKey(raw)) return next(new AppError('invalid_api_key', 'Invalid API key'));
    const hash = hashKey(raw);
    const entry = await store.resolve(hash);
    if (!entry || !digestsEqual(entry.keyHash, hash) || !entry.usable) {
      return next(new AppError('invalid_api_key', 'Invalid API key'));
    }
    if (entry.expiresAt !== null && entry.expiresAt <= Date.now()) {
      return next(new AppError('api_key_expired', 'API key expired'));
    }
    const principal: Principal = {
      tenantId: entry.tenantId,
      keyId: entry.keyId,
      scopes: entry.scopes,
      limits: entry.limits,
    };
    req.auth = principal;
    req.log = req.log.child({ tenant_id: entry.tenantId });
    store.touch(entry.keyId);
    next();
  };
}
