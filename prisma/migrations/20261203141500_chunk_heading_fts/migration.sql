-- Heading evidence for full-text ranking (issue 12): each chunk also keeps the tsvector of its heading path
-- (metadata.heading_path, the section titles above it, with the material's text search configuration), a second
-- BM25 field (fulltext-search.sql: a heading occurrence counts as BM25.headingWeight body occurrences).

-- AlterTable
ALTER TABLE "material_chunks" ADD COLUMN     "heading_fts" tsvector;

-- Hand-written: the same trigger function writes both tsvectors (one lookup of the configuration), and now also
-- runs when a chunk's metadata changes.
CREATE OR REPLACE FUNCTION "material_chunks_fts"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  cfg regconfig := coalesce((SELECT m.text_search_config FROM material_entries m WHERE m.id = NEW.material_id), 'simple')::regconfig;
BEGIN
  NEW.fts := to_tsvector(cfg, NEW.text);
  NEW.heading_fts := to_tsvector(cfg, coalesce((SELECT string_agg(h, ' ') FROM jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(NEW.metadata -> 'heading_path') = 'array' THEN NEW.metadata -> 'heading_path' ELSE '[]'::jsonb END) h), ''));
  RETURN NEW;
END $$;

DROP TRIGGER "material_chunks_fts_trigger" ON "material_chunks";
CREATE TRIGGER "material_chunks_fts_trigger" BEFORE INSERT OR UPDATE OF "text", "material_id", "metadata" ON "material_chunks"
  FOR EACH ROW EXECUTE FUNCTION "material_chunks_fts"();

-- Existing chunks (fts is unchanged, so the fulltext_lexeme_df triggers have nothing to do).
UPDATE "material_chunks" c SET "heading_fts" = to_tsvector(m.text_search_config::regconfig, coalesce((SELECT string_agg(h, ' ') FROM jsonb_array_elements_text(
    CASE WHEN jsonb_typeof(c.metadata -> 'heading_path') = 'array' THEN c.metadata -> 'heading_path' ELSE '[]'::jsonb END) h), ''))
FROM material_entries m WHERE m.id = c.material_id;
