-- Language-aware full text (issue 12): each material has the Postgres text search configuration of its language
-- (detected at ingestion; 'simple' when undetermined), and each chunk a stored tsvector made with it.

-- AlterTable
ALTER TABLE "material_entries" ADD COLUMN     "text_search_config" TEXT NOT NULL DEFAULT 'simple';

-- AlterTable
ALTER TABLE "material_chunks" ADD COLUMN     "fts" tsvector;

-- Hand-written (Prisma cannot express these; prisma/drift.int.test.ts allowlists them):
-- the tsvector is written by a trigger so every insert path (Prisma createMany, COPY in the benches) gets it; a
-- generated column cannot read the material's configuration from another table.
CREATE FUNCTION "material_chunks_fts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.fts := to_tsvector(
    coalesce((SELECT m.text_search_config FROM material_entries m WHERE m.id = NEW.material_id), 'simple')::regconfig,
    NEW.text);
  RETURN NEW;
END $$;

CREATE TRIGGER "material_chunks_fts_trigger" BEFORE INSERT OR UPDATE OF "text", "material_id" ON "material_chunks"
  FOR EACH ROW EXECUTE FUNCTION "material_chunks_fts"();

-- Existing chunks: their materials are 'simple' until re-ingested (language detection runs at ingestion).
UPDATE "material_chunks" SET "fts" = to_tsvector('simple', "text");

DROP INDEX "material_chunks_fts_idx";
CREATE INDEX "material_chunks_fts_idx" ON "material_chunks" USING gin ("fts");
