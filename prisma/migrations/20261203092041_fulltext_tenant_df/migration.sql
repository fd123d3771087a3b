-- Term selection of long full-text queries from the tenant's own corpus (issue 12): per tenant, the number of
-- its chunks holding each lexeme, instead of the global pg_stats of material_chunks.fts (every tenant's chunks,
-- so another tenant's corpus changed which terms a query kept).
-- CreateTable
CREATE TABLE "fulltext_lexeme_df" (
    "tenant_id" UUID NOT NULL,
    "lexeme" TEXT NOT NULL,
    "df" INTEGER NOT NULL,

    CONSTRAINT "fulltext_lexeme_df_pkey" PRIMARY KEY ("tenant_id","lexeme")
);

-- AddForeignKey
ALTER TABLE "fulltext_lexeme_df" ADD CONSTRAINT "fulltext_lexeme_df_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written (Prisma cannot express these; shared/src/db/migrate/hand-written.ts lists them): triggers keep
-- the counts with the chunks. Inserts and deletes are counted once per statement from its transition table
-- (a batch of chunks is one upsert, not one per row); an update that changes a chunk's fts (its text or
-- material) moves its lexemes. Writers of one tenant's chunks take a transaction advisory lock on the tenant
-- first (tenants in id order), so two transactions each writing several batches cannot deadlock on the shared
-- count rows; other tenants never wait. A count may stay at 0 (the lexeme is kept as "in no chunk").
CREATE FUNCTION "fulltext_df_lock"(tenants uuid[]) RETURNS void LANGUAGE sql AS $$
  SELECT pg_advisory_xact_lock(hashtextextended('fulltext_df:' || t::text, 0)) FROM unnest(tenants) t ORDER BY t;
$$;

CREATE FUNCTION "fulltext_df_insert"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "fulltext_df_lock"(ARRAY(SELECT DISTINCT tenant_id FROM new_rows));
  INSERT INTO "fulltext_lexeme_df" (tenant_id, lexeme, df)
  SELECT n.tenant_id, u.lexeme, count(*) FROM new_rows n, unnest(n.fts) u WHERE n.fts IS NOT NULL
  GROUP BY n.tenant_id, u.lexeme ORDER BY n.tenant_id, u.lexeme
  ON CONFLICT (tenant_id, lexeme) DO UPDATE SET df = "fulltext_lexeme_df".df + EXCLUDED.df;
  RETURN NULL;
END $$;

CREATE FUNCTION "fulltext_df_delete"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "fulltext_df_lock"(ARRAY(SELECT DISTINCT tenant_id FROM old_rows));
  -- UPDATE, never INSERT: when the tenant itself is being deleted its count rows may already be gone.
  UPDATE "fulltext_lexeme_df" d SET df = greatest(d.df - o.n, 0)
  FROM (SELECT r.tenant_id, u.lexeme, count(*) AS n FROM old_rows r, unnest(r.fts) u WHERE r.fts IS NOT NULL
        GROUP BY r.tenant_id, u.lexeme ORDER BY r.tenant_id, u.lexeme) o
  WHERE d.tenant_id = o.tenant_id AND d.lexeme = o.lexeme;
  RETURN NULL;
END $$;

CREATE FUNCTION "fulltext_df_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "fulltext_df_lock"(ARRAY(SELECT DISTINCT t FROM unnest(ARRAY[OLD.tenant_id, NEW.tenant_id]) t));
  UPDATE "fulltext_lexeme_df" d SET df = greatest(d.df - 1, 0)
  FROM unnest(coalesce(OLD.fts, ''::tsvector)) u WHERE d.tenant_id = OLD.tenant_id AND d.lexeme = u.lexeme;
  INSERT INTO "fulltext_lexeme_df" (tenant_id, lexeme, df)
  SELECT NEW.tenant_id, u.lexeme, 1 FROM unnest(coalesce(NEW.fts, ''::tsvector)) u ORDER BY u.lexeme
  ON CONFLICT (tenant_id, lexeme) DO UPDATE SET df = "fulltext_lexeme_df".df + 1;
  RETURN NULL;
END $$;

CREATE TRIGGER "fulltext_df_insert_trigger" AFTER INSERT ON "material_chunks"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "fulltext_df_insert"();
CREATE TRIGGER "fulltext_df_delete_trigger" AFTER DELETE ON "material_chunks"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "fulltext_df_delete"();
CREATE TRIGGER "fulltext_df_update_trigger" AFTER UPDATE OF "text", "material_id", "tenant_id" ON "material_chunks"
  FOR EACH ROW WHEN (OLD.fts IS DISTINCT FROM NEW.fts OR OLD.tenant_id IS DISTINCT FROM NEW.tenant_id)
  EXECUTE FUNCTION "fulltext_df_update"();

-- The chunks already stored.
INSERT INTO "fulltext_lexeme_df" (tenant_id, lexeme, df)
SELECT c.tenant_id, u.lexeme, count(*) FROM "material_chunks" c, unnest(c.fts) u WHERE c.fts IS NOT NULL
GROUP BY c.tenant_id, u.lexeme;
