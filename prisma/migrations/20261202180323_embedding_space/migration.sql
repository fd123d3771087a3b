-- Which embedding model made the stored chunk vectors (provider:model:dimensions, the embedding cache's key), so
-- that a change of model with the same dimension (local-hash-v1 → local-wordvec-v1, both 384) is refused at boot
-- instead of mixing old and new vectors. The code keeps one row, id 1.
-- CreateTable
CREATE TABLE "embedding_space" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "model" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embedding_space_pkey" PRIMARY KEY ("id")
);

-- A database that already holds vectors: record the model that made them — the newest document embedding in the
-- cache says which; with none left (pruned), the model before this migration's release, local-hash-v1, at the
-- column's dimension. An empty database gets its row at the first boot.
INSERT INTO "embedding_space" ("id", "model")
SELECT 1, COALESCE(
  (SELECT "model" FROM "embedding_cache" ORDER BY "created_at" DESC LIMIT 1),
  'local:local-hash-v1:' || (SELECT atttypmod FROM pg_attribute WHERE attrelid = 'material_chunks'::regclass AND attname = 'embedding' AND NOT attisdropped)
)
WHERE EXISTS (SELECT 1 FROM "material_chunks" WHERE "embedding" IS NOT NULL);
