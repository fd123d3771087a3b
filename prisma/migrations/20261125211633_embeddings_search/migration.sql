-- AlterTable
ALTER TABLE "material_chunks" ADD COLUMN     "embedding" vector(384);

-- CreateTable
CREATE TABLE "embedding_cache" (
    "model" TEXT NOT NULL,
    "text_sha256" CHAR(64) NOT NULL,
    "embedding" vector NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "embedding_cache_pkey" PRIMARY KEY ("model","text_sha256")
);

-- CreateTable
CREATE TABLE "provider_calls" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "job_id" UUID,
    "kind" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "prompt_ref" TEXT,
    "units_in" INTEGER NOT NULL DEFAULT 0,
    "units_out" INTEGER NOT NULL DEFAULT 0,
    "cost_usd" DECIMAL(14,6) NOT NULL DEFAULT 0,
    "latency_ms" INTEGER NOT NULL DEFAULT 0,
    "success" BOOLEAN NOT NULL,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "provider_calls_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "provider_calls_tenant_id_created_at_idx" ON "provider_calls"("tenant_id", "created_at");

-- CreateIndex
CREATE INDEX "provider_calls_job_id_idx" ON "provider_calls"("job_id");

-- CreateIndex
CREATE INDEX "material_chunks_content_sha256_idx" ON "material_chunks"("content_sha256");

-- AddForeignKey
ALTER TABLE "provider_calls" ADD CONSTRAINT "provider_calls_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written (Prisma cannot express these; prisma/drift.int.test.ts allowlists them):
-- approximate nearest-neighbour search by cosine distance over chunk embeddings (pgvector HNSW) …
CREATE INDEX "material_chunks_embedding_hnsw_idx" ON "material_chunks"
  USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 64);

-- … and full-text search for hybrid mode. 'simple' (no stemming, no stop words) because course materials come
-- in many languages; hybrid ranking fuses this with the vector ranks, which carry the fuzziness.
CREATE INDEX "material_chunks_fts_idx" ON "material_chunks" USING gin (to_tsvector('simple', "text"));
