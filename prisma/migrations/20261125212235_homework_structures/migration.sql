-- CreateEnum
CREATE TYPE "SubmissionStatus" AS ENUM ('received', 'processing', 'reviewed', 'delivered', 'failed');

-- CreateEnum
CREATE TYPE "StructureMode" AS ENUM ('free', 'guided');

-- AlterTable
ALTER TABLE "tenants" ADD COLUMN     "webhook_secret_enc" TEXT,
ADD COLUMN     "webhook_url" TEXT;

-- CreateTable
CREATE TABLE "students" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "external_id" TEXT NOT NULL,
    "last_language" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "students_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "homework_submissions" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "student_id" UUID NOT NULL,
    "course_node_id" UUID NOT NULL,
    "materialnode_id" UUID NOT NULL,
    "status" "SubmissionStatus" NOT NULL DEFAULT 'received',
    "score" INTEGER,
    "review" JSONB,
    "review_markdown" TEXT,
    "file_sha256" CHAR(64) NOT NULL,
    "original_filename" TEXT NOT NULL,
    "s3_key" TEXT NOT NULL,
    "size_bytes" BIGINT NOT NULL,
    "task_description" TEXT,
    "criteria" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "webhook_url" TEXT,
    "response_language" TEXT,
    "failure_reason" TEXT,
    "job_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "homework_submissions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "webhook_deliveries" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "submission_id" UUID NOT NULL,
    "delivery_id" UUID NOT NULL,
    "event" TEXT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "outcome" TEXT NOT NULL,
    "http_status" INTEGER,
    "latency_ms" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "webhook_deliveries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "structure_snapshots" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "materialnode_id" UUID NOT NULL,
    "mode" "StructureMode" NOT NULL,
    "step_type" TEXT NOT NULL,
    "node_fingerprint" TEXT NOT NULL,
    "structure" JSONB NOT NULL,
    "service_call" JSONB NOT NULL,
    "job_id" UUID,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "structure_snapshots_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "slide_mappings" (
    "id" UUID NOT NULL,
    "tenant_id" UUID NOT NULL,
    "materialnode_id" UUID NOT NULL,
    "presentation_materialentry_id" UUID NOT NULL,
    "video_materialentry_id" UUID NOT NULL,
    "slide_number" INTEGER NOT NULL,
    "video_timecode_start" DOUBLE PRECISION NOT NULL,
    "video_timecode_end" DOUBLE PRECISION,
    "status" TEXT NOT NULL DEFAULT 'pending_validation',
    "validation_error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "slide_mappings_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "students_tenant_id_external_id_key" ON "students"("tenant_id", "external_id");

-- CreateIndex
CREATE INDEX "homework_submissions_tenant_id_created_at_idx" ON "homework_submissions"("tenant_id", "created_at" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "homework_submissions_tenant_id_student_id_materialnode_id_f_key" ON "homework_submissions"("tenant_id", "student_id", "materialnode_id", "file_sha256");

-- CreateIndex
CREATE INDEX "webhook_deliveries_submission_id_created_at_idx" ON "webhook_deliveries"("submission_id", "created_at");

-- CreateIndex
CREATE INDEX "structure_snapshots_tenant_id_materialnode_id_created_at_idx" ON "structure_snapshots"("tenant_id", "materialnode_id", "created_at" DESC);

-- CreateIndex
CREATE INDEX "structure_snapshots_materialnode_id_node_fingerprint_mode_s_idx" ON "structure_snapshots"("materialnode_id", "node_fingerprint", "mode", "step_type");

-- CreateIndex
CREATE INDEX "slide_mappings_tenant_id_materialnode_id_idx" ON "slide_mappings"("tenant_id", "materialnode_id");

-- CreateIndex
CREATE UNIQUE INDEX "slide_mappings_presentation_materialentry_id_slide_number_v_key" ON "slide_mappings"("presentation_materialentry_id", "slide_number", "video_materialentry_id", "video_timecode_start");

-- AddForeignKey
ALTER TABLE "students" ADD CONSTRAINT "students_tenant_id_fkey" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "homework_submissions" ADD CONSTRAINT "homework_submissions_student_id_fkey" FOREIGN KEY ("student_id") REFERENCES "students"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "webhook_deliveries" ADD CONSTRAINT "webhook_deliveries_submission_id_fkey" FOREIGN KEY ("submission_id") REFERENCES "homework_submissions"("id") ON DELETE CASCADE ON UPDATE CASCADE;
