// Operator CLI: `npm run cli -- <command>`. Tenants and API keys (the plain key is printed once, never stored).
import { parseArgs } from 'node:util';
import { loadConfigOrExit } from '../shared/src/config/index.js';
import { createPrisma } from '../shared/src/db/client.js';
import { createRedis } from '../shared/src/db/redis.js';
import { parseScopes } from '../shared/src/auth/keys.js';
import { reembedAll } from '../shared/src/db/vector/reembed.js';
import { embeddingModelKey } from '../shared/src/providers/from-config.js';
import {
  createApiKey,
  createTenant,
  listApiKeys,
  listTenants,
  parseDuration,
  revokeApiKey,
  setTenantActive,
} from '../shared/src/auth/tenants.service.js';

const USAGE = `usage: npm run cli -- <command>
  tenant create <name> [--key] [--scopes prep,check]   create a tenant (--key: also a key)
  tenant list
  tenant deactivate <tenant-id> | tenant activate <tenant-id>
  key create --tenant <id> [--label L] [--scopes prep,check] [--prep-limit 60] [--check-limit 300]
             [--expires-in 30d] [--test]
  key list --tenant <id>
  key revoke <key-id>
  embeddings reembed [--dimensions N]    after changing the embedding model: resize the vector column to
                                         EMBEDDING_DIMENSIONS (or N) and re-embed every material`;

const fail = (msg: string): never => {
  process.stderr.write(`error: ${msg}\n\n${USAGE}\n`);
  process.exit(2);
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    tenant: { type: 'string' },
    label: { type: 'string' },
    scopes: { type: 'string' },
    'prep-limit': { type: 'string' },
    'check-limit': { type: 'string' },
    'expires-in': { type: 'string' },
    test: { type: 'boolean' },
    key: { type: 'boolean' },
    json: { type: 'boolean' },
    dimensions: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help || positionals.length === 0) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(positionals.length === 0 && !values.help ? 2 : 0);
}

const config = loadConfigOrExit();
const prisma = createPrisma(config.DATABASE_URL, { poolMax: 2 });
const limit = (name: 'prep-limit' | 'check-limit'): number | undefined => {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a positive integer`);
  return n;
};
const out = (data: unknown, text: string) => process.stdout.write(values.json ? `${JSON.stringify(data)}\n` : `${text}\n`);
const withBroadcast = async <T>(fn: (b: { redis: ReturnType<typeof createRedis>; prefix: string }) => Promise<T>) => {
  const redis = createRedis(config.REDIS_URL, 'subscriber');
  try {
    return await fn({ redis, prefix: config.BULLMQ_PREFIX });
  } finally {
    redis.disconnect();
  }
};

async function makeKey(tenantId: string) {
  let scopes;
  try {
    scopes = parseScopes(values.scopes ?? 'prep,check');
  } catch (e) {
    return fail((e as Error).message);
  }
  let expiresAt: Date | null = null;
  if (values['expires-in']) {
    try {
      expiresAt = new Date(Date.now() + parseDuration(values['expires-in']));
    } catch (e) {
      return fail((e as Error).message);
    }
  }
  const { key, record } = await createApiKey(prisma, tenantId, {
    label: values.label ?? 'default',
    scopes,
    limits: { rateLimitPrep: limit('prep-limit'), rateLimitCheck: limit('check-limit') },
    expiresAt,
    environment: values.test ? 'test' : 'live',
  });
  out(
    { id: record.id, key, prefix: record.keyPrefix, scopes: record.scopes, expires_at: record.expiresAt },
    `key id:   ${record.id}\nscopes:   ${record.scopes.join(',')}\nexpires:  ${record.expiresAt?.toISOString() ?? 'never'}\n` +
      `API key (shown once, store it now):\n${key}`,
  );
}

try {
  const [group, cmd, arg] = positionals;
  if (group === 'tenant' && cmd === 'create') {
    if (!arg) fail('tenant name required');
    const t = await createTenant(prisma, arg as string);
    out({ id: t.id, name: t.name }, `tenant ${t.id} (${t.name}) created`);
    if (values.key) await makeKey(t.id);
  } else if (group === 'tenant' && cmd === 'list') {
    const rows = await listTenants(prisma);
    out(rows, rows.map((t) => `${t.id}  ${t.isActive ? 'active  ' : 'inactive'}  ${t.name}`).join('\n') || '(no tenants)');
  } else if (group === 'tenant' && (cmd === 'deactivate' || cmd === 'activate')) {
    if (!arg) fail('tenant id required');
    await withBroadcast((b) => setTenantActive(prisma, arg as string, cmd === 'activate', b));
    out({ id: arg, active: cmd === 'activate' }, `tenant ${arg} ${cmd}d`);
  } else if (group === 'key' && cmd === 'create') {
    if (!values.tenant) fail('--tenant required');
    await makeKey(values.tenant as string);
  } else if (group === 'key' && cmd === 'list') {
    if (!values.tenant) fail('--tenant required');
    const rows = await listApiKeys(prisma, values.tenant as string);
    out(
      rows,
      rows
        .map(
          (k) =>
            `${k.id}  ${k.keyPrefix}…  ${k.label}  scopes=${k.scopes.join(',')}  limits=prep:${k.rateLimitPrep}/check:${k.rateLimitCheck}` +
            `  last_used=${k.lastUsedAt?.toISOString() ?? 'never'}  expires=${k.expiresAt?.toISOString() ?? 'never'}` +
            (k.revokedAt ? `  REVOKED ${k.revokedAt.toISOString()}` : ''),
        )
        .join('\n') || '(no keys)',
    );
  } else if (group === 'key' && cmd === 'revoke') {
    if (!arg) fail('key id required');
    await withBroadcast((b) => revokeApiKey(prisma, arg as string, b));
    out({ id: arg, revoked: true }, `key ${arg} revoked`);
  } else if (group === 'embeddings' && cmd === 'reembed') {
    const dims = values.dimensions ? Number(values.dimensions) : config.EMBEDDING_DIMENSIONS;
    const r = await reembedAll(prisma, { prefix: config.BULLMQ_PREFIX }, dims, embeddingModelKey(config, dims));
    out(r, `embedding column: vector(${r.from ?? '?'}) → vector(${r.to}); ${r.materials} material(s) queued for embedding` +
      (dims !== config.EMBEDDING_DIMENSIONS ? `\nnote: set EMBEDDING_DIMENSIONS=${dims} before starting the API and worker` : ''));
  } else {
    fail(`unknown command: ${positionals.join(' ')}`);
  }
} catch (err) {
  process.stderr.write(`error: ${(err as Error).message}\n`);
  process.exitCode = 1;
} finally {
  await prisma.$disconnect();
}
