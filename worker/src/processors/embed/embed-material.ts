// embed.material: embeds the chunks of a material that have no vector yet, in batches (the provider batches
// HTTP requests within its limits; the cache makes a retry or a re-upload free), writes them with one
// statement per batch, then marks the material ready. Idempotent: a retry only embeds what is still missing.
import { UnrecoverableError } from 'bullmq';
import type { PrismaClient } from '../../../../shared/src/db/client.js';
import type { EmbeddingProvider } from '../../../../shared/src/providers/embeddings/index.js';
import { ProviderError } from '../../../../shared/src/providers/http/provider-error.js';
import { writeChunkEmbeddings } from '../../../../shared/src/db/vector/vector.repository.js';
import { cancelled, type JobContext } from '../../registry.js';
import { revalidateMappingsFor } from '../../../../shared/src/db/slide-mappings.repository.js';
import { metrics } from '../../../../shared/src/metrics/index.js';

const BATCH = 256;

export function embedMaterial(deps: { prisma: PrismaClient; embedder: EmbeddingProvider }) {
  return async (payload: { tenantId: string; materialId: string }, ctx: JobContext) => {
    const { prisma, embedder } = deps;
    const m = await prisma.material.findFirst({ where: { id: payload.materialId, tenantId: payload.tenantId } });
    if (!m) throw new UnrecoverableError('Material no longer exists');
    const pending = await prisma.$queryRaw<{ id: string; text: string }[]>`
      SELECT id::text AS id, text FROM material_chunks
      WHERE material_id = ${m.id}::uuid AND embedding IS NULL ORDER BY ordinal`;
    const stage = metrics().ingestStage;
    for (let i = 0; i < pending.length; i += BATCH) {
      const batch = pending.slice(i, i + BATCH);
      let vectors: number[][];
      const embedding = stage.startTimer({ stage: 'embed' });
      try {
        vectors = await embedder.embed(
          batch.map((c) => c.text),
          { tenantId: m.tenantId, jobId: ctx.jobId, action: 'embed' },
        );
      } catch (err) {
        if (err instanceof ProviderError && err.permanent) throw new UnrecoverableError(`embedding provider refused: ${err.message}`);
        throw err;
      } finally {
        embedding();
      }
      const writing = stage.startTimer({ stage: 'write' });
      await writeChunkEmbeddings(prisma, batch.map((c, j) => ({ id: c.id, embedding: vectors[j] as number[] })));
      writing();
      await ctx.progress(Math.round(((i + batch.length) / pending.length) * 95));
      if (await ctx.isCancelled()) return cancelled();
    }
    const [left] = await prisma.$queryRaw<{ n: bigint }[]>`
      SELECT count(*) AS n FROM material_chunks WHERE material_id = ${m.id}::uuid AND embedding IS NULL`;
    if (Number(left?.n ?? 0) > 0) throw new Error('some chunks are still without an embedding');
    const { count } = await prisma.material.updateMany({
      where: { id: m.id, tenantId: m.tenantId, jobId: ctx.jobId },
      data: { state: 'ready', errorMessage: null },
    });
    if (count) await revalidateMappingsFor(prisma, m.tenantId, m.id); // slide mappings waiting for this material
    return { embedded: pending.length };
  };
}
