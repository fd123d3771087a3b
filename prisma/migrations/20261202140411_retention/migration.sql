-- Retention (issue 14): indexes the maintenance sweep's bounded deletes use (created_at / completed_at), the
-- job references it checks before deleting a job, and the cursor of the resumable sweeps.
-- CreateTable
CREATE TABLE "maintenance_cursors" (
    "task" TEXT NOT NULL,
    "cursor" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "maintenance_cursors_pkey" PRIMARY KEY ("task")
);

-- CreateIndex
CREATE INDEX "embedding_cache_created_at_idx" ON "embedding_cache"("created_at");

-- CreateIndex
CREATE INDEX "homework_submissions_job_id_idx" ON "homework_submissions"("job_id");

-- CreateIndex
CREATE INDEX "jobs_completed_at_id_idx" ON "jobs"("completed_at", "id");

-- CreateIndex
CREATE INDEX "jobs_depends_on_idx" ON "jobs" USING GIN ("depends_on");

-- CreateIndex
CREATE INDEX "material_entries_job_id_idx" ON "material_entries"("job_id");

-- CreateIndex
CREATE INDEX "provider_calls_created_at_idx" ON "provider_calls"("created_at");

-- CreateIndex
CREATE INDEX "structure_snapshots_job_id_idx" ON "structure_snapshots"("job_id");

-- CreateIndex
CREATE INDEX "webhook_deliveries_created_at_idx" ON "webhook_deliveries"("created_at");
