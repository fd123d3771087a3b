import { z } from 'zod';
import '../../openapi.js';

/** PATCH /tenant/webhook (JSON, urlencoded or multipart form): `webhook_url`; "" or null clears it. */
export const TenantWebhookBody = z
  .object({
    webhook_url: z.union([z.string().max(2000), z.null()]).openapi({ description: 'http(s) URL; "" or null clears it' }),
  })
  .openapi('TenantWebhookRequest');

export const TenantWebhookSchema = z
  .object({
    webhook_url: z.string().nullable(),
    /** Whether a signing secret is set (deliveries need one). */
    has_secret: z.boolean(),
  })
  .openapi('TenantWebhook');

export const WebhookSecretSchema = z
  .object({ secret: z.string().openapi({ description: 'Shown once; signs every later delivery (X-CS-Signature)' }) })
  .openapi('WebhookSecret');
