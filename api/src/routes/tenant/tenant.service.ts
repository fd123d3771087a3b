// Tenant-wide webhook settings: the default target URL and the signing secret (stored encrypted with
// APP_ENCRYPTION_KEY, the tenant id bound as context; shown to the client once, never logged).
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import { AppError, notFound } from '../../../../shared/src/errors/index.js';
import { checkUrl, isOutboundError, privateTargetPolicy, type PrivateTargets } from '../../../../shared/src/net/index.js';
import { encryptSecret, generateWebhookSecret } from '../../../../shared/src/webhooks/index.js';

export interface TenantServiceDeps {
  prisma: PrismaClient;
  allowPrivateTargets: PrivateTargets;
  appEncryptionKey: string | undefined;
}

/** A webhook target as a client sets it: http(s), no credentials, every resolved address public → 422 otherwise. */
export async function checkWebhookUrl(raw: string, allowPrivate: PrivateTargets, loc: (string | number)[]): Promise<string> {
  try {
    const checked = await checkUrl(raw.trim(), { allowPrivate: privateTargetPolicy(allowPrivate) });
    return checked.url.toString();
  } catch (err) {
    if (isOutboundError(err)) throw err.toValidationError(loc);
    throw err;
  }
}

async function tenantRow(prisma: PrismaClient, tenantId: string) {
  const t = await prisma.tenant.findUnique({ where: { id: tenantId }, select: { webhookUrl: true, webhookSecretEnc: true } });
  if (!t) throw notFound('Tenant not found');
  return t;
}

export const presentWebhookSettings = (t: { webhookUrl: string | null; webhookSecretEnc: string | null }) => ({
  webhook_url: t.webhookUrl,
  has_secret: t.webhookSecretEnc !== null,
});

/** Sets (or with null / "" clears) the tenant's default webhook URL. */
export async function setWebhookUrl(deps: TenantServiceDeps, tenantId: string, raw: string | null) {
  const url = raw === null || raw.trim() === '' ? null : await checkWebhookUrl(raw, deps.allowPrivateTargets, ['body', 'webhook_url']);
  await tenantRow(deps.prisma, tenantId);
  const t = await deps.prisma.tenant.update({
    where: { id: tenantId },
    data: { webhookUrl: url },
    select: { webhookUrl: true, webhookSecretEnc: true },
  });
  return presentWebhookSettings(t);
}

/** A new signing secret (the old one stops signing at once). Returned in clear exactly once. */
export async function rotateWebhookSecret(deps: TenantServiceDeps, tenantId: string): Promise<{ secret: string }> {
  if (!deps.appEncryptionKey) {
    throw new AppError(
      'service_unavailable',
      'Webhook secrets are not available: the server has no APP_ENCRYPTION_KEY configured (ask the operator to set one)',
    );
  }
  await tenantRow(deps.prisma, tenantId);
  const secret = generateWebhookSecret();
  await deps.prisma.tenant.update({
    where: { id: tenantId },
    data: { webhookSecretEnc: encryptSecret(secret, deps.appEncryptionKey, tenantId) },
  });
  return { secret };
}
