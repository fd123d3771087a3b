// `npm run up` step: makes sure a "demo" tenant exists and prints a fresh key for it (keys are stored only as
// hashes, so an earlier key cannot be shown again; earlier demo keys are revoked).
import { loadConfigOrExit } from '../shared/src/config/index.js';
import { createPrisma } from '../shared/src/db/client.js';
import { createApiKey, createTenant } from '../shared/src/auth/tenants.service.js';

const config = loadConfigOrExit();
const prisma = createPrisma(config.DATABASE_URL, { poolMax: 1 });
try {
  const tenant = (await prisma.tenant.findFirst({ where: { name: 'demo' } })) ?? (await createTenant(prisma, 'demo'));
  await prisma.apiKey.updateMany({ where: { tenantId: tenant.id, label: 'demo', revokedAt: null }, data: { revokedAt: new Date() } });
  const { key } = await createApiKey(prisma, tenant.id, { label: 'demo', scopes: ['prep', 'check'] });
  process.stdout.write(
    `\n[up] demo tenant ${tenant.id}\n[up] demo API key (prep+check; shown once):\n\n    ${key}\n\n` +
      `[up] try: curl -H "X-API-Key: ${key}" http://localhost:${config.PORT}/api/v1/nodes\n`,
  );
} finally {
  await prisma.$disconnect();
}
