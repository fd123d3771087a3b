// Which embedding model made the stored chunk vectors. The dimension check (vector.repository.ts) cannot see a
// change of model at the same dimension — local-hash-v1 and local-wordvec-v1 are both 384 — and vectors of two
// models side by side rank nonsense, so the model key (provider:model:dimensions, as the embedding cache keys
// its entries) is recorded in embedding_space: the first boot of an empty database records it, every boot
// compares, and `embeddings reembed` rewrites it as it forgets the old vectors.
import type { Prisma, PrismaClient } from '../client.js';
import { EmbeddingDimensionError } from './vector.repository.js';

type Db = PrismaClient | Prisma.TransactionClient;

/** Boot check: the configured model must be the one that made the stored vectors. */
export async function assertEmbeddingModel(db: Db, key: string): Promise<void> {
  await db.$executeRaw`INSERT INTO embedding_space (id, model) VALUES (1, ${key}) ON CONFLICT (id) DO NOTHING`;
  const row = await db.embeddingSpace.findUniqueOrThrow({ where: { id: 1 } });
  if (row.model !== key) {
    throw new EmbeddingDimensionError(
      `the stored chunk vectors were made by ${row.model} but the configured embedding model is ${key}. ` +
        'Run `npm run cli -- embeddings reembed` (it forgets the old vectors and re-embeds every material), ' +
        'or configure the model that made them.',
    );
  }
}

/** Records the model that the vectors are (re-)made with; run in reembed's transaction. */
export async function recordEmbeddingModel(db: Db, key: string): Promise<void> {
  await db.$executeRaw`
    INSERT INTO embedding_space (id, model) VALUES (1, ${key})
    ON CONFLICT (id) DO UPDATE SET model = EXCLUDED.model, updated_at = now()`;
}
