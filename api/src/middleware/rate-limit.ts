// Per tenant per scope rate limits shared by every API process through Redis (rate-limiter-flexible).
// The counter is per (tenant, scope); the limit applied is the calling key's limit for that scope.
// While Redis is unreachable each process falls back to an in-memory insurance limiter allowing its share
// (limit / API_WORKERS) of the window, and returns to Redis by itself once it answers again.
import type { RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { AppError } from '../../../shared/src/errors/index.js';
import type { Logger } from '../../../shared/src/logger/index.js';
import type { Scope } from '../../../shared/src/auth/keys.js';
import { chargedScope, type RouteScope } from './scope.js';

export interface RateLimitOptions {
  prefix: string;
  windowSeconds: number;
  processCount: number;
  onReject?: (scope: Scope) => void;
}

export class RateLimits {
  private limiters = new Map<string, RateLimiterRedis>();

  constructor(
    private redis: Redis,
    private opts: RateLimitOptions,
    private logger: Logger,
  ) {}

  private limiter(scope: Scope, points: number): RateLimiterRedis {
    const id = `${scope}:${points}`;
    let limiter = this.limiters.get(id);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `${this.opts.prefix}:rl:${scope}`, // shared by every limit value: one counter per tenant+scope
        points,
        duration: this.opts.windowSeconds,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({
          keyPrefix: `insurance:${scope}`,
          points: Math.max(1, Math.ceil(points / this.opts.processCount)),
          duration: this.opts.windowSeconds,
        }),
      });
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  middleware(required: RouteScope): RequestHandler {
    return async (req, res, next) => {
      const principal = req.auth;
      if (!principal) return next(new AppError('not_authenticated', 'Not authenticated'));
      const scope = chargedScope(required, principal);
      const points = principal.limits[scope];
      const limiter = this.limiter(scope, points);
      let result: RateLimiterRes;
      try {
        result = await limiter.consume(principal.tenantId, 1);
      } catch (rejection) {
        if (rejection instanceof RateLimiterRes) {
          const resetSeconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
          setHeaders(res, points, 0, resetSeconds);
          this.opts.onReject?.(scope);
          return next(new AppError('rate_limited', 'Rate limit exceeded', { 'Retry-After': String(resetSeconds) }));
        }
        // Both Redis and the insurance limiter failed: serve rather than refuse everyone.
        this.logger.warn({ err: rejection }, 'rate limiter unavailable; request not limited');
        return next();
      }
      setHeaders(res, points, result.remainingPoints, Math.max(0, Math.ceil(result.msBeforeNext / 1000)));
      next();
    };
  }
}

function setHeaders(res: Parameters<RequestHandler>[1], limit: number, remaining: number, reset: number) {
  res.setHeader('RateLimit-Limit', String(limit));
  res.setHeader('RateLimit-Remaining', String(Math.max(0, remaining)));
  res.setHeader('RateLimit-Reset', String(reset));
}

export interface AuthFailureOptions {
  prefix: string;
  /** Failed authentications an address may have per window; 0: no limit. */
  points: number;
  windowSeconds: number;
  processCount: number;
  onReject?: () => void;
}

/**
 * Failed authentications per client address, shared by every API process through Redis. Checked before a key is
 * looked up (retryAfter), charged when authentication fails (fail): an address sending unknown keys gets 429
 * instead of a Postgres lookup per request, while valid traffic from it costs one Redis read at most.
 * Like the tenant limits it falls back to an in-memory share while Redis is unreachable, and never refuses
 * because the limiter itself failed.
 */
export class AuthFailureLimiter {
  private limiter: RateLimiterRedis | null;

  constructor(
    redis: Redis,
    private opts: AuthFailureOptions,
    private logger: Logger,
  ) {
    this.limiter =
      opts.points > 0
        ? new RateLimiterRedis({
            storeClient: redis,
            keyPrefix: `${opts.prefix}:rl:authfail`,
            points: opts.points,
            duration: opts.windowSeconds,
            rejectIfRedisNotReady: true,
            insuranceLimiter: new RateLimiterMemory({
              keyPrefix: 'insurance:authfail',
              points: Math.max(1, Math.ceil(opts.points / opts.processCount)),
              duration: opts.windowSeconds,
            }),
          })
        : null;
  }

  /** Seconds until the address may try again; 0 while it is under its limit. */
  async retryAfter(address: string): Promise<number> {
    if (!this.limiter) return 0;
    try {
      const res = await this.limiter.get(address);
      if (!res || res.consumedPoints < this.opts.points) return 0;
      this.opts.onReject?.();
      return Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    } catch (err) {
      this.logger.warn({ err }, 'auth failure limiter unavailable; address not limited');
      return 0;
    }
  }

  /** Charges one failed authentication to the address. */
  async fail(address: string): Promise<void> {
    if (!this.limiter) return;
    try {
      await this.limiter.consume(address, 1);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) this.logger.warn({ err }, 'auth failure limiter unavailable');
    }
  }
}
