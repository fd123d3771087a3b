// A model change: boot refuses a mismatched dimension with a clear message naming the fix, and the CLI's
// re-embed resizes the column, forgets old vectors and queues every material for embedding.
// (This file has its own cloned database, so resizing the column disturbs no other test.)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.js';
import { reembedAll } from './reembed.js';
import { createPrisma, type PrismaClient } from '../client.js';
import { newId } from '../ids.js';
import { createTenant } from '../../auth/tenants.service.js';
import { assertEmbeddingModel } from './embedding-space.js';
import { embeddingModelKey } from '../../providers/from-config.js';
import { assertEmbeddingDimensions, embeddingColumnDimensions, EmbeddingDimensionError, writeChunkEmbeddings } from './vector.repository.js';

const run = promisify(execFile);
let prisma: PrismaClient;

beforeAll(() => {
  prisma = createPrisma(loadConfig().DATABASE_URL, { poolMax: 2 });
});
afterAll(async () => prisma?.$disconnect());

describe('changing the embedding dimension', () => {
  it('boot check names the mismatch and the command; reembed resizes and queues every material', async () => {
    const dims = (await embeddingColumnDimensions(prisma)) as number;
    await expect(assertEmbeddingDimensions(prisma, dims + 1)).rejects.toThrow(EmbeddingDimensionError);
    await expect(assertEmbeddingDimensions(prisma, dims + 1)).rejects.toThrow(/npm run cli -- embeddings reembed/);

    const tenant = await createTenant(prisma, 'reembed');
    const nodeId = newId();
    await prisma.materialNode.create({ data: { id: nodeId, tenantId: tenant.id, title: 'n' } });
    const materialId = newId();
    await prisma.material.create({ data: { id: materialId, tenantId: tenant.id, nodeId, sourceType: 'text', state: 'ready', chunkCount: 1 } });
    const chunkId = newId();
    await prisma.chunk.create({ data: { id: chunkId, tenantId: tenant.id, materialId, nodeId, ordinal: 0, kind: 'paragraph', text: 't', tokenCount: 1, contentSha256: 'x'.repeat(64) } });
    await writeChunkEmbeddings(prisma, [{ id: chunkId, embedding: Array.from({ length: dims }, (_, i) => (i === 0 ? 1 : 0)) }]);

    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', 'embeddings', 'reembed', '--dimensions', '16', '--json'], {
      env: { ...process.env },
    });
    const config = loadConfig();
    expect(JSON.parse(stdout)).toMatchObject({ from: dims, to: 16, materials: 1, model: embeddingModelKey(config, 16) });
    await expect(assertEmbeddingModel(prisma, embeddingModelKey(config, 16))).resolves.toBeUndefined();
    expect(await embeddingColumnDimensions(prisma)).toBe(16);
    await expect(assertEmbeddingDimensions(prisma, 16)).resolves.toBeUndefined();
    const m = await prisma.material.findUniqueOrThrow({ where: { id: materialId } });
    expect(m.state).toBe('pending');
    const job = await prisma.job.findUniqueOrThrow({ where: { id: m.jobId as string } });
    expect(job).toMatchObject({ jobType: 'embed', status: 'queued', subjectId: materialId });
    expect(await prisma.jobOutbox.count({ where: { jobId: job.id } })).toBe(1);
    const [left] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(embedding) AS n FROM material_chunks WHERE id = ${chunkId}::uuid`;
    expect(Number(left?.n)).toBe(0);
    const [index] = await prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM pg_indexes WHERE indexname = 'material_chunks_embedding_hnsw_idx'`;
    expect(Number(index?.n)).toBe(1);
  });
});

describe('changing the embedding model at the same dimension', () => {
  it('boot refuses vectors made by another model (hashed → word vectors, both 384) until reembed records the new one', async () => {
    const config = loadConfig();
    const dims = (await embeddingColumnDimensions(prisma)) as number;
    const hashed = embeddingModelKey({ ...config, EMBEDDING_PROVIDER: 'local', EMBEDDING_MODEL: 'local-hash-v1' }, dims);
    const wordvec = embeddingModelKey({ ...config, EMBEDDING_PROVIDER: 'local', EMBEDDING_MODEL: 'local-wordvec-v1' }, dims);
    await prisma.$executeRaw`DELETE FROM embedding_space`;
    await assertEmbeddingModel(prisma, hashed); // an empty record: the first boot writes its model
    await assertEmbeddingModel(prisma, hashed);
    await expect(assertEmbeddingModel(prisma, wordvec)).rejects.toThrow(EmbeddingDimensionError);
    await expect(assertEmbeddingModel(prisma, wordvec)).rejects.toThrow(/made by local:local-hash-v1:\d+ .*npm run cli -- embeddings reembed/);
    await reembedAll(prisma, { prefix: config.BULLMQ_PREFIX }, dims, wordvec);
    await expect(assertEmbeddingModel(prisma, wordvec)).resolves.toBeUndefined();
    await expect(assertEmbeddingModel(prisma, hashed)).rejects.toThrow(EmbeddingDimensionError);
  });
});
