-- The embedding cache becomes per tenant (issue 13 item 2): a hit must never tell one tenant that another tenant
-- embedded the same text. Existing rows belong to no tenant and are only a cache: they are dropped, and texts are
-- embedded again on their next use.
DELETE FROM "embedding_cache";

-- AlterTable
ALTER TABLE "embedding_cache" DROP CONSTRAINT "embedding_cache_pkey",
ADD COLUMN     "tenant_id" UUID NOT NULL,
ADD CONSTRAINT "embedding_cache_pkey" PRIMARY KEY ("tenant_id", "model", "text_sha256");

-- AddForeignKey
ALTER TABLE "embedding_cache" ADD CONSTRAINT "embedding_cache_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
