-- Upload intents also hold the bytes they reserve against the tenant quota (issue 13 items 4 and 5).
ALTER TABLE "upload_intents" ADD COLUMN "reserved_bytes" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN "reserved_until" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN "size_bound" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "checked_at" TIMESTAMPTZ(3);

-- CreateIndex
CREATE INDEX "upload_intents_tenant_id_reserved_until_idx" ON "upload_intents"("tenant_id", "reserved_until");
