// 403 unless the key holds the scope the route requires (API.md: P = prep, S = prep or check, C = check).
import type { RequestHandler } from 'express';
import { AppError } from '../../../shared/src/errors/index.js';
import type { Scope } from '../../../shared/src/auth/keys.js';
import type { Principal } from '../http/context.js';

export type RouteScope = 'prep' | 'check' | 'prep_or_check';

const MESSAGES: Record<RouteScope, string> = {
  prep: 'Requires scope: prep',
  check: 'Requires scope: check',
  prep_or_check: 'Requires scope: prep or check',
};

export function allowedScopes(required: RouteScope): Scope[] {
  return required === 'prep_or_check' ? ['prep', 'check'] : [required];
}

/** The scope a request is charged to: the route's scope; on S routes `check` when the key holds it. */
export function chargedScope(required: RouteScope, principal: Principal): Scope {
  if (required !== 'prep_or_check') return required;
  return principal.scopes.includes('check') ? 'check' : 'prep';
}

export function requireScope(required: RouteScope): RequestHandler {
  const allowed = allowedScopes(required);
  return (req, _res, next) => {
    const principal = req.auth;
    if (!principal) return next(new AppError('not_authenticated', 'Not authenticated'));
    if (!principal.scopes.some((s) => allowed.includes(s))) {
      return next(new AppError('insufficient_scope', MESSAGES[required]));
    }
    next();
  };
}
