// What the middleware chain attaches to a request.
import type { Logger } from '../../../shared/src/logger/index.js';
import type { Scope } from '../../../shared/src/auth/keys.js';

export interface Principal {
  tenantId: string;
  keyId: string;
  scopes: Scope[];
  limits: { prep: number; check: number };
}

declare module 'express-serve-static-core' {
  interface Request {
    id: string;
    log: Logger;
    auth?: Principal;
    /** Parsed and validated inputs (the parsed values replace the raw input). */
    valid: { params: unknown; query: unknown; body: unknown };
  }
}

export {};
