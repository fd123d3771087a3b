// After a change of embedding model or dimension: resize material_chunks.embedding to the configured dimension
// (the HNSW index is rebuilt around it), forget the old vectors, and queue an embed job for every material that
// has chunks. Materials are `pending` until their new embeddings are written. The embedding cache is keyed by
// provider:model:dimensions, so old entries are never served for the new model; embedding_space records the new
// model key, which the boot check compares with the configuration (embedding-space.ts).
import type { PrismaClient } from '../client.js';
import { enqueue, type JobTarget } from '../../jobs/producer.js';
import { jobs } from '../../jobs/definitions.js';
import { embeddingColumnDimensions } from './vector.repository.js';
import { recordEmbeddingModel } from './embedding-space.js';

export async function reembedAll(
  prisma: PrismaClient,
  target: JobTarget,
  dimensions: number,
  /** provider:model:dimensions the vectors are re-made with (embeddingModelKey). */
  modelKey: string,
): Promise<{ from: number | null; to: number; materials: number; model: string }> {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16000) throw new Error(`invalid dimension ${dimensions}`);
  const from = await embeddingColumnDimensions(prisma);
  const materials = await prisma.$transaction(
    async (tx) => {
      if (from !== dimensions) {
        await tx.$executeRawUnsafe('DROP INDEX IF EXISTS "material_chunks_embedding_hnsw_idx"');
        await tx.$executeRawUnsafe(`ALTER TABLE "material_chunks" ALTER COLUMN "embedding" TYPE vector(${dimensions}) USING NULL`);
        await tx.$executeRawUnsafe(
          'CREATE INDEX "material_chunks_embedding_hnsw_idx" ON "material_chunks" USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 64)',
        );
      } else {
        await tx.$executeRawUnsafe('UPDATE "material_chunks" SET "embedding" = NULL');
      }
      await recordEmbeddingModel(tx, modelKey);
      const targets = await tx.material.findMany({ where: { chunkCount: { gt: 0 }, state: { in: ['ready', 'pending'] } } });
      for (const m of targets) {
        const job = await enqueue(tx, target, m.tenantId, jobs.embedMaterial, { tenantId: m.tenantId, materialId: m.id }, { nodeId: m.nodeId, subjectId: m.id });
        await tx.material.update({ where: { id: m.id }, data: { state: 'pending', jobId: job.id } });
      }
      return targets.length;
    },
    { timeout: 600_000 },
  );
  return { from, to: dimensions, materials, model: modelKey };
}
