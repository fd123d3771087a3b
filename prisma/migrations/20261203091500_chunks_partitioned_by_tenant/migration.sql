-- material_chunks hash-partitioned by tenant_id, 16 partitions (issue 15, vector search; pgvector's guidance for
-- multi-tenancy): each partition has its own HNSW graph, so a tenant's query walks a graph holding its own chunks
-- and a few other tenants' instead of every tenant's, and the tenant filter stops starving the iterative scan
-- (filtered HNSW recall@10 at ef 100: 0.944 → 0.977, 100k real-prose chunks / 10 tenants, bench/scenarios/search.ts).
-- Searches name tenant_id, so the planner reads one partition (writes by id alone probe each partition's key index).
-- A partitioned table's primary key and unique keys must hold the partition key: (id, tenant_id) and
-- (material_id, ordinal, tenant_id) — the same rows are unique as before, since a material has one tenant.
-- Existing rows are copied (the vector column keeps its migrated dimension: LIKE copies the type as it is).

CREATE TABLE "material_chunks_partitioned" (LIKE "material_chunks" INCLUDING DEFAULTS) PARTITION BY HASH ("tenant_id");

DO $$
BEGIN
  FOR i IN 0..15 LOOP
    EXECUTE format('CREATE TABLE %I PARTITION OF "material_chunks_partitioned" FOR VALUES WITH (MODULUS 16, REMAINDER %s)', 'material_chunks_p' || i, i);
  END LOOP;
END $$;

-- fts is copied as it is (the trigger is created afterwards, on the new table).
INSERT INTO "material_chunks_partitioned" SELECT * FROM "material_chunks";

DROP TABLE "material_chunks";
ALTER TABLE "material_chunks_partitioned" RENAME TO "material_chunks";

ALTER TABLE "material_chunks" ADD CONSTRAINT "material_chunks_pkey" PRIMARY KEY ("id", "tenant_id");
CREATE UNIQUE INDEX "material_chunks_material_id_ordinal_tenant_id_key" ON "material_chunks"("material_id", "ordinal", "tenant_id");
CREATE INDEX "material_chunks_tenant_id_materialnode_id_idx" ON "material_chunks"("tenant_id", "materialnode_id");
CREATE INDEX "material_chunks_content_sha256_idx" ON "material_chunks"("content_sha256");
ALTER TABLE "material_chunks" ADD CONSTRAINT "material_chunks_material_id_fkey" FOREIGN KEY ("material_id") REFERENCES "material_entries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written (Prisma cannot express these; prisma/drift.int.test.ts allowlists them), as before, now on the
-- partitioned table (each partition gets its own index and the trigger):
CREATE INDEX "material_chunks_embedding_hnsw_idx" ON "material_chunks"
  USING hnsw ("embedding" vector_cosine_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX "material_chunks_fts_idx" ON "material_chunks" USING gin ("fts");
CREATE TRIGGER "material_chunks_fts_trigger" BEFORE INSERT OR UPDATE OF "text", "material_id" ON "material_chunks"
  FOR EACH ROW EXECUTE FUNCTION "material_chunks_fts"();
