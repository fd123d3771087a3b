// Tenant webhook settings (API.md "Homework checking"): PATCH /tenant/webhook, POST /tenant/webhook/secret.
import busboy from 'busboy';
import type { Request } from 'express';
import { defineRoute, type RouteDef } from '../../http/define-route.js';
import { zodIssues } from '../../middleware/validate.js';
import { AppError, invalid } from '../../../../shared/src/errors/index.js';
import { TenantWebhookBody, TenantWebhookSchema, WebhookSecretSchema } from './tenant.schemas.js';
import { rotateWebhookSecret, setWebhookUrl, type TenantServiceDeps } from './tenant.service.js';

const tags = ['tenant'];

/** The text fields of a small multipart form (no files). */
function readMultipartFields(req: Request): Promise<Record<string, string>> {
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, limits: { files: 0, fields: 10, fieldSize: 4096, parts: 10 } });
    } catch {
      return reject(invalid(['body'], 'Malformed multipart/form-data body', 'multipart_invalid'));
    }
    const fields: Record<string, string> = {};
    bb.on('field', (name, value, info) => {
      if (info.valueTruncated) reject(invalid(['body', name], 'Field value too long', 'string_too_long'));
      fields[name] = value;
    });
    bb.on('filesLimit', () => reject(invalid(['body'], 'No file is accepted here')));
    bb.on('partsLimit', () => reject(invalid(['body'], 'Too many parts')));
    bb.on('error', () => reject(invalid(['body'], 'Malformed multipart/form-data body', 'multipart_invalid')));
    bb.on('close', () => resolve(fields));
    req.pipe(bb);
  });
}

export function tenantRoutes(deps: TenantServiceDeps): RouteDef[] {
  return [
    defineRoute({
      method: 'patch',
      path: '/tenant/webhook',
      scope: 'prep',
      summary: "Set or clear the tenant's default webhook URL for homework reviews",
      description: 'JSON, urlencoded or multipart form with `webhook_url` ("" or null clears it). The URL is checked now and at send time.',
      tags,
      bodyKind: 'json-or-form',
      multipartDoc: TenantWebhookBody,
      responses: { 200: { description: 'Webhook settings', schema: TenantWebhookSchema } },
      errors: [422],
      handler: async ({ req, res, auth }) => {
        const raw: unknown = req.is('multipart/form-data') ? await readMultipartFields(req) : req.body;
        const parsed = TenantWebhookBody.safeParse(raw ?? {});
        if (!parsed.success) throw new AppError('validation_error', zodIssues('body', parsed.error, raw ?? {}));
        res.json(await setWebhookUrl(deps, auth.tenantId, parsed.data.webhook_url));
      },
    }),
    defineRoute({
      method: 'post',
      path: '/tenant/webhook/secret',
      scope: 'prep',
      summary: 'Create (rotate) the webhook signing secret; shown once',
      description: 'Every later delivery is signed with it (X-CS-Signature). 503 when the server has no APP_ENCRYPTION_KEY.',
      tags,
      responses: { 200: { description: 'The new secret', schema: WebhookSecretSchema } },
      errors: [503],
      handler: async ({ res, auth }) => {
        res.setHeader('Cache-Control', 'no-store');
        res.json(await rotateWebhookSecret(deps, auth.tenantId));
      },
    }),
  ];
}
