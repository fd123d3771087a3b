-- CreateEnum
CREATE TYPE "SourceType" AS ENUM ('video', 'presentation', 'text', 'web');

-- CreateEnum
CREATE TYPE "MaterialState" AS ENUM ('raw', 'pending', 'ready', 'error');

-- CreateEnum
CREATE TYPE "JobType" AS ENUM ('ingest', 'embed', 'generate', 'reconcile', 'refine', 'check', 'webhook', 'maintenance');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'active', 'complete', 'failed', 'cancelled');

-- CreateTable
CREATE TABLE "materialnodes" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "parent_materialnode_id" UUID,
    "title" VARCHAR(500) NOT NULL,
    "description" VARCHAR(5000),
    "learning_goal" TEXT,
    "expected_knowledge" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "expected_skills" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "order" INTEGER NOT NULL DEFAULT 0,
    "node_fingerprint" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "materialnodes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "material_entries" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "materialnode_id" UUID NOT NULL,
    "source_type" "SourceType" NOT NULL,
    "source_url" TEXT,
    "filename" TEXT,
    "order" INTEGER NOT NULL DEFAULT 0,
    "state" "MaterialState" NOT NULL DEFAULT 'raw',
    "error_message" TEXT,
    "job_id" UUID,
    "content_type" TEXT,
    "size_bytes" BIGINT,
    "sha256" CHAR(64),
    "chunk_count" INTEGER NOT NULL DEFAULT 0,
    "s3_key" TEXT,
    "document" JSONB,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "material_entries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "material_chunks" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "material_id" UUID NOT NULL,
    "materialnode_id" UUID NOT NULL,
    "ordinal" INTEGER NOT NULL,
    "kind" TEXT NOT NULL,
    "text" TEXT NOT NULL,
    "token_count" INTEGER NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "content_sha256" CHAR(64) NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "material_chunks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "jobs" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "job_type" "JobType" NOT NULL,
    "name" TEXT NOT NULL,
    "queue" TEXT NOT NULL,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "materialnode_id" UUID,
    "subject_id" UUID,
    "payload" JSONB NOT NULL,
    "error_message" TEXT,
    "progress" INTEGER NOT NULL DEFAULT 0,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "depends_on" UUID[] DEFAULT ARRAY[]::UUID[],
    "queued_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "completed_at" TIMESTAMPTZ(3),
    "estimated_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "jobs_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_outbox" (
    "id" BIGSERIAL NOT NULL,
    "job_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "next_attempt_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "job_outbox_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "s3_pending_deletions" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "last_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "s3_pending_deletions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "upload_intents" (
    "key" TEXT NOT NULL,
    "tenant_id" UUID NOT NULL,
    "materialnode_id" UUID NOT NULL,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "upload_intents_pkey" PRIMARY KEY ("key")
);

-- CreateIndex
CREATE INDEX "materialnodes_tenant_id_parent_materialnode_id_order_idx" ON "materialnodes"("tenant_id", "parent_materialnode_id", "order");

-- CreateIndex
CREATE INDEX "material_entries_tenant_id_materialnode_id_order_idx" ON "material_entries"("tenant_id", "materialnode_id", "order");

-- CreateIndex
CREATE INDEX "material_entries_s3_key_idx" ON "material_entries"("s3_key");

-- CreateIndex
CREATE INDEX "material_chunks_tenant_id_materialnode_id_idx" ON "material_chunks"("tenant_id", "materialnode_id");

-- CreateIndex
CREATE UNIQUE INDEX "material_chunks_material_id_ordinal_key" ON "material_chunks"("material_id", "ordinal");

-- CreateIndex
CREATE INDEX "jobs_tenant_id_queued_at_idx" ON "jobs"("tenant_id", "queued_at" DESC);

-- CreateIndex
CREATE INDEX "jobs_status_queue_idx" ON "jobs"("status", "queue");

-- CreateIndex
CREATE INDEX "jobs_subject_id_idx" ON "jobs"("subject_id");

-- CreateIndex
CREATE UNIQUE INDEX "job_outbox_job_id_key" ON "job_outbox"("job_id");

-- CreateIndex
CREATE INDEX "job_outbox_next_attempt_at_idx" ON "job_outbox"("next_attempt_at");

-- CreateIndex
CREATE INDEX "s3_pending_deletions_created_at_idx" ON "s3_pending_deletions"("created_at");

-- CreateIndex
CREATE INDEX "upload_intents_created_at_idx" ON "upload_intents"("created_at");

-- AddForeignKey
ALTER TABLE "materialnodes" ADD CONSTRAINT "materialnodes_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "materialnodes" ADD CONSTRAINT "materialnodes_parent_materialnode_id_fkey" FOREIGN KEY ("parent_materialnode_id") REFERENCES "materialnodes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "material_entries" ADD CONSTRAINT "material_entries_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "material_entries" ADD CONSTRAINT "material_entries_materialnode_id_fkey" FOREIGN KEY ("materialnode_id") REFERENCES "materialnodes"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "material_chunks" ADD CONSTRAINT "material_chunks_material_id_fkey" FOREIGN KEY ("material_id") REFERENCES "material_entries"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "jobs" ADD CONSTRAINT "jobs_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;
