-- Jobs and outbox entries carry the BULLMQ_PREFIX of the deployment that runs them (two deployments or test
-- files may share one database). Rows written before this migration belong to the default prefix 'cs'; a
-- deployment with another BULLMQ_PREFIX that has unfinished jobs while it upgrades must set them afterwards:
--   UPDATE jobs SET prefix = '<its prefix>' WHERE status IN ('queued', 'active');
--   UPDATE job_outbox SET prefix = '<its prefix>';

-- DropIndex
DROP INDEX "job_outbox_next_attempt_at_idx";

-- AlterTable
ALTER TABLE "job_outbox" ADD COLUMN "prefix" TEXT NOT NULL DEFAULT 'cs';
ALTER TABLE "job_outbox" ALTER COLUMN "prefix" DROP DEFAULT;

-- AlterTable
ALTER TABLE "jobs" ADD COLUMN "prefix" TEXT NOT NULL DEFAULT 'cs';
ALTER TABLE "jobs" ALTER COLUMN "prefix" DROP DEFAULT;

-- CreateIndex
CREATE INDEX "job_outbox_prefix_next_attempt_at_idx" ON "job_outbox"("prefix", "next_attempt_at");
