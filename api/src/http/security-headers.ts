// Security headers of every response: helmet's set (configured below) plus the seed's legacy X-XSS-Protection.
// helmet's middleware is a chain of one middleware per header whose values never depend on the request with
// this configuration, so it is run once at startup against a recording response and its headers are replayed
// per request in one loop — the same headers and values, without a dozen middleware calls per request.
import type { RequestHandler } from 'express';
import helmet from 'helmet';

const helmetMiddleware = () =>
  helmet({
    // Swagger UI needs inline styles and its own scripts; the API itself serves only JSON.
    contentSecurityPolicy: {
      directives: { 'script-src': ["'self'"], 'style-src': ["'self'", "'unsafe-inline'"], 'img-src': ["'self'", 'data:'] },
    },
    frameguard: { action: 'deny' },
    hsts: { maxAge: 31_536_000, includeSubDomains: true },
    xXssProtection: false,
  });

/** The headers helmet sets with this configuration, in its order (it also removes X-Powered-By, which
 * app.ts disables). Throws if helmet ever does something the replay would not reproduce. */
export function helmetHeaders(): [string, string][] {
  const headers: [string, string][] = [];
  let nexted = false;
  const recorder = {
    setHeader(name: string, value: unknown) {
      if (typeof value !== 'string') throw new Error(`helmet set ${name} to a non-string; cannot precompute it`);
      headers.push([name, value]);
    },
    removeHeader(name: string) {
      if (name.toLowerCase() !== 'x-powered-by') throw new Error(`helmet removed ${name}; cannot precompute it`);
    },
  };
  void helmetMiddleware()({} as never, recorder as never, (err?: unknown) => {
    if (err) throw err;
    nexted = true;
  });
  if (!nexted) throw new Error('helmet did not answer synchronously; cannot precompute its headers');
  return headers;
}

export function securityHeaders(): RequestHandler {
  const headers: [string, string][] = [
    ...helmetHeaders(),
    // The seed's header set includes the legacy XSS filter header (helmet sends "0" by default).
    ['X-XSS-Protection', '1; mode=block'],
  ];
  return (_req, res, next) => {
    for (let i = 0; i < headers.length; i++) {
      const [name, value] = headers[i] as [string, string];
      res.setHeader(name, value);
    }
    next();
  };
}
