// X-API-Key → tenant and scopes. Lookups are cached in-process for API_KEY_CACHE_TTL_MS; revocations and
// tenant deactivations published on Redis evict entries in every process at once (shared/src/auth/revocation).
// Unknown well-formed keys are remembered for API_KEY_NEGATIVE_CACHE_TTL_MS (keys are 128 random bits, so no
// real key is ever looked up before it exists), and addresses that keep failing are refused before any lookup
// (AuthFailureLimiter, rate-limit.ts).
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { LRUCache } from 'lru-cache';
import type { PrismaClient } from '../../../shared/src/db/client.js';
import { AppError } from '../../../shared/src/errors/index.js';
import { digestsEqual, hashKey, isWellFormedKey, type Scope } from '../../../shared/src/auth/keys.js';
import { subscribeInvalidations } from '../../../shared/src/auth/revocation.js';
import type { Principal } from '../http/context.js';
import type { AuthFailureLimiter } from './rate-limit.js';

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
/** Bound on remembered unknown keys (random keys from an attacker must not grow memory without end). */
const NEGATIVE_CACHE_MAX = 50_000;

export class KeyStore {
  private cache = new Map<string, CachedKey>();
  private lastUsedWritten = new Map<string, number>();
  private unknown: LRUCache<string, true> | null;
  private unsubscribe: (() => Promise<void>) | null = null;
  /** Postgres lookups made so far (diagnostics; the tests count them). */
  lookups = 0;

  constructor(
    private prisma: PrismaClient,
    private ttlMs: number,
    negativeTtlMs = 0,
  ) {
    this.unknown = negativeTtlMs > 0 ? new LRUCache({ max: NEGATIVE_CACHE_MAX, ttl: negativeTtlMs }) : null;
  }

  /** Listens for invalidations on Redis; call once per process. */
  listen(subscriber: Redis, prefix: string): void {
    this.unsubscribe = subscribeInvalidations(subscriber, prefix, {
      onMessage: (msg) => {
        for (const [hash, entry] of this.cache) {
          if ((msg.kind === 'key' && hash === msg.keyHash) || (msg.kind === 'tenant' && entry.tenantId === msg.tenantId)) {
            this.cache.delete(hash);
          }
        }
        if (msg.kind === 'key') this.unknown?.delete(msg.keyHash);
      },
      onResync: () => {
        this.cache.clear();
        this.unknown?.clear();
      },
    });
  }

  async close(): Promise<void> {
    await this.unsubscribe?.();
  }

  /** The entry this process already holds for the key, without any lookup: the entry, null (known unknown), or
   * undefined (not held). */
  peek(hash: string): CachedKey | null | undefined {
    const hit = this.cache.get(hash);
    if (hit && Date.now() - hit.cachedAt < this.ttlMs) return hit;
    return this.unknown?.has(hash) ? null : undefined;
  }

  async resolve(hash: string): Promise<CachedKey | null> {
    const held = this.peek(hash);
    if (held !== undefined) return held;
    this.lookups++;
    const row = await this.prisma.apiKey.findUnique({
      where: { keyHash: hash },
      include: { tenant: { select: { isActive: true } } },
    });
    if (!row) {
      this.cache.delete(hash);
      this.unknown?.set(hash, true);
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

export function apiKeyAuth(store: KeyStore, failures: AuthFailureLimiter): RequestHandler {
  return async (req, _res, next) => {
    // Behind nginx req.ip is the address nginx appended to X-Forwarded-For (TRUST_PROXY), not one the client wrote.
    // Read only when needed: a key this process holds is served without it.
    const address = () => req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const refuse = async (err: AppError) => {
      await failures.fail(address());
      next(err);
    };
    const raw = req.get('x-api-key');
    const hash = raw && isWellFormedKey(raw) ? hashKey(raw) : null;
    // A key this process already knows costs nothing; anything else is checked against the address's failures
    // first, so an address that keeps failing gets no more lookups.
    const held = hash ? store.peek(hash) : undefined;
    if (!held) {
      const retryAfter = await failures.retryAfter(address());
      if (retryAfter > 0) return next(new AppError('rate_limited', 'Rate limit exceeded', { 'Retry-After': String(retryAfter) }));
    }
    if (raw === undefined || raw === '') return refuse(new AppError('not_authenticated', 'Not authenticated'));
    // Malformed keys are refused without a lookup; the digest comparison below is constant-time.
    if (!hash) return refuse(new AppError('invalid_api_key', 'Invalid API key'));
    const entry = held ?? (await store.resolve(hash));
    if (!entry || !digestsEqual(entry.keyHash, hash) || !entry.usable) {
      return refuse(new AppError('invalid_api_key', 'Invalid API key'));
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
    req.auth = principal; // req.log binds tenant_id from here on (request-id.ts)
    store.touch(entry.keyId);
    next();
  };
}
