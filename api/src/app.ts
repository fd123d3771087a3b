// buildApp(deps): the Express application without listen(), so tests and main.ts share it.
import express, { Router, type Express } from 'express';
import cors from 'cors';
import swaggerUi from 'swagger-ui-express';
import './http/context.js';
import type { AppDeps } from './deps.js';
import { installRequestLogger, requestId } from './middleware/request-id.js';
import { securityHeaders } from './http/security-headers.js';
import { weakEtag } from './http/etag.js';
import { bodyProgressTimeout } from './http/body-timeout.js';
import { httpMetrics } from './middleware/http-metrics.js';
import { apiKeyAuth } from './middleware/api-key.js';
import { errorHandler, notFoundHandler } from './middleware/errors.js';
import { mountRoutes, type RouteDef } from './http/define-route.js';
import { buildOpenApiDocument } from './openapi.js';
import { healthDocs, healthRouter } from './routes/health/health.routes.js';
import { apiRoutes } from './routes/index.js';

export const API_VERSION = '1.0.0';

export function buildApp(deps: AppDeps, extraRoutes: RouteDef[] = []): Express {
  const { config } = deps;
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.TRUST_PROXY);
  app.set('query parser', 'simple');
  app.set('etag', weakEtag);

  installRequestLogger(app, deps.logger);
  app.use(requestId(deps.logger));
  app.use(bodyProgressTimeout(config.REQUEST_BODY_TIMEOUT_MS, config.REQUEST_BODY_MIN_BYTES));
  app.use(httpMetrics());
  app.use(securityHeaders());
  if (config.CORS_ORIGINS.length) {
    app.use(
      cors({
        origin: config.CORS_ORIGINS.includes('*') ? true : config.CORS_ORIGINS,
        exposedHeaders: ['X-Request-Id', 'RateLimit-Limit', 'RateLimit-Remaining', 'RateLimit-Reset', 'Retry-After'],
        allowedHeaders: ['Content-Type', 'X-API-Key', 'X-Request-Id'],
      }),
    );
  }

  const routes = [...apiRoutes(deps), ...extraRoutes];
  const openapi = buildOpenApiDocument(routes, healthDocs, API_VERSION);

  // The API first: its requests (nearly all of them) then pass no layer of the routes below, whose paths
  // (/health…, /openapi.json, /docs, /metrics, /admin/queues) are outside /api/v1.
  const v1 = Router();
  v1.use(apiKeyAuth(deps.keyStore, deps.authFailures));
  mountRoutes(v1, routes, { basePath: '/api/v1', rateLimits: deps.rateLimits, jsonLimit: config.JSON_BODY_LIMIT });
  app.use('/api/v1', v1);

  app.use(healthRouter(deps.probes, config.HEALTH_CHECK_TIMEOUT_MS));
  app.get('/openapi.json', (_req, res) => {
    res.json(openapi);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(openapi, { customSiteTitle: 'Course Supporter API' }));
  for (const mount of deps.operatorMounts ?? []) mount(app);

  app.use(notFoundHandler);
  app.use(errorHandler);
  return app;
}
