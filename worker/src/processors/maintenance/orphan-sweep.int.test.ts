// The orphan sweep reads the bucket by prefix and page: each run reads at most ORPHAN_SWEEP_PAGES_PER_RUN pages,
// continues after the last key the previous run read (maintenance_cursors), and starts over once the listing
// reached the end — so no run lists the whole bucket, and every orphan is still found. Real s3rver, real Postgres.
import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../../shared/src/config/index.js';
import { createPrisma, type PrismaClient } from '../../../../shared/src/db/client.js';
import { newId } from '../../../../shared/src/db/ids.js';
import { createLogger } from '../../../../shared/src/logger/index.js';
import { createS3Client } from '../../../../shared/src/storage/index.js';
import { S3RVER_CREDENTIALS, startTempLocalS3, type LocalS3 } from '../../../../scripts/lib/s3rver-server.js';
import { createTestTenant } from '../../../../test/support/tenants.js';
import { maintenanceSweep } from './sweep.js';

const bucket = `orphans-${randomBytes(3).toString('hex')}`;
let s3: LocalS3;
let client: S3Client;
let config: Config;
let prisma: PrismaClient;
let tenantId: string;
const lists: { startAfter?: string; token?: string }[] = [];

beforeAll(async () => {
  s3 = await startTempLocalS3([bucket]);
  client = createS3Client({ endpoint: s3.url, region: 'us-east-1', ...S3RVER_CREDENTIALS, forcePathStyle: true });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ListObjectsV2Command') {
        const input = args.input as { StartAfter?: string; ContinuationToken?: string };
        lists.push({ startAfter: input.StartAfter, token: input.ContinuationToken });
      }
      return next(args);
    },
    { step: 'initialize', name: 'count-lists' },
  );
  config = loadConfig({ S3_BUCKET: bucket, ORPHAN_UPLOAD_GRACE_MS: '0', ORPHAN_SWEEP_PAGE_SIZE: '2', ORPHAN_SWEEP_PAGES_PER_RUN: '2' });
  prisma = createPrisma(config.DATABASE_URL, { poolMax: 2 });
  tenantId = (await createTestTenant(prisma)).tenant.id;
});
afterAll(async () => {
  await prisma?.maintenanceCursor.deleteMany({ where: { task: `orphan-uploads:${bucket}` } });
  await prisma?.tenant.delete({ where: { id: tenantId } }).catch(() => undefined);
  await prisma?.$disconnect();
  client?.destroy();
  await s3?.close();
});

const present = async (key: string) =>
  client.send(new HeadObjectCommand({ Bucket: bucket, Key: key })).then(
    () => true,
    () => false,
  );

describe('orphan sweep over the bucket', () => {
  it('reads at most N pages per run, resumes after the saved key, and removes every unreferenced object', async () => {
    const nodeId = (await prisma.materialNode.create({ data: { id: newId(), tenantId, title: 'orphans' } })).id;
    const keys = Array.from({ length: 9 }, (_, i) => `tenants/${tenantId}/nodes/${nodeId}/obj-${i}.txt`);
    for (const Key of keys) await client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }));
    await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'outside/not-swept.txt', Body: 'x' }));
    const kept = keys[4] as string; // a material still refers to it
    await prisma.material.create({ data: { id: newId(), tenantId, nodeId, sourceType: 'text', s3Key: kept } });
    await new Promise((r) => setTimeout(r, 20)); // grace 0: strictly older than "now" at sweep time

    const sweep = maintenanceSweep({ prisma, s3: client, config, logger: createLogger({ level: 'silent' }) });
    const cursor = async () => (await prisma.maintenanceCursor.findUnique({ where: { task: `orphan-uploads:${bucket}` } }))?.cursor;

    // 9 keys, 2 per page, 2 pages per run: runs read keys 0-3, 4-7, then 8 (end: the cursor is cleared).
    lists.length = 0;
    const r1 = (await sweep({ task: 'orphan-uploads' })) as { orphans: number; bucketListingDone: boolean };
    expect(lists).toHaveLength(2);
    expect(lists[0]!.startAfter).toBeUndefined();
    expect(r1).toMatchObject({ orphans: 4, bucketListingDone: false });
    expect(await cursor()).toBe(keys[3]);
    for (const k of keys.slice(0, 4)) expect(await present(k), k).toBe(false);
    expect(await present(keys[4]!)).toBe(true);

    lists.length = 0;
    const r2 = (await sweep({ task: 'orphan-uploads' })) as { orphans: number; bucketListingDone: boolean };
    expect(lists).toHaveLength(2);
    expect(lists[0]!.startAfter).toBe(keys[3]);
    expect(r2).toMatchObject({ orphans: 3, bucketListingDone: false });
    expect(await cursor()).toBe(keys[7]);

    lists.length = 0;
    const r3 = (await sweep({ task: 'orphan-uploads' })) as { orphans: number; bucketListingDone: boolean };
    expect(lists).toHaveLength(1);
    expect(lists[0]!.startAfter).toBe(keys[7]);
    expect(r3).toMatchObject({ orphans: 1, bucketListingDone: true });
    expect(await cursor()).toBe('');

    for (const k of keys) expect(await present(k), k).toBe(k === kept);
    expect(await present('outside/not-swept.txt')).toBe(true);

    // Started over: the next run reads from the first key again.
    lists.length = 0;
    await sweep({ task: 'orphan-uploads' });
    expect(lists[0]!.startAfter).toBeUndefined();
    const all = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'tenants/' }));
    expect(all.Contents?.map((o) => o.Key)).toEqual([kept]);
  });
});
